//! `registrable_domain(host)`: the eTLD+1 of a host name.
//!
//! The Public Suffix List comes from the `psl` crate, compiled in (nothing
//! is fetched at run time); its private section counts, so
//! `bucket.s3.amazonaws.com` and `user.github.io` are their own registrable
//! domains, as browsers treat them. The list's geographic `.jp` rules give
//! `city.sapporo.jp` (`*.sapporo.jp` with the exception `!city.sapporo.jp`)
//! and `city.hachioji.tokyo.jp`.
//!
//! The list knows `lg.jp` only as one suffix, which would make every
//! municipality of a prefecture one "domain" (`osaka.lg.jp`). LG.JP names
//! an organisation `pref.<pref>.lg.jp`, `city.<city>.lg.jp` (designated
//! cities, Tokyo's wards) or `{city,town,vill}.<name>.<pref>.lg.jp`, so
//! under `lg.jp` the registrable domain runs from that organisation label:
//! `www.pref.osaka.lg.jp` → `pref.osaka.lg.jp`, `mail.city.ikeda.osaka.lg.jp`
//! → `city.ikeda.osaka.lg.jp`. Other `lg.jp` names keep the list's answer.
//!
//! Input is normalised first: spaces, a trailing dot and a `:port` are
//! dropped and ASCII is lower-cased (punycode `xn--` labels stay as they
//! are; Unicode labels are matched as written). An IP address, a single
//! label (`localhost`), an empty label, a name ending in a numeric label,
//! or a public suffix itself (`lg.jp`) has no registrable domain: NULL.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;

use super::cidr::parse_ip;
use super::columnar::for_each_str;
use super::unary::Unary;

/// LG.JP organisation labels.
const LG_ORGANISATIONS: [&str; 4] = ["pref", "city", "town", "vill"];

/// The registrable domain of `host`; `scratch` holds the lower-cased host
/// when it had upper-case letters (so the common case does not allocate).
pub fn registrable_domain<'a>(host: &'a str, scratch: &'a mut String) -> Option<&'a str> {
    let host = normalise(host, scratch)?;
    let domain = psl::domain(host.as_bytes())?;
    let suffix = domain.suffix();
    if suffix.as_bytes() == b"lg.jp"
        && let Some(organisation) = lg_jp_organisation(host)
    {
        return Some(organisation);
    }
    let start = host.len().checked_sub(domain.as_bytes().len())?;
    host.get(start..)
}

/// Trimmed, without trailing dot or port, lower-cased; `None` when the
/// text cannot be a domain name.
fn normalise<'a>(host: &'a str, scratch: &'a mut String) -> Option<&'a str> {
    let host = host.trim();
    if parse_ip(host).is_some() {
        return None;
    }
    let host = match host.split_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        Some(_) => return None,
        None => host,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.split('.').any(str::is_empty) {
        return None;
    }
    let last = host.rsplit('.').next().unwrap_or(host);
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        scratch.clear();
        scratch.push_str(host);
        scratch.make_ascii_lowercase();
        return Some(scratch.as_str());
    }
    Some(host)
}

/// The LG.JP organisation domain a host under `lg.jp` belongs to.
fn lg_jp_organisation(host: &str) -> Option<&str> {
    let rest = host.strip_suffix(".lg.jp")?;
    let mut labels = rest.rsplit('.');
    let _region = labels.next()?;
    let second = labels.next()?;
    if LG_ORGANISATIONS.contains(&second) {
        return last_labels(host, 4);
    }
    let third = labels.next()?;
    if LG_ORGANISATIONS[1..].contains(&third) {
        return last_labels(host, 5);
    }
    None
}

/// The last `count` dot-separated labels of `host`.
fn last_labels(host: &str, count: usize) -> Option<&str> {
    let mut start = host.len();
    for _ in 0..count {
        match host.get(..start)?.rfind('.') {
            Some(dot) => start = dot,
            None => return Some(host),
        }
    }
    // `start` is at a '.', skip it.
    host.get(start + 1..)
}

