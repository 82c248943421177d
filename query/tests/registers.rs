//! Registers: the shipped example files and starter catalog load, their
//! tables answer detection-style SQL, and bad files get clear errors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bannin_ingest::Lake;
use bannin_query::arrow::array::{RecordBatch, StringArray};
use bannin_query::arrow::datatypes::{DataType, Field, Schema};
use bannin_query::registers::{self, Registers};
use bannin_query::rows::to_json_rows;
use bannin_query::{QuerySession, SessionOptions, TenantScope};
use datafusion::datasource::MemTable;
use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/registers")
}

/// A directory holding one register file with `contents`.
fn dir_with(name: &str, contents: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), contents).unwrap();
    dir
}

fn load_error(name: &str, contents: &[u8]) -> String {
    let dir = dir_with(name, contents);
    match registers::load_dir(dir.path()) {
        Ok(_) => panic!("{name} loaded without error"),
        Err(e) => e.to_string(),
    }
}

/// A session over an empty lake with the example registers and a small
/// proxy log of one morning in 桜丘市.
async fn session() -> (tempfile::TempDir, QuerySession) {
    let dir = tempfile::tempdir().unwrap();
    let registers = registers::load_dir(&examples()).unwrap();
    let options = SessionOptions {
        scope: TenantScope::tenants(["sakuragaoka"]).unwrap(),
        registers,
        ..SessionOptions::default()
    };
    let session = QuerySession::open_with(&Lake::new(dir.path().join("lake")), &options).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("src_ip", DataType::Utf8, false),
        Field::new("department", DataType::Utf8, false),
        Field::new("url_host", DataType::Utf8, false),
    ]));
    let rows = [
        ("10.20.1.21", "総務課", "gigafile.nu"),
        ("10.20.1.22", "総務課", "xgf.nu"),
        ("10.20.1.23", "総務課", "sakuragaoka.app.box.com"),
        ("10.20.2.40", "企画課", "sakuragaoka.app.box.com"),
        ("10.20.2.41", "情報政策課", "www.dropbox.com"),
        ("10.20.2.42", "国際交流課", "www.deepl.com"),
        ("10.20.2.43", "観光課", "chatgpt.com"),
        ("10.20.2.44", "総務課", "files.oaiusercontent.com"),
        ("10.20.2.45", "総務課", "www.city.sakuragaoka.example.lg.jp"),
        ("10.20.2.46", "総務課", "momijidai.drive.google.com"),
        ("10.20.2.47", "総務課", "drive.google.com"),
    ];
    let column = |values: Vec<&str>| Arc::new(StringArray::from(values)) as _;
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            column(rows.iter().map(|r| r.0).collect()),
            column(rows.iter().map(|r| r.1).collect()),
            column(rows.iter().map(|r| r.2).collect()),
        ],
    )
    .unwrap();
    session
        .context()
        .register_table(
            "proxy_fixture",
            Arc::new(MemTable::try_new(schema, vec![vec![batch]]).unwrap()),
        )
        .unwrap();
    (dir, session)
}

async fn rows(session: &QuerySession, sql: &str) -> Vec<serde_json::Map<String, Value>> {
    to_json_rows(&session.sql(sql).await.unwrap()).unwrap()
}

