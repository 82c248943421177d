//! Lines of every input format bannin parses, varied by a seeded random
//! source (addresses, users, ports, sizes, outcomes), for the per-format
//! parser benchmarks. Shapes follow the formats' documented layouts; the
//! values are invented for a fictional municipality.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A format the parser benchmarks measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// NCSA combined (Apache / nginx / Squid `logformat combined`).
    Combined,
    /// W3C extended as ProxySG writes it; the first line is `#Fields:`.
    W3c,
    PanOs,
    Asa,
    YamahaRtx,
    /// Postfix maillog: one message (smtpd, cleanup, qmgr, smtp, removed)
    /// every five lines.
    Postfix,
    WindowsJson,
    /// Microsoft 365, Entra ID sign-in, Google Workspace and CloudTrail
    /// records in turn, one JSON object a line.
    CloudJson,
}

const USERS: [&str; 6] = ["tanaka", "suzuki", "sato", "takahashi", "ito", "watanabe"];
const SITES: [&str; 5] = [
    "www.example.com",
    "drive.example.net",
    "mail.example.jp",
    "files.example.org",
    "api.example.co.jp",
];

/// `n` lines of `sample`, the same for the same `seed`.
pub fn sample_lines(sample: Sample, n: usize, seed: u64) -> Vec<String> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n + 1);
    if sample == Sample::W3c {
        out.push(W3C_FIELDS.to_owned());
    }
    let mut i = 0usize;
    while out.len() < n {
        let v = Values::draw(&mut rng, i);
        match sample {
            Sample::Combined => out.push(combined(&v)),
            Sample::W3c => out.push(w3c(&v)),
            Sample::PanOs => out.push(panos(&v)),
            Sample::Asa => out.push(asa(&v)),
            Sample::YamahaRtx => out.push(rtx(&v)),
            Sample::Postfix => out.extend(postfix(&v)),
            Sample::WindowsJson => out.push(windows(&v)),
            Sample::CloudJson => out.push(cloud(&v)),
        }
        i += 1;
    }
    out.truncate(n.max(1));
    out
}

/// The random values one line is built from.
struct Values {
    i: usize,
    user: &'static str,
    site: &'static str,
    client: String,
    remote: String,
    port: u16,
    bytes: u64,
    ok: bool,
    minute: u32,
    second: u32,
}

impl Values {
    fn draw(rng: &mut SmallRng, i: usize) -> Self {
        Self {
            i,
            user: USERS[rng.random_range(0..USERS.len())],
            site: SITES[rng.random_range(0..SITES.len())],
            client: format!(
                "10.40.{}.{}",
                rng.random_range(1..20),
                rng.random_range(2..250)
            ),
            remote: format!("203.0.113.{}", rng.random_range(1..250)),
            port: rng.random_range(32_768..61_000),
            bytes: rng.random_range(200..2_000_000),
            ok: rng.random_range(0..10) > 1,
            minute: rng.random_range(0..60),
            second: rng.random_range(0..60),
        }
    }
}

fn combined(v: &Values) -> String {
    format!(
        r#"{} - {} [23/Nov/2026:10:{:02}:{:02} +0900] "GET https://{}/portal/{}/index.html?id={} HTTP/1.1" {} {} "https://intra.city.example.lg.jp/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36""#,
        v.client,
        v.user,
        v.minute,
        v.second,
        v.site,
        v.i % 97,
        v.i,
        if v.ok { 200 } else { 404 },
        v.bytes
    )
}

const W3C_FIELDS: &str = "#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id";

fn w3c(v: &Values) -> String {
    format!(
        r#"2026-11-23 01:{:02}:{:02} {} {} {} - - {} "Technology/Internet" - {} TCP_NC_MISS POST text/html https {} 443 /api/v2/files ?n={} - "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" 10.40.0.3 830 {} -"#,
        v.minute,
        v.second,
        v.i % 900,
        v.client,
        v.user,
        if v.ok { "OBSERVED" } else { "DENIED" },
        if v.ok { 200 } else { 403 },
        v.site,
        v.i,
        v.bytes
    )
}