/// `registrable_domain(host) -> text`.
pub(crate) fn function() -> Unary {
    Unary::text(
        "registrable_domain",
        |_| Ok(DataType::Utf8),
        |hosts| {
            let mut out = StringBuilder::with_capacity(hosts.len(), hosts.len() * 16);
            let mut scratch = String::new();
            for_each_str(hosts, "registrable_domain", |host| {
                out.append_option(host.and_then(|host| registrable_domain(host, &mut scratch)));
            })?;
            Ok(Arc::new(out.finish()) as ArrayRef)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(host: &str) -> Option<String> {
        let mut scratch = String::new();
        registrable_domain(host, &mut scratch).map(str::to_owned)
    }

    #[test]
    fn japanese_public_bodies() {
        let cases = [
            ("www.city.sapporo.jp", "city.sapporo.jp"),
            ("www.city.kawasaki.jp", "city.kawasaki.jp"),
            ("www.city.hachioji.tokyo.jp", "city.hachioji.tokyo.jp"),
            ("www.pref.osaka.lg.jp", "pref.osaka.lg.jp"),
            ("mail.pref.osaka.lg.jp", "pref.osaka.lg.jp"),
            ("www.city.yokohama.lg.jp", "city.yokohama.lg.jp"),
            ("www.city.shinjuku.lg.jp", "city.shinjuku.lg.jp"),
            ("portal.city.ikeda.osaka.lg.jp", "city.ikeda.osaka.lg.jp"),
            (
                "www.town.kamiyama.tokushima.lg.jp",
                "town.kamiyama.tokushima.lg.jp",
            ),
            ("vill.ogasawara.tokyo.lg.jp", "vill.ogasawara.tokyo.lg.jp"),
            ("pref.osaka.lg.jp", "pref.osaka.lg.jp"),
            // No organisation label: the list's answer.
            ("www.example.lg.jp", "example.lg.jp"),
            ("www.digital.go.jp", "digital.go.jp"),
            ("www.example.co.jp", "example.co.jp"),
            ("example.co.jp", "example.co.jp"),
        ];
        for (host, expected) in cases {
            assert_eq!(domain(host).as_deref(), Some(expected), "{host}");
        }
        assert_eq!(domain("lg.jp"), None);
        assert_eq!(domain("co.jp"), None);
        // The list makes a prefecture name under lg.jp registrable.
        assert_eq!(domain("osaka.lg.jp").as_deref(), Some("osaka.lg.jp"));
    }

    #[test]
    fn cloud_and_private_suffixes() {
        assert_eq!(domain("drive.google.com").as_deref(), Some("google.com"));
        assert_eq!(
            domain("foo.s3.amazonaws.com").as_deref(),
            Some("foo.s3.amazonaws.com")
        );
        assert_eq!(
            domain("octocat.github.io").as_deref(),
            Some("octocat.github.io")
        );
        assert_eq!(
            domain("a.b.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            domain("WWW.Example.CO.JP").as_deref(),
            Some("example.co.jp")
        );
        assert_eq!(domain("www.example.com.").as_deref(), Some("example.com"));
        assert_eq!(domain(" box.com:443 ").as_deref(), Some("box.com"));
        assert_eq!(
            domain("www.xn--eckwd4c7c.xn--zckzah").as_deref(),
            Some("xn--eckwd4c7c.xn--zckzah")
        );
        assert_eq!(
            domain("mail.xn--wgv71a.jp").as_deref(),
            Some("xn--wgv71a.jp")
        );
        for none in [
            "10.20.1.15",
            "2001:db8::1",
            "[2001:db8::1]:443",
            "10.20.1.15:8080",
            "localhost",
            "",
            ".",
            "a..example.com",
            "example.com:https",
            "1.2.3",
        ] {
            assert_eq!(domain(none), None, "{none}");
        }
    }

    #[test]
    fn last_labels_counts_from_the_right() {
        assert_eq!(last_labels("a.b.c.d.e", 2), Some("d.e"));
        assert_eq!(last_labels("a.b.c.d.e", 5), Some("a.b.c.d.e"));
        assert_eq!(last_labels("c.d.e", 5), Some("c.d.e"));
    }
}
