//! Firewall formats: FortiGate, PAN-OS, Cisco ASA, YAMAHA RTX.
#![no_main]

#[path = "common.rs"]
mod common;

use bannin_parsers::{asa, fortigate, panos, yamaha_rtx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    for line in common::lines(data) {
        let _ = fortigate::parse(&line, &ctx);
        let _ = panos::parse(&line, &ctx);
        let _ = asa::parse(&line, &ctx);
        let _ = yamaha_rtx::parse(&line, &ctx);
    }
});
