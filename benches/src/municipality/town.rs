//! The fictional 桜ヶ丘市: its hosts, accounts and address plan.
//!
//! | range | zone |
//! |---|---|
//! | 10.10.0.0/16 | マイナンバー利用事務系: servers 10.10.0.x, terminals 10.10.1.x |
//! | 10.20.0.0/16 | LGWAN接続系 staff terminals 10.20.1.x, administrators' terminals 10.20.9.2-3 (lg-admin01/02) |
//! | 10.30.0.0/16 | LGWAN接続系 servers 10.30.0.x (10.30.5.77 is the attacker's foothold) |
//! | 10.40.0.0/16 | インターネット接続系: servers 10.40.0.x, terminals 10.40.1.x (10.40.1.5 is the firewall admin console, 10.40.1.101-110 clerks) |
//! | 192.0.2.10 | the city's address on the internet (security-cloud egress) |
//! | 198.51.100.0/24, 203.0.113.0/24 | the internet |

/// The municipality's mail domain.
pub(super) const MAIL_DOMAIN: &str = "city.sakuragaoka.example";

/// The prefecture's security-cloud mail relay all outbound mail goes through.
pub(super) const SECURITY_CLOUD_RELAY: &str = "relay.seccloud.pref.example[10.99.0.25]:25";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Zone {
    MyNumber,
    Lgwan,
    Internet,
}

impl Zone {
    /// The /24 the zone's staff terminals sit in.
    fn terminal_net(self) -> &'static str {
        match self {
            Zone::MyNumber => "10.10.1",
            Zone::Lgwan => "10.20.1",
            Zone::Internet => "10.40.1",
        }
    }

    /// The address of terminal number `octet` in this zone.
    pub(super) fn terminal(self, octet: u8) -> String {
        format!("{}.{octet}", self.terminal_net())
    }
}

/// How a host frames the syslog it forwards.
#[derive(Debug, Clone, Copy)]
pub(super) enum Wire {
    Rfc3164,
    Rfc5424 {
        structured_data: Option<&'static str>,
    },
}

#[derive(Debug)]
pub(super) struct Host {
    pub(super) name: &'static str,
    pub(super) ip: &'static str,
    pub(super) zone: Zone,
    pub(super) wire: Wire,
    /// What an administrator runs with sudo on this host.
    pub(super) admin_commands: &'static [&'static str],
}

const LGWAN_SD: Wire = Wire::Rfc5424 {
    structured_data: Some(r#"[meta@32473 zone="lgwan"]"#),
};
const INTERNET_SD: Wire = Wire::Rfc5424 {
    structured_data: Some(r#"[meta@32473 zone="internet"]"#),
};

pub(super) const MN_APP01: &Host = &Host {
    name: "mn-app01",
    ip: "10.10.0.11",
    zone: Zone::MyNumber,
    wire: Wire::Rfc3164,
    admin_commands: &["/usr/bin/journalctl -u juki-batch --since today"],
};
pub(super) const MN_DB01: &Host = &Host {
    name: "mn-db01",
    ip: "10.10.0.12",
    zone: Zone::MyNumber,
    wire: Wire::Rfc3164,
    admin_commands: &[
        "/usr/bin/df -h /var/lib/postgresql",
        "/usr/bin/systemctl status postgresql",
    ],
};
pub(super) const LG_FILE01: &Host = &Host {
    name: "lg-file01",
    ip: "10.30.0.11",
    zone: Zone::Lgwan,
    wire: Wire::Rfc3164,
    admin_commands: &["/usr/bin/smbstatus", "/usr/bin/df -h /srv/share"],
};
pub(super) const LG_AD01: &Host = &Host {
    name: "lg-ad01",
    ip: "10.30.0.12",
    zone: Zone::Lgwan,
    wire: Wire::Rfc5424 {
        structured_data: None,
    },
    admin_commands: &[
        "/usr/bin/samba-tool dbcheck",
        "/usr/bin/samba-tool user list",
    ],
};
/// The LGWAN-side mail server staff send and receive through.
pub(super) const LG_MAIL01: &Host = &Host {
    name: "lg-mail01",
    ip: "10.30.0.14",
    zone: Zone::Lgwan,
    wire: Wire::Rfc3164,
    admin_commands: &[],
};
pub(super) const LG_WEB01: &Host = &Host {
    name: "lg-web01",
    ip: "10.30.0.13",
    zone: Zone::Lgwan,
    wire: LGWAN_SD,
    admin_commands: &[
        "/usr/bin/systemctl restart httpd",
        "/usr/bin/tail -n 200 /var/log/httpd/error_log",
    ],
};
pub(super) const INET_PROXY01: &Host = &Host {
    name: "inet-proxy01",
    ip: "10.40.0.11",
    zone: Zone::Internet,
    wire: INTERNET_SD,
    admin_commands: &["/usr/bin/systemctl restart named", "/usr/sbin/rndc flush"],
};
pub(super) const INET_MAIL01: &Host = &Host {
    name: "inet-mail01",
    ip: "10.40.0.12",
    zone: Zone::Internet,
    wire: Wire::Rfc3164,
    admin_commands: &[
        "/usr/sbin/postqueue -p",
        "/usr/bin/systemctl restart postfix",
    ],
};
/// The internet-zone firewall appliance (syslog only, no shell).
pub(super) const INET_FW01: &Host = &Host {
    name: "inet-fw01",
    ip: "10.40.0.1",
    zone: Zone::Internet,
    wire: INTERNET_SD,
    admin_commands: &[],
};

/// Every Linux server (each runs sshd, cron and systemd).
pub(super) const SERVERS: [&Host; 7] = [
    MN_APP01,
    MN_DB01,
    LG_FILE01,
    LG_AD01,
    LG_WEB01,
    INET_PROXY01,
    INET_MAIL01,
];

#[derive(Debug, Clone, Copy)]
pub(super) enum Method {
    Password,
    PublicKey,
}

impl Method {
    pub(super) fn label(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::PublicKey => "publickey",
        }
    }
}

#[derive(Debug)]
pub(super) struct Account {
    pub(super) name: &'static str,
    pub(super) uid: u32,
    /// Last octet of the account's terminal in every zone.
    pub(super) terminal: u8,
    pub(super) method: Method,
    /// Servers the account logs in to.
    pub(super) hosts: &'static [&'static Host],
    /// Office-hours SSH sessions per day.
    pub(super) sessions: u32,
    /// Runs sudo during some sessions.
    pub(super) sudoer: bool,
    /// Mistypes the password once in five of the day's sessions.
    pub(super) forgetful: bool,
}

