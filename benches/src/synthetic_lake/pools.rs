//! The names and addresses rows are drawn from, built once per lake.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Staff terminals per municipality (10.<20+tenant>.<n/250>.<n%250+1>).
pub const CLIENTS_PER_TENANT: usize = 1_000;
/// Accounts per municipality.
pub const USERS_PER_TENANT: usize = 800;
/// Servers per municipality (10.<30+tenant>.0.<n+1>), where sshd and sudo run.
pub const SERVERS_PER_TENANT: usize = 40;
/// Web hosts staff visit, shared by every municipality.
pub const WEB_HOSTS: usize = 30_000;
/// Internet addresses reaching the firewalls (scanners, CDNs, peers).
pub const OUTSIDE_IPS: usize = 5_000;
/// Internet addresses that brute-force logins.
pub const ATTACKERS: usize = 150;

/// A staff terminal of the first municipality seen in every table: client
/// number 77.
pub const PROBE_IP: &str = "10.20.0.78";

/// Cloud storage and file-transfer hosts a shadow-IT filter looks for,
/// visited now and then.
pub const SHADOW_HOSTS: [&str; 6] = [
    "www.dropbox.com",
    "content.dropboxapi.com",
    "wetransfer.com",
    "mega.nz",
    "gigafile.nu",
    "firestorage.jp",
];

const WORDS: [&str; 24] = [
    "sakura", "kumo", "yama", "umi", "hana", "tori", "kaze", "mori", "sora", "hoshi", "tsuki",
    "kawa", "news", "shop", "media", "cloud", "mail", "data", "photo", "travel", "bank", "city",
    "game", "learn",
];
const SUFFIXES: [&str; 8] = [
    "com", "jp", "co.jp", "ne.jp", "lg.jp", "net", "org", "or.jp",
];
const LABELS: [&str; 6] = ["www", "cdn", "static", "api", "img", "m"];
const FAMILY: [&str; 16] = [
    "sato",
    "suzuki",
    "takahashi",
    "tanaka",
    "watanabe",
    "ito",
    "yamamoto",
    "nakamura",
    "kobayashi",
    "kato",
    "yoshida",
    "yamada",
    "sasaki",
    "yamaguchi",
    "matsumoto",
    "inoue",
];

/// Every pool, by index.
#[derive(Debug)]
pub struct Pools {
    /// `clients[tenant][n]`.
    pub clients: Vec<Vec<String>>,
    pub users: Vec<Vec<String>>,
    pub servers: Vec<Vec<String>>,
    pub hosts: Vec<String>,
    pub outside: Vec<String>,
    pub attackers: Vec<String>,
}

impl Pools {
    pub fn new(seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let tenants = super::TENANTS.len();
        let clients = (0..tenants)
            .map(|t| {
                (0..CLIENTS_PER_TENANT)
                    .map(|n| format!("10.{}.{}.{}", 20 + t, n / 250, n % 250 + 1))
                    .collect()
            })
            .collect();
        let users = (0..tenants)
            .map(|t| {
                (0..USERS_PER_TENANT)
                    .map(|n| format!("{}{n:03}-{t}", FAMILY[n % FAMILY.len()]))
                    .collect()
            })
            .collect();
        let servers = (0..tenants)
            .map(|t| {
                (0..SERVERS_PER_TENANT)
                    .map(|n| format!("10.{}.0.{}", 30 + t, n + 1))
                    .collect()
            })
            .collect();
        let hosts = (0..WEB_HOSTS)
            .map(|n| {
                let label = LABELS[rng.random_range(0..LABELS.len())];
                let word = WORDS[n % WORDS.len()];
                let suffix = SUFFIXES[rng.random_range(0..SUFFIXES.len())];
                format!("{label}.{word}{n}.{suffix}")
            })
            .collect();
        let outside = (0..OUTSIDE_IPS)
            .map(|n| format!("198.{}.{}.{}", 18 + n / 60_000, n / 240 % 250, n % 240 + 2))
            .collect();
        let attackers = (0..ATTACKERS)
            .map(|n| format!("203.0.{}.{}", 113 + n / 100, n % 100 + 10))
            .collect();
        Self {
            clients,
            users,
            servers,
            hosts,
            outside,
            attackers,
        }
    }
}

/// An index in `0..len` where low indexes are much likelier (a few popular
/// sites and busy terminals, a long tail): the cube of a uniform draw.
pub fn skewed(rng: &mut SmallRng, len: usize) -> usize {
    let u: f64 = rng.random();
    ((u * u * u) * len as f64) as usize % len.max(1)
}
