//! The format sniffs of `parse_auto` are written for speed (SIMD byte
//! searches, one pass for several markers); these properties hold each
//! one to its plain definition on lines built from the pieces that matter
//! to it — markers, near misses, spaces, brackets, multi-byte text — so a
//! faster sniff cannot detect something else.

use bannin_parsers::{access_log, asa, yamaha_rtx};
use proptest::prelude::*;

/// Lines made of up to 16 pieces: what the sniffs look for, what almost
/// matches it, and filler.
fn line() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        " ",
        "  ",
        "<190>",
        "Nov 23 10:00:05 ",
        "192.168.100.1",
        "[INSPECT] ",
        "[INSPECT]",
        "[",
        ")",
        "(",
        ") filter: ",
        ") filter:",
        "IN(200099",
        "Rejected at ",
        "Passed at ",
        "Rejected",
        "%",
        "%ASA-6-302013:",
        "%FTD-4-106023: ",
        "%PIX-6-302014:",
        "%ASA-9-302013:",
        "%SEC-6-IPACCESSLOGP:",
        "[23/Nov/2026:10:00:00",
        "[23/Nov/2026",
        "[0/",
        "-",
        "tanaka",
        "共有フォルダ",
        "x",
    ];
    proptest::collection::vec(proptest::sample::select(PIECES), 0..16)
        .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn yamaha_rtx_sniff_is_its_definition(line in line()) {
        let defined = line.contains("[INSPECT] ")
            || ((line.contains("Rejected at ") || line.contains("Passed at "))
                && line.contains(") filter: "));
        prop_assert_eq!(yamaha_rtx::looks_like(&line), defined);
    }

    #[test]
    fn access_log_sniff_is_its_definition(line in line()) {
        let bracket = |t: Option<&str>| {
            t.is_some_and(|t| t.len() >= 13 && t.starts_with('[') && t.as_bytes()[3] == b'/')
        };
        let mut tokens = line.split(' ');
        let defined = bracket(tokens.nth(3)) || bracket(tokens.next());
        prop_assert_eq!(access_log::looks_like(&line), defined);
    }

    #[test]
    fn asa_sniff_looks_at_the_first_160_bytes_only(line in line(), pad in 0usize..200) {
        // An id is found wherever it is in the window, never after it.
        let padded = format!("{}{line}", "x".repeat(pad));
        let valid_id_in_window = padded
            .match_indices('%')
            .take_while(|(i, _)| *i < 160)
            .any(|(i, _)| {
                ["%ASA-6-302013:", "%FTD-4-106023:", "%PIX-6-302014:"]
                    .iter()
                    .any(|id| padded[i..].starts_with(id))
            });
        prop_assert_eq!(asa::looks_like(&padded), valid_id_in_window);
    }
}
