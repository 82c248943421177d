//! Linux netfilter packet logs (iptables/nftables `LOG`, ufw), which reach
//! syslog as kernel messages: `[UFW BLOCK] IN=eth0 OUT= MAC=… SRC=203.0.113.9
//! DST=10.40.0.5 LEN=60 … PROTO=TCP SPT=51234 DPT=22 …`.

use crate::SyslogRecord;
use crate::kv::{get, pairs};
use crate::record::FirewallRecord;

/// Returns the firewall event in a kernel syslog record, if it is one.
pub fn classify(record: &SyslogRecord) -> Option<FirewallRecord> {
    if record.app_name.as_deref() != Some("kernel") {
        return None;
    }
    let msg = record.message.as_str();
    let start = msg.find("IN=")?;
    let (prefix, fields) = msg.split_at(start);
    let kv = pairs(fields);
    let field = |key: &str| get(&kv, key).map(str::to_owned);
    let src_ip = field("SRC")?;
    let dst_ip = field("DST")?;
    let prefix = log_prefix(prefix);
    Some(FirewallRecord {
        time: record.time,
        host: record.host.clone(),
        log_type: Some("traffic".into()),
        subtype: Some("netfilter".into()),
        action: prefix.as_deref().and_then(action_of),
        src_ip: Some(src_ip),
        src_port: field("SPT").and_then(|v| v.parse().ok()),
        dst_ip: Some(dst_ip),
        dst_port: field("DPT").and_then(|v| v.parse().ok()),
        proto: field("PROTO").map(|p| p.to_ascii_lowercase()),
        bytes_in: None,
        bytes_out: field("LEN").and_then(|v| v.parse().ok()),
        rule: prefix,
        src_zone: field("IN"),
        dst_zone: field("OUT"),
        app: None,
        message: None,
    })
}

/// The `--log-prefix` text, without the kernel's `[uptime]` stamp.
fn log_prefix(text: &str) -> Option<String> {
    let text = text.trim();
    let text = match text.strip_prefix('[') {
        Some(rest)
            if rest
                .split_once(']')
                .is_some_and(|(t, _)| t.trim().parse::<f64>().is_ok()) =>
        {
            rest.split_once(']').map_or("", |(_, after)| after).trim()
        }
        _ => text,
    };
    let text = text.trim_end_matches([':', ' ']);
    (!text.is_empty()).then(|| text.to_owned())
}

/// The verdict a prefix names, by the words admins use in prefixes.
fn action_of(prefix: &str) -> Option<String> {
    let upper = prefix.to_ascii_uppercase();
    if ["BLOCK", "DROP", "REJECT", "DENY"]
        .iter()
        .any(|w| upper.contains(w))
    {
        Some("deny".into())
    } else if ["ALLOW", "ACCEPT"].iter().any(|w| upper.contains(w)) {
        Some("accept".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;

    #[test]
    fn ufw_block() {
        let r = classify(&record("Nov 22 03:00:00 inet-web01 kernel: [81234.567890] [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 SRC=203.0.113.9 DST=10.40.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=4242 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0")).unwrap();
        assert_eq!(r.host.as_deref(), Some("inet-web01"));
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!(r.rule.as_deref(), Some("[UFW BLOCK]"));
        assert_eq!(
            (r.src_ip.as_deref(), r.src_port),
            (Some("203.0.113.9"), Some(51234))
        );
        assert_eq!(
            (r.dst_ip.as_deref(), r.dst_port),
            (Some("10.40.0.5"), Some(22))
        );
        assert_eq!(r.proto.as_deref(), Some("tcp"));
        assert_eq!((r.src_zone.as_deref(), r.dst_zone), (Some("eth0"), None));
    }

    #[test]
    fn iptables_prefix_without_uptime_and_icmp() {
        let r = classify(&record("<4>Nov 22 03:00:00 lg-fw kernel: DROP-IN: IN=eth1 OUT=eth0 SRC=10.20.1.5 DST=8.8.8.8 LEN=84 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1")).unwrap();
        assert_eq!(r.rule.as_deref(), Some("DROP-IN"));
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!((r.proto.as_deref(), r.dst_port), (Some("icmp"), None));
    }

    #[test]
    fn other_kernel_lines_are_not_claimed() {
        for line in [
            "Nov 22 03:00:00 h kernel: eth0: link up",
            "Nov 22 03:00:00 h kernel: IN=eth0 OUT= no addresses",
            "Nov 22 03:00:00 h sshd[1]: IN=eth0 SRC=1.2.3.4 DST=5.6.7.8",
        ] {
            assert_eq!(classify(&record(line)), None, "{line}");
        }
    }
}
