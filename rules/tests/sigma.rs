//! Sigma import: rules written in the SigmaHQ style, compiled to SQL and run
//! over a lake built from proxy and auth log lines.

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::QuerySession;
use bannin_query::rows::to_json_rows;
use bannin_rules::sigma::{CompiledSigma, SigmaError, compile, to_pack_toml};
use chrono::{DateTime, Utc};

const PROXY: &[&str] = &[
    // 0: Telegram API from a script → telegram rule
    r#"10.40.2.8 - - [23/Nov/2026:10:00:01 +0900] "GET https://api.telegram.org/bot1234:AAE/sendMessage HTTP/1.1" 200 830 "-" "python-requests/2.31.0" TCP_MISS:HIER_DIRECT"#,
    // 1: the Telegram client itself → filtered out
    r#"10.40.2.9 - - [23/Nov/2026:10:00:02 +0900] "GET https://api.telegram.org/file/x HTTP/1.1" 200 830 "-" "TelegramBot (like TwitterBot)" TCP_MISS:HIER_DIRECT"#,
    // 2, 3: PowerShell downloading, twice from one PC
    r#"10.40.3.21 - - [23/Nov/2026:10:05:00 +0900] "GET http://files.example.net/stage2.ps1 HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (Windows NT; Windows NT 10.0; ja-JP) WindowsPowerShell/5.1.19041.3031" TCP_MISS:HIER_DIRECT"#,
    r#"10.40.3.21 - - [23/Nov/2026:10:06:00 +0900] "GET http://files.example.net/stage3.ps1 HTTP/1.1" 404 120 "-" "Mozilla/5.0 (Windows NT; Windows NT 10.0; ja-JP) WindowsPowerShell/5.1.19041.3031" TCP_MISS:HIER_DIRECT"#,
    // 4: LIKE wildcards in the data: `a_b` literally, and `100%`
    r#"10.40.4.1 - - [23/Nov/2026:10:10:00 +0900] "GET http://shop.example.jp/sale/a_b/100%25off HTTP/1.1" 200 10 "-" "Mozilla/5.0" TCP_MISS:HIER_DIRECT"#,
    // 5: look-alikes that a wrongly escaped pattern would match
    r#"10.40.4.2 - - [23/Nov/2026:10:10:01 +0900] "GET http://shop.example.jp/sale/axb/1000-25off HTTP/1.1" 200 10 "-" "Mozilla/5.0" TCP_MISS:HIER_DIRECT"#,
    // 6: a quote, a backslash and braces
    r#"10.40.4.3 - - [23/Nov/2026:10:10:02 +0900] "GET http://docs.example.jp/C:\Windows\Temp/{evil} HTTP/1.1" 200 10 "-" "O'Reilly-Fetcher/1.0" TCP_MISS:HIER_DIRECT"#,
    // 7: windash: an installer run with `/quiet`
    r#"10.40.5.5 - - [23/Nov/2026:10:20:00 +0900] "GET http://upd.example.jp/setup.exe?x=1 HTTP/1.1" 503 10 "-" "setup.exe /quiet" TCP_MISS:HIER_DIRECT"#,
    // 8: curl, for re and cidr
    r#"192.0.2.50 - - [23/Nov/2026:10:30:00 +0900] "POST https://upload.example.com/api/files HTTP/1.1" 200 830 "-" "curl/8.5.0" TCP_MISS:HIER_DIRECT"#,
];

const AUTH: &[&str] = &[
    // sudo with a negative user id (CVE-2019-14287)
    "Nov 23 09:00:00 lg-file01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=#-1 ; COMMAND=/bin/bash",
    // ordinary sudo
    "Nov 23 09:01:00 lg-file01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
    // sshd: an invalid user, twice from one address
    "Nov 23 09:10:00 lg-web01 sshd[101]: Failed password for invalid user oracle from 203.0.113.5 port 40001 ssh2",
    "Nov 23 09:10:05 lg-web01 sshd[102]: Failed password for invalid user oracle from 203.0.113.5 port 40002 ssh2",
    "Nov 23 09:20:00 lg-web01 sshd[103]: Accepted publickey for deploy from 10.20.1.9 port 50000 ssh2",
];