pub(super) const STAFF: [Account; 6] = [
    Account {
        name: "tanaka",
        uid: 1001,
        terminal: 15,
        method: Method::Password,
        hosts: &[LG_WEB01, LG_FILE01, INET_PROXY01],
        sessions: 6,
        sudoer: true,
        forgetful: false,
    },
    Account {
        name: "suzuki",
        uid: 1002,
        terminal: 21,
        method: Method::Password,
        hosts: &[MN_APP01, MN_DB01],
        sessions: 5,
        sudoer: false,
        forgetful: false,
    },
    Account {
        name: "sato",
        uid: 1003,
        terminal: 34,
        method: Method::Password,
        hosts: &[LG_FILE01, LG_AD01],
        sessions: 7,
        sudoer: false,
        forgetful: true,
    },
    Account {
        name: "takahashi",
        uid: 1004,
        terminal: 42,
        method: Method::PublicKey,
        hosts: &[INET_MAIL01, INET_PROXY01],
        sessions: 5,
        sudoer: false,
        forgetful: false,
    },
    Account {
        name: "ito",
        uid: 1005,
        terminal: 57,
        method: Method::Password,
        hosts: &[MN_APP01],
        sessions: 4,
        sudoer: false,
        forgetful: false,
    },
    Account {
        name: "yamamoto",
        uid: 1006,
        terminal: 63,
        method: Method::Password,
        hosts: &[LG_WEB01, LG_FILE01],
        sessions: 4,
        sudoer: false,
        forgetful: false,
    },
];

/// The operations account (a registered 特権ID); keys only, office hours only.
pub(super) const OPS: Account = Account {
    name: "opsadmin",
    uid: 1100,
    terminal: 200,
    method: Method::PublicKey,
    hosts: &SERVERS,
    sessions: 8,
    sudoer: true,
    forgetful: false,
};

/// Someone working at an internet-zone terminal.
#[derive(Debug, Clone, Copy)]
pub(super) struct Desk {
    pub(super) user: &'static str,
    /// Last octet of the terminal in 10.40.1.0/24.
    pub(super) terminal: u8,
}

impl Desk {
    pub(super) fn ip(self) -> String {
        Zone::Internet.terminal(self.terminal)
    }
}

impl From<&Account> for Desk {
    fn from(account: &Account) -> Self {
        Self {
            user: account.name,
            terminal: account.terminal,
        }
    }
}

/// Staff with an internet-zone terminal but no server accounts.
pub(super) const CLERKS: [Desk; 10] = [
    Desk {
        user: "watanabe",
        terminal: 101,
    },
    Desk {
        user: "nakamura",
        terminal: 102,
    },
    Desk {
        user: "kobayashi",
        terminal: 103,
    },
    Desk {
        user: "kato",
        terminal: 104,
    },
    Desk {
        user: "yoshida",
        terminal: 105,
    },
    Desk {
        user: "yamada",
        terminal: 106,
    },
    Desk {
        user: "sasaki",
        terminal: 107,
    },
    Desk {
        user: "matsumoto",
        terminal: 108,
    },
    Desk {
        user: "inoue",
        terminal: 109,
    },
    Desk {
        user: "kimura",
        terminal: 110,
    },
];

/// The terminal the firewall is administered from (10.40.1.5).
pub(super) const FW_ADMIN_CONSOLE: u8 = 5;

/// Where the injected attack comes from: an LGWAN machine, not a terminal.
pub(super) const ATTACKER_IP: &str = "10.30.5.77";

/// The administrators' terminals in LGWAN (`name`, address): the only
/// places registered privileged IDs may be used from.
pub(super) const ADMIN_TERMINALS: [(&str, &str); 2] =
    [("lg-admin01", "10.20.9.2"), ("lg-admin02", "10.20.9.3")];

/// The city's address on the internet, as cloud services see it.
pub(super) const INTERNET_EGRESS: &str = "192.0.2.10";

/// The newsletter (メールマガジン) server: an approved bulk sender.
pub(super) const NEWSLETTER_HOST: (&str, &str) = ("lg-mlist01", "10.30.0.21");
pub(super) const NEWSLETTER_SENDER: &str = "magazine@city.sakuragaoka.example";

/// The LGWAN-side proxy for approved cloud services (α' local breakout).
pub(super) const LG_PROXY01: &str = "lg-proxy01";

/// The Microsoft 365 tenant's break-glass global administrator.
pub(super) const CLOUD_ADMIN: &str = "admin@sakuragaoka-city.onmicrosoft.com";

/// Registered privileged IDs (特権ID) for server work besides `root`.
pub(super) const SHARED_ADMIN: &str = "svadmin";
