//! Syslog lines and everything that claims them from the syslog path:
//! sshd, sudo, su, pam_unix, netfilter, Windows JSON in a message.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = common::ctx();
    for line in common::lines(data) {
        let _ = bannin_parsers::parse_syslog_line(&line, &ctx);
    }
});
