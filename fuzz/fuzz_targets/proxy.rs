//! Proxy formats: Squid native, NCSA combined, and W3C extended with the
//! first line taken as its `#Fields:` header.
#![no_main]

#[path = "common.rs"]
mod common;

use bannin_parsers::{access_log, squid, w3c};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    let lines = common::lines(data);
    let fields = lines
        .first()
        .and_then(|l| w3c::Fields::from_directive(&format!("#Fields: {l}")));
    for line in &lines {
        let _ = squid::parse(line);
        let _ = access_log::parse(line);
        let _ = w3c::is_directive(line);
        if let Some(fields) = &fields {
            let _ = w3c::parse(line, fields, &ctx);
        }
    }
});