#[test]
fn shipped_examples_and_starter_catalog_load_cleanly() {
    let registers = registers::load_dir(&examples()).unwrap();
    assert!(registers.warnings.is_empty(), "{:?}", registers.warnings);
    assert_eq!(registers.approved_services.len(), 7);
    assert_eq!(registers.privileged_accounts.len(), 6);
    assert_eq!(registers.assets.len(), 11);
    assert_eq!(registers.contractors.len(), 4);
    assert_eq!(registers.business_calendar.len(), 8);
    let builtin = Registers::builtin().unwrap();
    assert!(
        builtin.saas_catalog.len() >= 150,
        "{}",
        builtin.saas_catalog.len()
    );
    // The local catalog adds one domain and replaces the starter's deepl.com row.
    assert_eq!(registers.saas_catalog.len(), builtin.saas_catalog.len() + 1);
    let deepl = registers
        .saas_catalog
        .iter()
        .find(|e| e.domain == "deepl.com")
        .unwrap();
    assert!(deepl.notes.as_deref().unwrap().contains("桜丘市"));
    for domain in [
        "gigafile.nu",
        "firestorage.jp",
        "chatwork.com",
        "line.me",
        "claude.ai",
        "chatgpt.com",
        "zoom.us",
        "mail.yahoo.co.jp",
    ] {
        assert!(
            builtin.saas_catalog.iter().any(|e| e.domain == domain),
            "{domain}"
        );
    }
    // Privileged account names are lower-cased; mixed allowed hosts split.
    let admin = registers
        .privileged_accounts
        .iter()
        .find(|a| a.account == "adm-tanaka")
        .unwrap();
    assert_eq!(admin.allowed_hosts, ["lg-admin01"]);
    assert_eq!(admin.allowed_cidrs, ["10.20.9.0/28"]);
    assert!(
        registers
            .privileged_accounts
            .iter()
            .any(|a| a.account == "lg\\administrator")
    );
}

