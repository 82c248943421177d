//! `cidr_contains(cidr, ip)` and `is_private_ip(ip)`.
//!
//! Addresses are read as log fields come: surrounding spaces, `[…]`
//! brackets and an IPv6 zone (`%eth0`) are ignored, and an IPv4-mapped
//! IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it carries. Text
//! that is not an address gives NULL — a log field is data, not a query
//! mistake. A CIDR given as a literal that does not parse is a query
//! mistake and fails the query; a CIDR read from a column (e.g. a joined
//! register) that does not parse gives NULL for that row. A CIDR may also
//! be a single address (`192.0.2.7` = `192.0.2.7/32`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use ipnet::IpNet;

use super::columnar::{for_each_str, unary};
use super::unary::Unary;

/// Parses an address as found in a log field; see the module docs.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let text = match text.split_once('%') {
        // A zone names an interface; with a `/` it is a network, not an address.
        Some((_, zone)) if zone.contains('/') => return None,
        Some((address, _zone)) => address,
        None => text,
    };
    let ip: IpAddr = text.parse().ok()?;
    Some(ip.to_canonical())
}

/// Parses a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address.
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if text.contains('/') {
        text.parse().ok()
    } else {
        parse_ip(text).map(IpNet::from)
    }
}

/// Whether `net` contains `ip` (an IPv4 address also matches an
/// IPv4-mapped IPv6 network).
pub fn net_contains(net: &IpNet, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpNet::V4(net), IpAddr::V4(ip)) => net.contains(&ip),
        (IpNet::V6(net), IpAddr::V6(ip)) => net.contains(&ip),
        (IpNet::V6(net), IpAddr::V4(ip)) => net.contains(&ip.to_ipv6_mapped()),
        (IpNet::V4(_), IpAddr::V6(_)) => false,
    }
}

/// RFC 1918, loopback, link-local, CGNAT (100.64.0.0/10); IPv6 loopback,
/// unique local (fc00::/7) and link-local (fe80::/10). Mapped IPv6
/// addresses are judged as the IPv4 address they carry.
pub fn is_private(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b))
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

/// `cidr_contains(cidr, ip) -> boolean`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct CidrContains {
    signature: Signature,
}

impl CidrContains {
    pub(crate) fn new() -> Self {
        Self {
            signature: Signature::string(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CidrContains {
    fn name(&self) -> &str {
        "cidr_contains"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [cidr, ip] = args.args.as_slice() else {
            return exec_err!("cidr_contains takes two arguments (cidr, ip)");
        };
        match cidr {
            // The usual case: one network, parsed once for the whole batch.
            ColumnarValue::Scalar(scalar) => {
                let Some(text) = scalar_text(scalar)? else {
                    return Ok(ColumnarValue::Scalar(ScalarValue::Boolean(None)));
                };
                let Some(net) = parse_cidr(text) else {
                    return exec_err!("cidr_contains: `{text}` is not a CIDR (e.g. 10.0.0.0/8)");
                };
                unary(ip, |ips| {
                    booleans(ips, "cidr_contains", |ip| {
                        parse_ip(ip).map(|ip| net_contains(&net, ip))
                    })
                })
            }
            // A column of networks (e.g. a joined register): row by row.
            ColumnarValue::Array(nets) => {
                let ips = ip.to_array(nets.len())?;
                let mut parsed = Vec::with_capacity(nets.len());
                for_each_str(nets.as_ref(), "cidr_contains", |net| {
                    parsed.push(net.and_then(parse_cidr));
                })?;
                let mut out = BooleanBuilder::with_capacity(nets.len());
                let mut row = 0;
                for_each_str(ips.as_ref(), "cidr_contains", |ip| {
                    let net = parsed.get(row).copied().flatten();
                    row += 1;
                    let ip = ip.and_then(parse_ip);
                    out.append_option(net.zip(ip).map(|(net, ip)| net_contains(&net, ip)));
                })?;
                Ok(ColumnarValue::Array(Arc::new(out.finish())))
            }
        }
    }
}

/// `is_private_ip(ip) -> boolean`.
pub(crate) fn is_private_ip() -> Unary {
    Unary::text(
        "is_private_ip",
        |_| Ok(DataType::Boolean),
        |ips| booleans(ips, "is_private_ip", |ip| parse_ip(ip).map(is_private)),
    )
}

/// A boolean column from a text column: NULL in gives NULL out, otherwise
/// `f` decides (and may give NULL too).
fn booleans(
    array: &dyn Array,
    name: &str,
    mut f: impl FnMut(&str) -> Option<bool>,
) -> Result<ArrayRef> {
    let mut out = BooleanBuilder::with_capacity(array.len());
    for_each_str(array, name, |value| {
        out.append_option(value.and_then(&mut f))
    })?;
    Ok(Arc::new(out.finish()))
}

fn scalar_text(scalar: &ScalarValue) -> Result<Option<&str>> {
    match scalar {
        ScalarValue::Utf8(text) | ScalarValue::LargeUtf8(text) | ScalarValue::Utf8View(text) => {
            Ok(text.as_deref())
        }
        ScalarValue::Null => Ok(None),
        other => exec_err!(
            "cidr_contains expects text for the CIDR, got {}",
            other.data_type()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        parse_ip(text).unwrap()
    }

    #[test]
    fn addresses_as_logs_write_them() {
        assert_eq!(ip(" 10.20.1.15 "), IpAddr::from([10, 20, 1, 15]));
        assert_eq!(ip("::ffff:10.20.1.15"), IpAddr::from([10, 20, 1, 15]));
        assert_eq!(
            ip("[2001:db8::1]"),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(ip("fe80::1%eth0"), "fe80::1".parse::<IpAddr>().unwrap());
        for bad in [
            "",
            "10.0.0",
            "10.0.0.256",
            "example.lg.jp",
            "10.0.0.1:443",
            "::g",
        ] {
            assert_eq!(parse_ip(bad), None, "{bad}");
        }
    }

    #[test]
    fn containment_v4_v6_and_mapped() {
        let net = |t: &str| parse_cidr(t).unwrap();
        assert!(net_contains(&net("10.20.0.0/16"), ip("10.20.1.15")));
        assert!(!net_contains(&net("10.20.0.0/16"), ip("10.21.0.1")));
        assert!(net_contains(&net("10.20.0.0/16"), ip("::ffff:10.20.9.9")));
        assert!(net_contains(&net("2001:db8::/32"), ip("2001:db8:1::5")));
        assert!(!net_contains(&net("2001:db8::/32"), ip("10.20.1.15")));
        assert!(!net_contains(&net("10.0.0.0/8"), ip("2001:db8::1")));
        assert!(net_contains(&net("::ffff:10.0.0.0/104"), ip("10.1.2.3")));
        assert!(net_contains(&net("192.0.2.7"), ip("192.0.2.7")));
        assert!(!net_contains(&net("192.0.2.7"), ip("192.0.2.8")));
        assert!(net_contains(&net("0.0.0.0/0"), ip("203.0.113.5")));
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("lgwan"), None);
    }

    #[test]
    fn private_ranges() {
        for private in [
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.10.5",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "::1",
            "fd12:3456::1",
            "fc00::1",
            "fe80::1",
            "febf::1",
            "::ffff:192.168.1.1",
        ] {
            assert!(is_private(ip(private)), "{private}");
        }
        for public in [
            "172.32.0.1",
            "100.128.0.1",
            "100.63.255.255",
            "8.8.8.8",
            "203.0.113.5",
            "2001:db8::1",
            "2404:6800::1",
            "fec0::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_private(ip(public)), "{public}");
        }
    }
}