const CLOUD: &[&str] = &[
    // CloudTrail: a denied StopLogging by one role, a DeleteTrail by another
    r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::210987654321:assumed-role/dev/suzuki","accountId":"210987654321"},"eventTime":"2026-11-23T01:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"ap-northeast-1","sourceIPAddress":"198.51.100.20","userAgent":"aws-cli/2.22.0","errorCode":"AccessDenied","errorMessage":"User: suzuki is not authorized to perform: cloudtrail:StopLogging","requestParameters":{"name":"org-trail"},"responseElements":null,"eventID":"e-stop","recipientAccountId":"210987654321"}"#,
    r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::210987654321:assumed-role/admin/sato","accountId":"210987654321"},"eventTime":"2026-11-23T01:05:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","awsRegion":"ap-northeast-1","sourceIPAddress":"198.51.100.21","userAgent":"aws-cli/2.22.0","requestParameters":{"name":"org-trail"},"responseElements":null,"eventID":"e-delete","recipientAccountId":"210987654321"}"#,
    // Entra sign-in interrupted by MFA
    r#"{"time":"2026-11-23T02:00:00Z","resourceId":"/tenants/5f0e2a31/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","tenantId":"5f0e2a31","resultType":"50074","resultDescription":"Strong Authentication is required.","callerIpAddress":"203.0.113.44","properties":{"id":"s1","createdDateTime":"2026-11-23T02:00:00Z","userPrincipalName":"kimura@city.sakuragaoka.lg.jp","appDisplayName":"Office 365 Exchange Online","status":{"errorCode":50074,"failureReason":"Strong Authentication is required."}}}"#,
];

fn lake() -> (tempfile::TempDir, Lake) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let options = ImportOptions {
        max_line_bytes: 4096,
        ..ImportOptions::new(Format::Auto, "sakuragaoka")
    };
    let reference: DateTime<Utc> = "2026-11-24T00:00:00Z".parse().unwrap();
    let mut importer = Importer::new(&lake, options).unwrap();
    importer
        .import_reader(PROXY.join("\n").as_bytes(), "access.log", reference)
        .unwrap();
    importer
        .import_reader(AUTH.join("\n").as_bytes(), "auth.log", reference)
        .unwrap();
    importer
        .import_reader(CLOUD.join("\n").as_bytes(), "cloud.ndjson", reference)
        .unwrap();
    importer.finish().unwrap();
    (dir, lake)
}

