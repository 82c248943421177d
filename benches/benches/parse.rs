//! Parser throughput, one core, on a generated municipal day: network
//! syslog (RFC 3164 + RFC 5424), auth.log file lines, Squid native
//! access.log and FortiGate key=value logs. See benches/README.md.

use bannin_benches::{DayOptions, municipality_day};
use bannin_parsers::{ParseContext, ParseError, Record};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

type Parser = fn(&str, &ParseContext) -> Result<Record, ParseError>;

fn parse(c: &mut Criterion) {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let day = municipality_day(&DayOptions { date, seed: 1 });
    let ctx = ParseContext::jst(chrono::Utc::now());
    let mixed: Vec<String> = day.all_lines().map(str::to_owned).collect();
    let squid: Parser = |line, _| bannin_parsers::parse_squid_line(line);
    let cases: [(&str, &Vec<String>, Parser); 5] = [
        (
            "network_syslog",
            &day.syslog_lines,
            bannin_parsers::parse_syslog_line,
        ),
        (
            "auth_log",
            &day.auth_log_lines,
            bannin_parsers::parse_syslog_line,
        ),
        ("squid_native", &day.proxy_lines, squid),
        (
            "fortigate",
            &day.firewall_lines,
            bannin_parsers::parse_fortigate_line,
        ),
        ("auto_mixed", &mixed, bannin_parsers::parse_auto),
    ];
    let mut group = c.benchmark_group("parse");
    for (name, lines, parser) in cases {
        let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(format!("{name}/{}_lines_{bytes}_bytes", lines.len()), |b| {
            b.iter(|| {
                for line in lines {
                    let _ = black_box(parser(black_box(line), &ctx));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