fn panos(v: &Values) -> String {
    format!(
        "<14>Nov 23 10:{m:02}:{s:02} PA-3220 1,2026/11/23 10:{m:02}:{s:02},012801012345,TRAFFIC,end,2561,2026/11/23 10:{m:02}:{s:02},{c},{r},198.51.100.2,{r},allow-web,{u},,ssl,vsys1,trust,untrust,ethernet1/1,ethernet1/2,fwd,2026/11/23 10:{m:02}:{s:02},{i},1,{p},443,{p},443,0x400019,tcp,{a},{b},{bo},{bi},12,2026/11/23 10:{m:02}:{s:02},30,computer-and-internet-info,0,{i},0x0,10.0.0.0-10.255.255.255,Japan,0,7,5,tcp-fin,0,0,0,0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0",
        m = v.minute,
        s = v.second,
        c = v.client,
        r = v.remote,
        u = v.user,
        i = v.i,
        p = v.port,
        a = if v.ok { "allow" } else { "deny" },
        b = v.bytes,
        bo = v.bytes / 3,
        bi = v.bytes - v.bytes / 3,
    )
}

fn asa(v: &Values) -> String {
    match v.i % 3 {
        0 => format!(
            "<166>Nov 23 2026 10:{:02}:{:02}: %ASA-6-302013: Built outbound TCP connection {} for outside:{}/443 ({}/443) to inside:{}/{} (198.51.100.2/{})",
            v.minute, v.second, v.i, v.remote, v.remote, v.client, v.port, v.port
        ),
        1 => format!(
            "<166>Nov 23 2026 10:{:02}:{:02}: %ASA-6-302014: Teardown TCP connection {} for outside:{}/443 to inside:{}/{} duration 0:00:{:02} bytes {} TCP FINs",
            v.minute, v.second, v.i, v.remote, v.client, v.port, v.second, v.bytes
        ),
        _ => format!(
            "<164>Nov 23 2026 10:{:02}:{:02}: %ASA-4-106023: Deny tcp src outside:{}/{} dst inside:{}/22 by access-group \"OUTSIDE_IN\" [0x0, 0x0]",
            v.minute, v.second, v.remote, v.port, v.client
        ),
    }
}

fn rtx(v: &Values) -> String {
    if v.i.is_multiple_of(2) {
        format!(
            "<190>Nov 23 10:{:02}:{:02} 192.168.100.1 [INSPECT] LAN2[out][101098] TCP {}:{} > {}:443 (2026/11/23 10:{:02}:{:02})",
            v.minute, v.second, v.client, v.port, v.remote, v.minute, v.second
        )
    } else {
        format!(
            "<190>Nov 23 10:{:02}:{:02} 192.168.100.1 LAN2 Rejected at IN(200099) filter: TCP {}:{} > 192.168.100.1:23",
            v.minute, v.second, v.remote, v.port
        )
    }
}

/// A Postfix queue id: uppercase hex, unique per message.
fn queue_id(i: usize) -> String {
    format!("{:010X}", 0x3F_0000_0000_usize + i)
}

fn postfix(v: &Values) -> Vec<String> {
    let q = queue_id(v.i);
    let t = format!("Nov 23 10:{:02}:{:02} mail01", v.minute, v.second);
    let (to, status) = if v.ok {
        ("sato@example.com", "sent (250 2.0.0 Ok: queued)")
    } else {
        ("nobody@example.org", "bounced (550 5.1.1 user unknown)")
    };
    vec![
        format!(
            "{t} postfix/smtpd[2101]: {q}: client=pc{}.city.example.lg.jp[{}], sasl_method=PLAIN, sasl_username={}",
            v.i % 200,
            v.client,
            v.user
        ),
        format!(
            "{t} postfix/cleanup[2102]: {q}: message-id=<2026112310{}.{}@city.example.lg.jp>",
            v.i, v.port
        ),
        format!(
            "{t} postfix/qmgr[900]: {q}: from=<{}@city.example.lg.jp>, size={}, nrcpt=1 (queue active)",
            v.user, v.bytes
        ),
        format!(
            "{t} postfix/smtp[2103]: {q}: to=<{to}>, relay=mx.example.com[93.184.216.34]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn={}, status={status}",
            if v.ok { "2.0.0" } else { "5.1.1" }
        ),
        format!("{t} postfix/qmgr[900]: {q}: removed"),
    ]
}