/// Runs a compiled rule over the whole of 2026-11-23 (JST) and returns its
/// rows as (identity value, event_count), sorted.
async fn run(session: &QuerySession, rule: &CompiledSigma) -> Vec<(String, i64)> {
    let sql = rule
        .sql
        .replace("{window_start}", "TIMESTAMP '2026-11-22T15:00:00Z'")
        .replace("{window_end}", "TIMESTAMP '2026-11-23T15:00:00Z'");
    let batches = session
        .sql(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}\n{sql}", rule.id));
    let identity = rule.group.last().unwrap();
    let mut rows: Vec<(String, i64)> = to_json_rows(&batches)
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row[identity.as_str()].as_str().unwrap_or("").to_owned(),
                row["event_count"].as_i64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn proxy_rule(detection: &str) -> CompiledSigma {
    let yaml = format!(
        "title: Test proxy rule\nid: 6f1d2a7e-0000-4000-8000-000000000001\nlogsource:\n    category: proxy\ndetection:\n{detection}\nlevel: medium\n"
    );
    compile(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn auth_rule(service: &str, detection: &str) -> CompiledSigma {
    let yaml = format!(
        "title: Test auth rule\nlogsource:\n    product: linux\n    service: {service}\ndetection:\n{detection}\nlevel: high\n"
    );
    compile(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn rows(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

#[tokio::test]
async fn compiled_rules_return_exactly_the_matching_rows() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();

    let telegram = compile(
        r#"
title: Telegram API Access From Scripts
id: 0d7c1b35-5a9e-4d6f-9b1e-2f6a9c1e7a10
status: experimental
description: Detects requests to the Telegram bot API without a Telegram user agent
author: bannin tests
tags:
    - attack.command-and-control
    - attack.t1102.002
logsource:
    category: proxy
detection:
    selection:
        cs-host: 'API.Telegram.org'
    filter:
        c-useragent|contains:
            - 'Telegram'
            - 'Bot'
    condition: selection and not filter
falsepositives:
    - Sanctioned chat bots
level: medium
"#,
    )
    .unwrap();
    assert_eq!(run(&session, &telegram).await, rows(&[("10.40.2.8", 1)]));

    let powershell = proxy_rule(
        "    selection:\n        c-useragent|contains: ' WindowsPowerShell/'\n    condition: selection",
    );
    assert_eq!(run(&session, &powershell).await, rows(&[("10.40.3.21", 2)]));

    // Wildcards in the data are literal; `?` and `*` in the rule are not.
    let underscore = proxy_rule("    sel:\n        c-uri|contains: '/a_b/'\n    condition: sel");
    assert_eq!(run(&session, &underscore).await, rows(&[("10.40.4.1", 1)]));
    let percent = proxy_rule("    sel:\n        c-uri|endswith: '100%25off'\n    condition: sel");
    assert_eq!(run(&session, &percent).await, rows(&[("10.40.4.1", 1)]));
    let wildcard = proxy_rule(
        "    sel:\n        c-uri: 'http://shop.example.jp/sale/a?b/*'\n    condition: sel",
    );
    assert_eq!(
        run(&session, &wildcard).await,
        rows(&[("10.40.4.1", 1), ("10.40.4.2", 1)])
    );
    let quote =
        proxy_rule("    sel:\n        c-useragent|startswith: \"o'reilly\"\n    condition: sel");
    assert_eq!(run(&session, &quote).await, rows(&[("10.40.4.3", 1)]));
    let backslash =
        proxy_rule("    keywords:\n        - 'C:\\Windows\\Temp'\n    condition: keywords");
    assert_eq!(run(&session, &backslash).await, rows(&[("10.40.4.3", 1)]));
    let braces = proxy_rule("    sel:\n        c-uri|contains: '/{evil}'\n    condition: sel");
    assert_eq!(run(&session, &braces).await, rows(&[("10.40.4.3", 1)]));
    assert!(
        !braces.sql.contains("{evil}"),
        "braces must not reach the placeholder pass"
    );

    let windash =
        proxy_rule("    sel:\n        c-useragent|windash|contains: ' -quiet'\n    condition: sel");
    assert_eq!(run(&session, &windash).await, rows(&[("10.40.5.5", 1)]));

    let re = proxy_rule(
        "    sel:\n        c-useragent|re: '^curl/8\\.[0-9]+\\.[0-9]+$'\n    condition: sel",
    );
    assert_eq!(run(&session, &re).await, rows(&[("192.0.2.50", 1)]));
    let re_cased = proxy_rule("    sel:\n        c-useragent|re: '^CURL/'\n    condition: sel");
    assert_eq!(run(&session, &re_cased).await, rows(&[]));
    let re_i = proxy_rule("    sel:\n        c-useragent|re|i: '^CURL/'\n    condition: sel");
    assert_eq!(run(&session, &re_i).await, rows(&[("192.0.2.50", 1)]));

    let cidr = proxy_rule(
        "    sel:\n        c-ip|cidr:\n            - '192.0.2.0/24'\n            - '10.40.5.0/24'\n    condition: sel",
    );
    assert_eq!(
        run(&session, &cidr).await,
        rows(&[("10.40.5.5", 1), ("192.0.2.50", 1)])
    );

    let status = proxy_rule(
        "    not_found:\n        sc-status: 404\n    server_error:\n        sc-status|gte: 500\n    condition: 1 of them",
    );
    assert_eq!(
        run(&session, &status).await,
        rows(&[("10.40.3.21", 1), ("10.40.5.5", 1)])
    );

    let all_of = proxy_rule(
        "    sel_host:\n        cs-host|endswith: '.example.net'\n    sel_path:\n        c-uri|contains|all:\n            - 'stage'\n            - '.PS1'\n    _ignored:\n        cs-method: POST\n    condition: all of sel_*",
    );
    assert_eq!(run(&session, &all_of).await, rows(&[("10.40.3.21", 2)]));

    let them = proxy_rule(
        "    a:\n        cs-method: POST\n    b:\n        c-useragent|contains: curl\n    condition: all of them",
    );
    assert_eq!(run(&session, &them).await, rows(&[("192.0.2.50", 1)]));

    let list_of_maps = proxy_rule(
        "    sel:\n        - cs-method: POST\n        - cs-host: api.telegram.org\n          c-useragent|startswith: python\n    condition: sel",
    );
    assert_eq!(
        run(&session, &list_of_maps).await,
        rows(&[("10.40.2.8", 1), ("192.0.2.50", 1)])
    );

    let parens = proxy_rule(
        "    a:\n        cs-host: files.example.net\n    b:\n        sc-status: 404\n    c:\n        cs-method: POST\n    condition: (a and not b) or c",
    );
    assert_eq!(
        run(&session, &parens).await,
        rows(&[("10.40.3.21", 1), ("192.0.2.50", 1)])
    );

    let sudo = auth_rule(
        "sudo",
        "    selection_user:\n        USER:\n            - '#-*'\n            - '#*4294967295'\n    condition: selection_user",
    );
    assert_eq!(run(&session, &sudo).await, rows(&[("tanaka", 1)]));

    let sshd = auth_rule(
        "sshd",
        "    keywords:\n        - 'Failed password for invalid user'\n        - 'error: maximum authentication attempts exceeded'\n    condition: keywords",
    );
    let sshd_rows = run(&session, &sshd).await;
    assert_eq!(sshd_rows.len(), 1, "{sshd_rows:?}");
    assert_eq!(sshd_rows[0].1, 2);

    let keywords_all = auth_rule(
        "auth",
        "    keywords:\n        '|all':\n            - 'sudo'\n            - 'USER=#-1'\n            - 'COMMAND=/bin/bash'\n    condition: keywords",
    );
    assert_eq!(run(&session, &keywords_all).await, rows(&[("tanaka", 1)]));

    // `null`: sshd rows have no target user; `not` keeps rows where a
    // field is null rather than dropping them.
    let null = auth_rule("auth", "    sel:\n        USER: null\n    condition: sel");
    let null_rows = run(&session, &null).await;
    assert_eq!(
        null_rows.iter().map(|r| r.1).sum::<i64>(),
        3,
        "{null_rows:?}"
    );
    let not_root = auth_rule(
        "auth",
        "    root:\n        USER: root\n    condition: not root",
    );
    let not_root_rows = run(&session, &not_root).await;
    assert_eq!(
        not_root_rows.iter().map(|r| r.1).sum::<i64>(),
        4,
        "{not_root_rows:?}"
    );
}

#[test]
fn a_rule_carries_id_severity_tags_and_grouping() {
    let rule = compile(
        r#"
title: 'Sudo: Negative User ID (CVE-2019-14287)'
id: 3b8f5d2c-1a4e-4c7b-8e9f-5d6a7b8c9d0e
description: Detects sudo run as user id -1
author: bannin tests
tags:
    - attack.privilege-escalation
    - attack.t1068
    - attack.t1548.003
    - cve.2019-14287
logsource:
    product: linux
    service: sudo
detection:
    sel:
        USER|startswith: '#-'
    condition: sel
level: critical
"#,
    )
    .unwrap();
    assert_eq!(rule.id, "sigma.sudo_negative_user_id_cve_2019_14287");
    assert_eq!(rule.severity, "critical");
    assert_eq!(rule.attack, ["T1068", "T1548.003"]);
    assert_eq!(rule.tables, ["auth"]);
    assert_eq!(rule.group, ["tenant", "host", "user"]);
    assert!(rule.sql.contains("(app = 'sudo')"), "{}", rule.sql);
    assert!(
        rule.sql
            .contains("lower(target_user) LIKE '#-%' ESCAPE '\\'"),
        "{}",
        rule.sql
    );
    assert!(rule.sql.contains("GROUP BY tenant, host, \"user\""));
}

fn refusal(yaml: &str) -> String {
    compile(yaml).map(|r| r.sql).unwrap_err().to_string()
}

fn with_detection(logsource: &str, detection: &str) -> String {
    format!("title: Refused\nlogsource:\n{logsource}\ndetection:\n{detection}\nlevel: low\n")
}

#[test]
fn refuses_what_it_cannot_compile_and_says_why() {
    let proxy = "    category: proxy";
    let cases: &[(String, &str)] = &[
        (
            with_detection(
                proxy,
                "    sel:\n        cs-referrer: 'x'\n    condition: sel",
            ),
            "field `cs-referrer` has no mapping for log source category=proxy",
        ),
        (
            with_detection(
                "    category: firewall",
                "    sel:\n        action: denied\n    condition: sel | count(dst_port) by src_ip > 10",
            ),
            "unsupported: aggregation `| count(dst_port) by src_ip > 10`",
        ),
        (
            with_detection(
                proxy,
                "    a:\n        cs-method: GET\n    b:\n        cs-method: POST\n    condition: a near b",
            ),
            "unsupported: `near` conditions",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        c-uri|base64offset|contains: 'evil'\n    condition: sel",
            ),
            "unsupported: modifier `base64offset`",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        cs-method: GET\n    timeframe: 5m\n    condition: sel",
            ),
            "unsupported: `timeframe` (aggregation over time)",
        ),
        (
            with_detection(
                "    category: process_creation\n    product: windows",
                "    sel:\n        Image|endswith: '\\cmd.exe'\n    condition: sel",
            ),
            "log source category=process_creation product=windows is not stored by bannin",
        ),
        (
            with_detection(
                "    product: azure\n    service: activitylogs",
                "    sel:\n        operationName: X\n    condition: sel",
            ),
            "log source product=azure service=activitylogs is not stored by bannin",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        cs-method: GET\n    condition: other",
            ),
            "condition `other`: no search named `other`",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        cs-method: GET\n    condition: 1 of filter*",
            ),
            "condition `1 of filter*`: `filter*` names no search",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        c-ip|cidr: '10.0.0.0/33'\n    condition: sel",
            ),
            "field `c-ip`: `10.0.0.0/33` is not a CIDR",
        ),
        (
            with_detection(
                proxy,
                "    sel:\n        c-uri|re: '(?<=x)y'\n    condition: sel",
            ),
            "field `c-uri`: regular expression `(?<=x)y` is not supported",
        ),
        (
            "title: Correlated\ncorrelation:\n    type: event_count\n    rules: [a]\n".to_owned(),
            "unsupported: correlation rules",
        ),
    ];
    for (yaml, expected) in cases {
        let got = refusal(yaml);
        assert!(
            got.starts_with(expected),
            "expected `{expected}`, got `{got}`"
        );
    }
    // Sources and fields are matched as Sigma backends do, case-insensitively.
    let mixed_case = compile(&with_detection(
        "    category: Proxy",
        "    sel:\n        CS-Host: x\n    condition: sel",
    ))
    .unwrap();
    assert!(mixed_case.sql.contains("lower(url_host) = 'x'"));
    assert!(matches!(
        compile("title: [oops\n"),
        Err(SigmaError::Yaml(_))
    ));
}

