//! Sources: which appliance a received record came from, and how to read
//! it. A source names the listener and sender addresses it covers, and
//! sets the tenant, format, time zone, character set and zone (segment)
//! of its records; anything unset comes from the defaults. A sender no
//! source covers is its own source, named by its address, read with the
//! defaults.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::ImportOptions;

/// The listener a record arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    SyslogUdp,
    SyslogTcp,
    SyslogTls,
    Relp,
    Http,
}

impl Listener {
    pub const NAMES: [&'static str; 5] = ["syslog-udp", "syslog-tcp", "syslog-tls", "relp", "http"];

    /// The name configuration and the API use.
    pub fn name(self) -> &'static str {
        match self {
            Listener::SyslogUdp => "syslog-udp",
            Listener::SyslogTcp => "syslog-tcp",
            Listener::SyslogTls => "syslog-tls",
            Listener::Relp => "relp",
            Listener::Http => "http",
        }
    }
}

impl FromStr for Listener {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "syslog-udp" => Ok(Listener::SyslogUdp),
            "syslog-tcp" => Ok(Listener::SyslogTcp),
            "syslog-tls" => Ok(Listener::SyslogTls),
            "relp" => Ok(Listener::Relp),
            "http" => Ok(Listener::Http),
            other => Err(format!(
                "unknown listener `{other}` (expected one of {})",
                Listener::NAMES.join(", ")
            )),
        }
    }
}

/// One configured source.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    /// Only records on this listener (any listener when `None`).
    pub listener: Option<Listener>,
    /// Sender addresses or networks it covers (none: only by name, e.g.
    /// HTTP `?source=`).
    pub senders: Vec<IpNet>,
    /// How its records are read and where they go.
    pub options: ImportOptions,
}

/// Every configured source, and the defaults for the others.
#[derive(Debug, Clone)]
pub struct Sources {
    sources: Vec<Source>,
    defaults: ImportOptions,
}

impl Sources {
    pub fn new(sources: Vec<Source>, defaults: ImportOptions) -> Self {
        Self { sources, defaults }
    }

    /// The source name of a record from `peer` on `listener`: the first
    /// configured source that covers both, else the address itself.
    pub fn resolve(&self, listener: Listener, peer: IpAddr) -> String {
        let peer = peer.to_canonical();
        self.sources
            .iter()
            .find(|s| {
                s.listener.is_none_or(|l| l == listener)
                    && s.senders.iter().any(|net| net.contains(&peer))
            })
            .map_or_else(|| peer.to_string(), |s| s.name.clone())
    }

    /// How to read the records of the source `name`.
    pub fn options(&self, name: &str) -> ImportOptions {
        match self.sources.iter().find(|s| s.name == name) {
            Some(source) => ImportOptions {
                source: Some(source.name.clone()),
                ..source.options.clone()
            },
            None => ImportOptions {
                source: Some(name.to_owned()),
                ..self.defaults.clone()
            },
        }
    }
}

/// A sender address or network: `10.40.0.1` or `10.40.0.0/24`.
pub fn parse_sender(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an IP address or CIDR network"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    fn sources() -> Sources {
        let defaults = ImportOptions::new(Format::Auto, "sakuragaoka");
        let fw = Source {
            name: "fw-lgwan01".into(),
            listener: Some(Listener::SyslogTcp),
            senders: vec![parse_sender("10.40.0.1").unwrap()],
            options: ImportOptions {
                segment: Some("lgwan".into()),
                ..ImportOptions::new(Format::Fortigate, "sakuragaoka")
            },
        };
        let branch = Source {
            name: "branch-routers".into(),
            listener: None,
            senders: vec![parse_sender("192.168.100.0/24").unwrap()],
            options: ImportOptions::new(Format::Rtx, "momiji"),
        };
        Sources::new(vec![fw, branch], defaults)
    }

    #[test]
    fn senders_and_listeners_pick_the_source() {
        let s = sources();
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        assert_eq!(
            s.resolve(Listener::SyslogTcp, ip("10.40.0.1")),
            "fw-lgwan01"
        );
        assert_eq!(
            s.resolve(Listener::SyslogUdp, ip("10.40.0.1")),
            "10.40.0.1",
            "other listener"
        );
        assert_eq!(
            s.resolve(Listener::Relp, ip("192.168.100.7")),
            "branch-routers"
        );
        assert_eq!(
            s.resolve(Listener::SyslogUdp, ip("::ffff:192.168.100.8")),
            "branch-routers",
            "IPv4-mapped IPv6 senders match their IPv4 network"
        );
        assert_eq!(
            s.resolve(Listener::SyslogUdp, ip("203.0.113.5")),
            "203.0.113.5"
        );
    }

    #[test]
    fn options_follow_the_source() {
        let s = sources();
        let fw = s.options("fw-lgwan01");
        assert_eq!(
            (fw.format, fw.segment.as_deref()),
            (Format::Fortigate, Some("lgwan"))
        );
        assert_eq!(s.options("branch-routers").tenant, "momiji");
        let other = s.options("203.0.113.5");
        assert_eq!(
            (other.format, other.tenant.as_str()),
            (Format::Auto, "sakuragaoka")
        );
        assert_eq!(other.source.as_deref(), Some("203.0.113.5"));
        assert!(parse_sender("10.0.0.0/33").is_err());
        assert!(
            "ftp"
                .parse::<Listener>()
                .unwrap_err()
                .contains("syslog-udp")
        );
    }
}
