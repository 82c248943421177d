//! JSON records: Windows events, cloud audit records one by one and as
//! whole documents.
#![no_main]

#[path = "common.rs"]
mod common;

use bannin_parsers::{cloud, windows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    let text = String::from_utf8_lossy(data);
    let _ = cloud::parse_document(&text);
    let _ = cloud::split_document(&text);
    for line in common::lines(data) {
        let _ = windows::parse(&line, &ctx);
        let _ = cloud::parse(&line);
        let _ = bannin_parsers::parse_auto(&line, &ctx);
    }
});
