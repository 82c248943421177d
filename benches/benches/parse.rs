//! Parser throughput, one core. The municipal day (network syslog, auth.log,
//! Squid native, FortiGate) and generated samples of every other format;
//! RFC 5424 and RFC 3164 side by side with the `syslog_loose` crate. See
//! benches/README.md.

use bannin_benches::formats::{Sample, sample_lines};
use bannin_benches::{DayOptions, municipality_day};
use bannin_parsers::postfix::Correlator;
use bannin_parsers::{ParseContext, ParseError, Record, w3c};
use chrono::{Datelike, FixedOffset};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

type Parser = fn(&str, &ParseContext) -> Result<Record, ParseError>;

/// Lines per generated sample.
const SAMPLE_LINES: usize = 5_000;

fn measure<M: criterion::measurement::Measurement>(
    group: &mut BenchmarkGroup<'_, M>,
    name: &str,
    lines: &[String],
    mut parse_one: impl FnMut(&str),
) {
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function(format!("{name}/{}_lines_{bytes}_bytes", lines.len()), |b| {
        b.iter(|| {
            for line in lines {
                parse_one(black_box(line));
            }
        })
    });
}

fn day(c: &mut Criterion) {
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
        measure(&mut group, name, lines, |line| {
            let _ = black_box(parser(line, &ctx));
        });
    }
    group.finish();
}

fn formats(c: &mut Criterion) {
    let ctx = ParseContext::jst(chrono::Utc::now());
    let mut group = c.benchmark_group("format");
    let cases: [(&str, Sample, Parser); 6] = [
        ("combined", Sample::Combined, |l, _| {
            bannin_parsers::access_log::parse(l).map(Record::from)
        }),
        ("panos_traffic", Sample::PanOs, |l, c| {
            bannin_parsers::panos::parse(l, c).map(Record::from)
        }),
        ("cisco_asa", Sample::Asa, |l, c| {
            bannin_parsers::asa::parse(l, c).map(Record::from)
        }),
        ("yamaha_rtx", Sample::YamahaRtx, |l, c| {
            bannin_parsers::yamaha_rtx::parse(l, c).map(Record::from)
        }),
        (
            "windows_json",
            Sample::WindowsJson,
            bannin_parsers::windows::parse,
        ),
        ("cloud_json", Sample::CloudJson, |l, _| {
            bannin_parsers::cloud::parse(l).map(Record::from)
        }),
    ];
    for (name, sample, parser) in cases {
        let lines = sample_lines(sample, SAMPLE_LINES, 1);
        measure(&mut group, name, &lines, |line| {
            let _ = black_box(parser(line, &ctx));
        });
        if name == "cloud_json" {
            measure(&mut group, "cloud_json_auto", &lines, |line| {
                let _ = black_box(bannin_parsers::parse_auto(line, &ctx));
            });
        }
    }
    let lines = sample_lines(Sample::W3c, SAMPLE_LINES + 1, 1);
    let Some((header, data)) = lines.split_first() else {
        return;
    };
    if let Some(fields) = w3c::Fields::from_directive(header) {
        measure(&mut group, "w3c_proxysg", data, |line| {
            let _ = black_box(w3c::parse(line, &fields, &ctx));
        });
    }
    let lines = sample_lines(Sample::Postfix, SAMPLE_LINES, 1);
    let mut mail = Correlator::new(&["city.example.lg.jp".to_owned()]);
    measure(&mut group, "postfix_correlated", &lines, |line| {
        if let Ok(Record::Syslog(record)) = bannin_parsers::parse_syslog_line(line, &ctx) {
            let _ = black_box(mail.observe(&record));
        }
    });
    group.finish();
}

/// RFC 5424 and RFC 3164 headers: bannin's syslog parser alone, bannin's
/// whole syslog path (classifiers included), and `syslog_loose` told the
/// variant, the year rule and the zone, as bannin is.
fn versus_syslog_loose(c: &mut Criterion) {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let day = municipality_day(&DayOptions { date, seed: 1 });
    let ctx = ParseContext::jst(chrono::Utc::now());
    let jst = FixedOffset::east_opt(9 * 3600);
    let (rfc5424, rfc3164): (Vec<String>, Vec<String>) =
        day.syslog_lines.iter().cloned().partition(|l| {
            l.split_once('>')
                .is_some_and(|(_, rest)| rest.starts_with("1 "))
        });
    let year = ctx.reference.year();
    for (name, lines, variant) in [
        ("rfc5424", &rfc5424, syslog_loose::Variant::RFC5424),
        ("rfc3164", &rfc3164, syslog_loose::Variant::RFC3164),
    ] {
        let mut group = c.benchmark_group(format!("syslog_{name}"));
        measure(&mut group, "bannin_header", lines, |line| {
            let _ = black_box(bannin_parsers::syslog::parse(line, &ctx));
        });
        measure(&mut group, "bannin_with_classifiers", lines, |line| {
            let _ = black_box(bannin_parsers::parse_syslog_line(line, &ctx));
        });
        measure(&mut group, "syslog_loose", lines, |line| {
            let _ = black_box(syslog_loose::parse_message_with_year_tz(
                line,
                |_| year,
                jst,
                variant,
            ));
        });
        group.finish();
    }
}

criterion_group!(benches, day, formats, versus_syslog_loose);
criterion_main!(benches);
