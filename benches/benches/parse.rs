//! Parser throughput on a generated municipal day (syslog with PRI, both
//! RFCs, and auth.log file lines). See benches/README.md for figures.

use bannin_benches::{DayOptions, municipality_day};
use bannin_parsers::{ParseContext, parse_syslog_line};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let day = municipality_day(&DayOptions { date, seed: 1 });
    let ctx = ParseContext::jst(chrono::Utc::now());
    let mut group = c.benchmark_group("parse_syslog_line");
    for (name, lines) in [
        ("network_syslog", &day.syslog_lines),
        ("auth_log", &day.auth_log_lines),
    ] {
        let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(format!("{name}/{}_lines_{bytes}_bytes", lines.len()), |b| {
            b.iter(|| {
                for line in lines {
                    let _ = black_box(parse_syslog_line(black_box(line), &ctx));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
