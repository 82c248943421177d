//! Arbitrary text never makes the address and domain readers panic, and
//! what they accept is consistent.

use bannin_query::udf::cidr::{is_private, net_contains, parse_cidr, parse_ip};
use bannin_query::udf::domain::registrable_domain;
use proptest::prelude::*;

proptest! {
    #[test]
    fn addresses_and_cidrs_never_panic(text in ".{0,64}", other in "[0-9a-f:./%\\[\\] ]{0,48}") {
        for input in [text.as_str(), other.as_str()] {
            if let Some(ip) = parse_ip(input) {
                let _ = is_private(ip);
                // An address is in its own host network.
                prop_assert!(net_contains(&parse_cidr(input).unwrap(), ip));
            }
            let _ = parse_cidr(input);
        }
    }

    #[test]
    fn registrable_domain_is_a_suffix_of_the_host(
        host in "[a-zA-Z0-9.:-]{0,40}|.{0,40}"
    ) {
        let mut scratch = String::new();
        if let Some(domain) = registrable_domain(&host, &mut scratch) {
            let domain = domain.to_owned();
            prop_assert!(!domain.is_empty());
            prop_assert!(domain.contains('.'), "{domain}");
            let lower = host.trim().to_ascii_lowercase();
            prop_assert!(lower.contains(&domain), "{host} -> {domain}");
        }
    }
}
