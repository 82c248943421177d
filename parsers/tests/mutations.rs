//! Robustness: thousands of mutated real-looking lines (bytes flipped,
//! dropped, duplicated, cut) must each parse or fail with a reason, never
//! panic, and what parses must be sane. A poor man's fuzzer that runs in
//! every `cargo test`; seeds are fixed so a failure reproduces.

use bannin_parsers::{ParseContext, Record, parse_auto};

const SEEDS: &[&str] = &[
    "<38>Nov 22 09:01:02 lg-file01 sshd[4242]: Failed password for invalid user admin from 10.30.5.77 port 40022 ssh2",
    "Dec 10 06:55:46 LabSZ sshd[24200]: Accepted publickey for tanaka from 2001:db8::1 port 22 ssh2: RSA SHA256:abc",
    "<165>1 2026-11-22T09:01:02.003+09:00 mn-app01 backup 812 ID47 [meta@32473 zone=\"mynumber\" n=\"a \\\"q\\\" \\]\"][x@1 k=\"v\"] バックアップが完了しました",
    "<14>1 - - - - - -",
    "Mar  5 10:00:00.25 inet-fw01 kernel: eth0 link up",
    "<86>Nov 22 09:00:00 sshd[7]: Invalid user  from 1.2.3.4 port 5",
    "Nov 22 09:00:00 lg-file01 sudo:   tanaka : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/bin/bash",
    "Nov 22 09:00:00 lg-file01 su[2002]: FAILED SU (to root) tanaka on pts/0",
    "1763769600.123    233 10.20.1.15 TCP_MISS/200 1027 GET http://www.example.jp:8080/a?q=1 - HIER_DIRECT/93.184.216.34 text/html",
    "1763769601.000      0 10.20.1.16 TCP_DENIED/403 3890 CONNECT drive.example.com:443 tanaka HIER_NONE/- text/html",
    "<189>date=2026-11-22 time=09:00:00 devname=\"inet-fw01\" devid=\"FGT\" type=\"traffic\" subtype=\"forward\" eventtime=1763769600123456789 tz=\"+0900\" srcip=10.40.1.15 srcport=51234 dstip=93.184.216.34 dstport=443 proto=6 action=\"accept\" sentbyte=1234 rcvdbyte=56789 msg=\"a \\\"q\\\"\"",
    r#"{"EventTime":"2026-11-22 02:10:00","Hostname":"lg-ad01","EventID":4625,"TargetUserName":"Administrator","LogonType":"3","IpAddress":"10.30.5.77","IpPort":"51234","SubStatus":"0xC000006A"}"#,
    r#"{"@timestamp":"2026-11-22T00:05:00.123Z","winlog":{"event_id":"4624","computer_name":"lg-ad01","event_data":{"TargetUserName":"tanaka","LogonType":"10"}}}"#,
    "Nov 22 03:00:00 inet-web01 kernel: [81234.567890] [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.40.0.5 LEN=60 PROTO=TCP SPT=51234 DPT=22",
    r#"10.40.1.15 - tanaka [23/Nov/2026:10:00:00 +0900] "CONNECT drive.example.com:443 HTTP/1.1" 200 5120 "-" "Mozilla/5.0 \"x\"" TCP_TUNNEL:HIER_DIRECT"#,
    "<14>Nov 23 10:00:00 PA-3220 1,2026/11/23 10:00:00,012801012345,THREAT,url,2561,2026/11/23 10:00:00,10.40.1.15,203.0.113.20,0.0.0.0,0.0.0.0,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/1,ethernet1/2,fwd,2026/11/23 10:00:00,1,1,51234,443,0,0,0x0,tcp,block-url,\"drive.example.com/a,b\"",
    "<166>Nov 23 2026 10:00:00: %ASA-6-302014: Teardown TCP connection 9 for outside:2001:db8::1/443 to inside:10.40.1.15/51234 duration 0:00:30 bytes 1234 TCP FINs",
    "<190>Nov 23 10:00:05 192.168.100.1 [INSPECT] LAN2[out][101098] TCP 192.168.100.2:51234 > 203.0.113.1:443 (2026/11/23 10:00:00)",
    "<13>TUNNEL[1] Rejected at IN(300001) filter: UDP 198.51.100.7:500 > 203.0.113.1:500",
    r#"{"CreationTime":"2026-11-23T01:00:00","Id":"x1","Operation":"UserLoginFailed","OrganizationId":"o","RecordType":15,"UserType":0,"Workload":"AzureActiveDirectory","UserId":"a@b","ClientIP":"[2001:db8::1]:443","ResultStatus":"Failed","LogonError":"InvalidUserNameOrPassword"}"#,
    r#"{"eventTime":"2026-11-23T01:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","userIdentity":{"type":"Root","accountId":"1"},"errorCode":"AccessDenied"}"#,
    "[Sun Nov 22 04:47:44.123456 2026] [core:error] [pid 1234:tid 5678] [client 203.0.113.5:51234] AH00126: Invalid URI",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 => chars.insert(
                at,
                char::from_u32(rng.below(0x3100) as u32).unwrap_or('\u{fffd}'),
            ),
            2 => chars.truncate(at),
            3 if at < chars.len() => {
                chars[at] = ['<', '>', '[', ']', '"', '\\', ' ', ':', '-', '1'][rng.below(10)]
            }
            _ => {
                let dup: Vec<char> = chars[at.min(chars.len())..]
                    .iter()
                    .take(8)
                    .copied()
                    .collect();
                chars.splice(at..at, dup);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_lines_never_panic_and_parse_sanely() {
    let ctx = ParseContext::jst("2026-11-23T00:00:00Z".parse().unwrap());
    let mut rng = Rng(0x6261_6e6e_696e);
    let (mut ok, mut rejected) = (0, 0);
    for round in 0..20_000 {
        let seed = SEEDS[round % SEEDS.len()];
        let line = mutate(&mut rng, seed);
        match parse_auto(&line, &ctx) {
            Ok(Record::Syslog(r)) | Ok(Record::Auth(r, _)) => {
                ok += 1;
                assert!(r.facility.is_none_or(|f| f <= 23), "{line:?}");
                assert!(r.severity.is_none_or(|s| s <= 7), "{line:?}");
                assert!(
                    r.host
                        .as_deref()
                        .is_none_or(|h| !h.is_empty() && !h.contains(' ')),
                    "{line:?}"
                );
            }
            Ok(Record::Firewall(r)) => {
                ok += 1;
                assert!(r.src_ip.is_some() || r.log_type.is_some(), "{line:?}");
            }
            Ok(Record::Proxy(r)) => {
                ok += 1;
                assert!(
                    r.url_host
                        .as_deref()
                        .is_none_or(|h| h == h.to_ascii_lowercase()),
                    "{line:?}"
                );
            }
            Ok(Record::Mail(r)) => {
                ok += 1;
                assert!(!r.status.is_empty(), "{line:?}");
            }
            Ok(Record::CloudAudit(r)) => {
                ok += 1;
                assert!(
                    !r.operation.is_empty() && !r.provider.is_empty(),
                    "{line:?}"
                );
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // Both paths are exercised, or the test proves nothing.
    assert!(ok > 1000 && rejected > 1000, "ok {ok}, rejected {rejected}");
}