#[tokio::test]
async fn shadow_it_join_finds_unapproved_services() {
    let (_dir, session) = session().await;
    // A host matches a catalog or approved domain when it is that domain or a
    // subdomain of it; the longest matching catalog domain wins.
    let found = rows(
        &session,
        "WITH seen AS (
           SELECT p.src_ip, p.department, p.url_host, c.service, c.category,
                  row_number() OVER (PARTITION BY p.src_ip, p.url_host ORDER BY length(c.domain) DESC) AS n
           FROM proxy_fixture p JOIN saas_catalog c
             ON p.url_host = c.domain OR p.url_host LIKE '%.' || c.domain)
         SELECT s.src_ip, s.url_host, s.service, s.category FROM seen s
         WHERE s.n = 1 AND NOT EXISTS (
           SELECT 1 FROM approved_services a
           WHERE (s.url_host = a.domain OR s.url_host LIKE '%.' || a.domain)
             AND (a.departments IS NULL OR array_has(a.departments, s.department))
             AND (a.valid_until IS NULL OR a.valid_until >= DATE '2025-11-20'))
         ORDER BY s.src_ip",
    )
    .await;
    let hosts: Vec<(&str, &str)> = found
        .iter()
        .map(|r| {
            (
                r["src_ip"].as_str().unwrap(),
                r["category"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hosts,
        [
            ("10.20.1.21", "file_sharing"),  // GigaFile便
            ("10.20.1.23", "file_sharing"),  // Box approved, but not for 総務課
            ("10.20.2.41", "file_sharing"),  // Dropbox
            ("10.20.2.43", "generative_ai"), // ChatGPT
            ("10.20.2.44", "generative_ai"), // ChatGPT file upload host
            ("10.20.2.46", "storage"),       // Google Drive: approved only for momijidai
            ("10.20.2.47", "storage"),
        ]
    );
    assert_eq!(found[0]["service"], "GigaFile便");
}

#[tokio::test]
async fn tables_have_typed_columns_and_tenant_scope() {
    let (_dir, session) = session().await;
    // One row per approved domain; other tenants' rows are not visible.
    let ms365 = rows(
        &session,
        "SELECT domain, departments, max_confidentiality, clickthrough, CAST(valid_until AS VARCHAR) AS until
         FROM approved_services WHERE service LIKE 'Microsoft 365%' ORDER BY domain",
    )
    .await;
    assert_eq!(ms365.len(), 5);
    assert_eq!(ms365[0]["domain"], "office.com");
    assert_eq!(ms365[0]["departments"], Value::Null);
    assert_eq!(ms365[0]["max_confidentiality"], 2);
    assert_eq!(ms365[0]["clickthrough"], false);
    assert_eq!(ms365[0]["until"], "2027-03-31");
    let tenants = rows(
        &session,
        "SELECT DISTINCT tenant FROM approved_services UNION SELECT DISTINCT tenant FROM assets",
    )
    .await;
    assert!(
        tenants.iter().all(|r| r["tenant"] != "momijidai"),
        "{tenants:?}"
    );
    // Most specific network first.
    let nets = rows(
        &session,
        "SELECT cidr, zone, department FROM assets WHERE cidr IS NOT NULL AND zone = 'lgwan' \
         ORDER BY prefix_len DESC, cidr LIMIT 2",
    )
    .await;
    assert_eq!(nets[0]["cidr"], "10.20.1.10/32");
    // The business calendar is queryable by date.
    let closed = rows(
        &session,
        "SELECT count(*) AS n FROM business_calendar WHERE kind = 'closed' \
         AND date BETWEEN DATE '2025-12-29' AND DATE '2026-01-03'",
    )
    .await;
    assert_eq!(closed[0]["n"], 5);
    // Contractors outside their period on a given day.
    let expired = rows(
        &session,
        "SELECT account FROM contractors WHERE DATE '2026-01-15' NOT BETWEEN valid_from AND valid_until ORDER BY account",
    )
    .await;
    let expired: Vec<&str> = expired
        .iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert_eq!(expired, ["nw-support", "vendor-ops01"]);
}

#[tokio::test]
async fn a_missing_register_is_an_empty_table() {
    let dir = dir_with("assets.csv", b"cidr,zone\n10.0.0.0/8,lgwan\n");
    let registers = registers::load_dir(dir.path()).unwrap();
    let lake_dir = tempfile::tempdir().unwrap();
    let options = SessionOptions {
        registers,
        ..SessionOptions::default()
    };
    let session =
        QuerySession::open_with(&Lake::new(lake_dir.path().join("lake")), &options).unwrap();
    let counts = rows(
        &session,
        "SELECT (SELECT count(*) FROM approved_services) AS approved,
                (SELECT count(*) FROM privileged_accounts) AS privileged,
                (SELECT count(*) FROM assets) AS assets,
                (SELECT count(*) FROM saas_catalog) > 150 AS catalog",
    )
    .await;
    assert_eq!(counts[0]["approved"], 0);
    assert_eq!(counts[0]["privileged"], 0);
    assert_eq!(counts[0]["assets"], 1);
    assert_eq!(counts[0]["catalog"], true);
}

#[test]
fn japanese_headers_bom_and_shift_jis_are_read() {
    let text = "サービス名,ドメイン,部署,有効期限,約款\n\
                Chatwork,WWW.Chatwork.com.;*.chatwork.jp;www.chatwork.com,総務課、企画課,2026/3/31,○\n";
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    let (shift_jis, _, errors) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!errors);
    for bytes in [text.as_bytes().to_vec(), with_bom, shift_jis.into_owned()] {
        let dir = dir_with("approved_services.csv", &bytes);
        let registers = registers::load_dir(dir.path()).unwrap();
        let service = &registers.approved_services[0];
        assert_eq!(service.service, "Chatwork");
        assert_eq!(service.domains, ["www.chatwork.com", "chatwork.jp"]);
        assert_eq!(service.departments, ["総務課", "企画課"]);
        assert_eq!(service.valid_until.unwrap().to_string(), "2026-03-31");
        assert!(service.clickthrough);
    }
}

#[test]
fn unknown_columns_and_files_are_warnings() {
    let dir = dir_with(
        "approved_services.csv",
        "service,domains,申請日\nBox,box.com,2025-01-01\n".as_bytes(),
    );
    std::fs::write(dir.path().join("approved_service.csv"), "x\n").unwrap();
    let registers = registers::load_dir(dir.path()).unwrap();
    assert_eq!(registers.approved_services.len(), 1);
    assert_eq!(registers.warnings.len(), 2, "{:?}", registers.warnings);
    assert!(registers.warnings.iter().any(|w| w.contains("申請日")));
    assert!(
        registers
            .warnings
            .iter()
            .any(|w| w.contains("approved_service.csv"))
    );
}

#[test]
fn bad_files_name_file_line_and_expectation() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "approved_services.csv",
            "service,domains,valid_until\nBox,box.com,2026-03-31\n\n# comment\nZoom,zoom.us,2025/13/01\n",
            "approved_services.csv:5: valid_until \"2025/13/01\" is not a date (YYYY-MM-DD)",
        ),
        (
            // A cell with a line break (Alt+Enter) still counts as its lines.
            "approved_services.csv",
            "service,domains,departments\nBox,box.com,\"総務課\n企画課\"\nZoom,zoom.us;zoom us,\n",
            "approved_services.csv:4: domains \"zoom us\" is not a domain name like box.com",
        ),
        (
            "assets.csv",
            "cidr,zone\n10.20.0.0/16,lgwan\n10.20.0.0/33,lgwan\n",
            "assets.csv:3: cidr \"10.20.0.0/33\" is not an IP address or CIDR network",
        ),
        (
            "assets.csv",
            "cidr,zone\n10.20.1.5/24,lgwan\n",
            "assets.csv:2: cidr \"10.20.1.5/24\" has host bits set (did you mean 10.20.1.0/24?)",
        ),
        (
            "assets.csv",
            "アドレス,系\n10.20.0.0/16,LGWAN接続系\n10.30.0.0/16,DMZ\n",
            "assets.csv:3: 系 \"DMZ\" is not a zone",
        ),
        (
            "privileged_accounts.csv",
            "owner,systems\n田中,AD\n",
            "privileged_accounts.csv: required column account is missing",
        ),
        (
            "privileged_accounts.csv",
            "特権ID,許可端末\nadm-tanaka,lg-admin01\nADM-Tanaka,10.0.0.0/8\n",
            "privileged_accounts.csv:3: duplicate account adm-tanaka for all tenants (first on line 2)",
        ),
        (
            "privileged_accounts.csv",
            "account,allowed_hosts\nroot,lg-admin01;10.20.9.300\n",
            "privileged_accounts.csv:2: allowed_hosts \"10.20.9.300\" is not an IP address or CIDR network",
        ),
        (
            "saas_catalog.csv",
            "domain,service,category\nexample.com,Example,filesharing\n",
            "saas_catalog.csv:2: category \"filesharing\" is not a category (one of file_sharing,",
        ),
        (
            "saas_catalog.csv",
            "domain,service,category\nhttps://box.com/x,Box,storage\n",
            "saas_catalog.csv:2: domain \"https://box.com/x\" is not a domain",
        ),
        (
            "contractors.csv",
            "account,company,valid_from,valid_until\nv1,例示株式会社,2025-04-01,2024-03-31\n",
            "contractors.csv:2: valid_from 2025-04-01 is after valid_until 2024-03-31",
        ),
        (
            "contractors.csv",
            "account,company,valid_from,valid_until\nv1,例示株式会社,,2026-03-31\n",
            "contractors.csv:2: valid_from is empty",
        ),
        (
            "business_calendar.csv",
            "date,kind\n2025-12-29,closed\n2025-12-29,閉庁日\n",
            "business_calendar.csv:3: duplicate date 2025-12-29 for all tenants (first on line 2)",
        ),
        (
            "approved_services.csv",
            "service,サービス名,domains\nBox,Box,box.com\n",
            "approved_services.csv: columns \"service\" and \"サービス名\" both mean service",
        ),
    ];
    for (name, contents, expected) in cases {
        let error = load_error(name, contents.as_bytes());
        assert!(
            error.starts_with(expected),
            "{name}: got `{error}`, expected `{expected}`"
        );
    }
}

#[test]
fn text_in_neither_utf8_nor_shift_jis_is_refused() {
    // 0xFF never occurs in UTF-8 or Shift_JIS.
    let error = load_error("assets.csv", b"cidr,zone\n10.0.0.0/8,\xFF\xFF\n");
    assert_eq!(
        error,
        "assets.csv: is neither UTF-8 nor Shift_JIS (save it as \"CSV UTF-8\" from Excel)"
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = registers::load_dir(&dir.path().join("nope"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("cannot read ") && error.contains("nope"),
        "{error}"
    );
}
