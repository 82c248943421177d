//! `--format auto`: the sniffing and whichever parser it picks.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    for line in common::lines(data) {
        let _ = bannin_parsers::parse_auto(&line, &ctx);
    }
});