fn windows(v: &Values) -> String {
    format!(
        r#"{{"EventTime":"2026-11-23 10:{:02}:{:02}","Hostname":"lg-ad01","EventID":{},"SourceName":"Microsoft-Windows-Security-Auditing","TargetUserName":"{}","TargetDomainName":"CITY","LogonType":"3","IpAddress":"{}","IpPort":"{}","SubStatus":"0xC000006A","Message":"An account failed to log on."}}"#,
        v.minute,
        v.second,
        if v.ok { 4624 } else { 4625 },
        v.user,
        v.client,
        v.port
    )
}

fn cloud(v: &Values) -> String {
    let (m, s, user, ip, i) = (v.minute, v.second, v.user, &v.remote, v.i);
    match i % 4 {
        0 => format!(
            r#"{{"CreationTime":"2026-11-23T01:{m:02}:{s:02}","Id":"6c3e{i:08x}-0000-4000-8000-000000000000","Operation":"{}","OrganizationId":"b1f0c2d3-0000-4000-8000-00000000cafe","RecordType":15,"ResultStatus":"{}","UserKey":"1003200{i}","UserType":0,"Version":1,"Workload":"AzureActiveDirectory","ClientIP":"{ip}:{}","ObjectId":"00000003-0000-0000-c000-000000000000","UserId":"{user}@city.example.lg.jp","AzureActiveDirectoryEventType":1,"ExtendedProperties":[{{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}},{{"Name":"RequestType","Value":"Login:login"}}],"LogonError":"{}"}}"#,
            if v.ok {
                "UserLoggedIn"
            } else {
                "UserLoginFailed"
            },
            if v.ok { "Success" } else { "Failed" },
            v.port,
            if v.ok {
                ""
            } else {
                "InvalidUserNameOrPassword"
            },
        ),
        1 => format!(
            r#"{{"id":"5e1a{i:08x}-0000-4000-8000-000000000000","createdDateTime":"2026-11-23T01:{m:02}:{s:02}Z","userDisplayName":"{user}","userPrincipalName":"{user}@city.example.lg.jp","userId":"d7a1c3e5-0000-4000-8000-000000000001","appDisplayName":"Office 365 Exchange Online","ipAddress":"{ip}","clientAppUsed":"Browser","isInteractive":true,"status":{{"errorCode":{},"failureReason":"{}","additionalDetails":null}},"location":{{"city":"Sakuragaoka","countryOrRegion":"JP"}}}}"#,
            if v.ok { 0 } else { 50126 },
            if v.ok {
                "Other."
            } else {
                "Invalid username or password."
            },
        ),
        2 => format!(
            r#"{{"kind":"admin#reports#activity","id":{{"time":"2026-11-23T01:{m:02}:{s:02}.000Z","uniqueQualifier":"-{i}","applicationName":"login","customerId":"C01abcdef"}},"etag":"\"x\"","actor":{{"email":"{user}@city.example.lg.jp","profileId":"1000{i}"}},"ipAddress":"{ip}","events":[{{"type":"login","name":"{}","parameters":[{{"name":"login_type","value":"google_password"}},{{"name":"is_suspicious","boolValue":false}}]}}]}}"#,
            if v.ok {
                "login_success"
            } else {
                "login_failure"
            },
        ),
        _ => format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDA{i:016}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","userName":"{user}"}},"eventTime":"2026-11-23T01:{m:02}:{s:02}Z","eventSource":"s3.amazonaws.com","eventName":"{}","awsRegion":"ap-northeast-1","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.15.0","requestParameters":{{"bucketName":"city-backup","key":"reports/{i}.csv"}},"responseElements":null,"eventID":"{i:08x}-1111-4000-8000-000000000000","readOnly":{},"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333"}}"#,
            if v.ok { "GetObject" } else { "PutBucketPolicy" },
            v.ok,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        for sample in [
            Sample::Combined,
            Sample::W3c,
            Sample::PanOs,
            Sample::Asa,
            Sample::YamahaRtx,
            Sample::Postfix,
            Sample::WindowsJson,
            Sample::CloudJson,
        ] {
            let a = sample_lines(sample, 50, 7);
            assert_eq!(a.len(), 50, "{sample:?}");
            assert_eq!(a, sample_lines(sample, 50, 7), "{sample:?}");
        }
        assert!(sample_lines(Sample::W3c, 3, 1)[0].starts_with("#Fields:"));
    }
}