#[test]
fn cloud_sources_read_their_provider_rows() {
    let ct = compile(&with_detection(
        "    product: aws\n    service: cloudtrail",
        "    sel:\n        eventSource: cloudtrail.amazonaws.com\n        eventName:\n            - StopLogging\n            - DeleteTrail\n    condition: sel",
    ))
    .unwrap();
    assert_eq!(ct.tables, ["cloud_audit"]);
    assert!(ct.sql.contains("(provider = 'aws')"));
    assert!(
        ct.sql
            .contains("lower(operation) IN ('stoplogging', 'deletetrail')"),
        "{}",
        ct.sql
    );
    let signin = compile(&with_detection(
        "    product: azure\n    service: signinlogs",
        "    sel:\n        ResultType: 50074\n    condition: sel",
    ))
    .unwrap();
    assert!(signin.sql.contains("= '50074'"), "{}", signin.sql);
    assert_eq!(signin.group, ["tenant", "host", "actor"]);
}

#[test]
fn the_pack_is_valid_toml_in_the_rule_format() {
    let rule = compile(
        r#"
title: Proxy "Quoted" Rule
id: 9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
description: |
    Detects a user agent with a quote ' and a backslash \ in it.
author: bannin tests
tags: [attack.t1071.001]
logsource: {category: proxy}
detection:
    sel:
        c-useragent|contains: "O'Re\\lly"
    condition: sel
falsepositives:
    - Book crawlers
level: informational
"#,
    )
    .unwrap();
    let text = to_pack_toml(std::slice::from_ref(&rule));
    let pack: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    let entry = &pack["rules"].as_array().unwrap()[0];
    assert_eq!(entry["id"].as_str(), Some("sigma.proxy_quoted_rule"));
    assert_eq!(entry["severity"].as_str(), Some("low"));
    assert_eq!(
        entry["title"]["ja"].as_str(),
        Some("Sigma: Proxy \"Quoted\" Rule")
    );
    assert_eq!(entry["title"]["en"].as_str(), Some("Proxy \"Quoted\" Rule"));
    for (key, value) in [
        ("schedule", "5m"),
        ("window", "5m"),
        ("lateness", "5m"),
        ("suppress", "1h"),
    ] {
        assert_eq!(entry[key].as_str(), Some(value));
    }
    assert_eq!(entry["sql"].as_str(), Some(rule.sql.as_str()));
    assert_eq!(entry["attack"].as_array().unwrap().len(), 1);
    assert_eq!(entry["group"].as_array().unwrap().len(), 3);
    let runbook = entry["runbook"]["ja"].as_str().unwrap();
    assert!(runbook.contains("Book crawlers"), "{runbook}");
    assert!(runbook.contains("情報セキュリティ管理者"), "{runbook}");
    assert!(
        entry["description"]["en"]
            .as_str()
            .unwrap()
            .contains("backslash \\ in it")
    );
    assert!(text.contains("# Sigma: Proxy \"Quoted\" Rule; id 9a0b1c2d"));
}
