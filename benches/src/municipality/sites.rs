//! The internet as seen from the internet zone: the sites staff reach, each
//! pinned to one documentation address so proxy and firewall logs agree.

/// A host name and the address it resolves to.
#[derive(Debug)]
pub(super) struct Site {
    pub(super) host: &'static str,
    pub(super) ip: &'static str,
}

const fn site(host: &'static str, ip: &'static str) -> Site {
    Site { host, ip }
}

/// The city's own public web site.
pub(super) const CITY_WEB: Site = site("www.city.sakuragaoka.example", "203.0.113.10");

/// Ministries, agencies and other local governments, used all day for work.
pub(super) const GOVERNMENT: [Site; 12] = [
    site("www.e-gov.go.jp", "203.0.113.20"),
    site("www.soumu.go.jp", "203.0.113.21"),
    site("www.digital.go.jp", "203.0.113.22"),
    site("www.jma.go.jp", "203.0.113.23"),
    site("www.mhlw.go.jp", "203.0.113.24"),
    site("www.j-lis.go.jp", "203.0.113.25"),
    site("www.cao.go.jp", "203.0.113.26"),
    site("www.fdma.go.jp", "203.0.113.27"),
    site("www.pref.osaka.lg.jp", "203.0.113.30"),
    site("www.city.yokohama.lg.jp", "203.0.113.31"),
    site("www.city.osaka.lg.jp", "203.0.113.32"),
    site("www.city.fukuoka.lg.jp", "203.0.113.33"),
];

/// Search, translation and portals.
pub(super) const GENERAL: [Site; 3] = [
    site("www.google.com", "198.51.100.40"),
    site("www.yahoo.co.jp", "198.51.100.41"),
    site("www.deepl.com", "198.51.100.42"),
];

/// News sites.
pub(super) const NEWS: [Site; 5] = [
    site("www3.nhk.or.jp", "198.51.100.50"),
    site("www.nikkei.com", "198.51.100.51"),
    site("www.asahi.com", "198.51.100.52"),
    site("mainichi.jp", "198.51.100.53"),
    site("www.yomiuri.co.jp", "198.51.100.54"),
];

/// Microsoft 365 and web meetings: these bypass the proxy and go straight
/// out through the firewall, each with the firewall's application name.
pub(super) const DIRECT_CLOUD: [(Site, &str); 4] = [
    (
        site("login.microsoftonline.com", "198.51.100.60"),
        "Microsoft.Portal",
    ),
    (
        site("outlook.office365.com", "198.51.100.61"),
        "Microsoft.Outlook",
    ),
    (
        site("teams.microsoft.com", "198.51.100.62"),
        "Microsoft.Teams",
    ),
    (site("zoom.us", "198.51.100.63"), "Zoom"),
];

const WINDOWS_UPDATE: Site = site("ctldl.windowsupdate.com", "198.51.100.70");

/// Plain-HTTP fetches the proxy lets through without authentication:
/// `(site, path, content type, typical size in bytes)`.
pub(super) const PLAIN_HTTP: [(Site, &str, &str, u32); 7] = [
    (CITY_WEB, "/index.html", "text/html", 18_000),
    (CITY_WEB, "/kurashi/gomi/index.html", "text/html", 24_000),
    (CITY_WEB, "/css/style.css", "text/css", 9_000),
    (CITY_WEB, "/img/logo.png", "image/png", 14_000),
    (
        WINDOWS_UPDATE,
        "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab",
        "application/vnd.ms-cab-compressed",
        6_000,
    ),
    (
        WINDOWS_UPDATE,
        "/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
        "application/vnd.ms-cab-compressed",
        90_000,
    ),
    (
        site("www.msftconnecttest.com", "198.51.100.72"),
        "/connecttest.txt",
        "text/plain",
        22,
    ),
];

/// Hosts in categories the proxy blocks (file sharing, gambling, proxy
/// avoidance, P2P, personal webmail).
pub(super) const BLOCKED: [&str; 6] = [
    "gigafile.nu",
    "firestorage.jp",
    "www.casino-lucky.example",
    "free-vpn-proxy.example.net",
    "torrent-index.example.org",
    "webmail.freemail.example.com",
];

/// An unapproved cloud storage service the proxy does not (yet) block.
pub(super) const UNAPPROVED_STORAGE: Site = site("files.example-storage.com", "198.51.100.80");
