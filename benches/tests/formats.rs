//! The per-format benchmark samples parse, into the table they are meant
//! for: a benchmark of the error path would measure nothing useful.

use bannin_benches::formats::{Sample, sample_lines};
use bannin_parsers::postfix::Correlator;
use bannin_parsers::{ParseContext, Record, cloud, parse_auto, w3c};

fn ctx() -> ParseContext {
    ParseContext::jst("2026-11-23T12:00:00Z".parse().unwrap())
}

#[test]
fn every_sample_parses_into_its_table() {
    let ctx = ctx();
    for (sample, table) in [
        (Sample::Combined, "proxy"),
        (Sample::PanOs, "firewall"),
        (Sample::Asa, "firewall"),
        (Sample::YamahaRtx, "firewall"),
        (Sample::WindowsJson, "auth"),
        (Sample::CloudJson, "cloud_audit"),
    ] {
        for line in sample_lines(sample, 200, 1) {
            let got = match parse_auto(&line, &ctx) {
                Ok(Record::Proxy(_)) => "proxy",
                Ok(Record::Firewall(r)) if r.log_type.as_deref() == Some("traffic") => "firewall",
                Ok(Record::Auth(..)) => "auth",
                Ok(Record::CloudAudit(_)) => "cloud_audit",
                other => panic!("{sample:?}: {line}\n{other:?}"),
            };
            assert_eq!(got, table, "{sample:?}: {line}");
        }
    }
    for line in sample_lines(Sample::CloudJson, 8, 1) {
        assert!(cloud::parse(&line).is_ok(), "{line}");
    }
    let lines = sample_lines(Sample::W3c, 200, 1);
    let fields = w3c::Fields::from_directive(&lines[0]).unwrap();
    for line in &lines[1..] {
        assert!(w3c::parse(line, &fields, &ctx).is_ok(), "{line}");
    }
    let mut mail = Correlator::new(&["city.example.lg.jp".to_owned()]);
    let rows = sample_lines(Sample::Postfix, 200, 1)
        .iter()
        .filter_map(|l| mail.observe(&bannin_parsers::syslog::parse(l, &ctx).unwrap()))
        .count();
    assert_eq!(rows, 40, "one delivery row per five-line message");
    assert_eq!(mail.pending(), 0);
}
