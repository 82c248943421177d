//! Postfix correlation: arbitrary lines through the syslog parser into the
//! correlator, with its state saved and restored half-way.
#![no_main]

#[path = "common.rs"]
mod common;

use bannin_parsers::postfix::Correlator;
use bannin_parsers::syslog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    let domains = ["city.example.lg.jp".to_owned()];
    let mut correlator = Correlator::new(&domains);
    let lines = common::lines(data);
    let half = lines.len() / 2;
    for (i, line) in lines.iter().enumerate() {
        if i == half {
            let state = correlator.state();
            correlator = Correlator::new(&domains);
            correlator.restore(state);
        }
        if let Ok(record) = syslog::parse(line, &ctx) {
            let _ = correlator.observe(&record);
        }
    }
});
