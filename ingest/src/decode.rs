//! Bytes → text, in the source's character set. Japanese appliances still
//! write Shift_JIS (CP932) or EUC-JP; by default a line that is not UTF-8
//! but is clean Shift_JIS is decoded as such, and a source can name its
//! charset to be read strictly in it.

use std::borrow::Cow;
use std::str::FromStr;

use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS};

/// The character set a source writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8, else Shift_JIS.
    #[default]
    Auto,
    Utf8,
    /// Shift_JIS as Windows writes it (CP932), the WHATWG `Shift_JIS`.
    ShiftJis,
    EucJp,
}

impl Charset {
    pub const NAMES: [&'static str; 4] = ["auto", "utf-8", "shift_jis", "euc-jp"];

    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Charset::Auto | Charset::Utf8 => None,
            Charset::ShiftJis => Some(SHIFT_JIS),
            Charset::EucJp => Some(EUC_JP),
        }
    }
}

impl FromStr for Charset {
    type Err = String;

    /// Accepts the names admins use: `utf8`, `sjis`, `cp932`, `eucjp`, …
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "auto" => Ok(Charset::Auto),
            "utf8" => Ok(Charset::Utf8),
            "shiftjis" | "sjis" | "cp932" | "windows31j" | "ms932" => Ok(Charset::ShiftJis),
            "eucjp" | "ujis" => Ok(Charset::EucJp),
            _ => Err(format!(
                "unknown charset `{s}` (expected one of {})",
                Charset::NAMES.join(", ")
            )),
        }
    }
}

/// A line that cannot be decoded: the reason, and the bytes with invalid
/// sequences replaced (U+FFFD) so the row can still be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    pub reason: String,
    pub lossy: String,
}

/// Decodes one line in `charset`.
pub fn decode(bytes: &[u8], charset: Charset) -> Result<Cow<'_, str>, Undecodable> {
    if let Some(encoding) = charset.encoding() {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if had_errors {
            let at = first_error(encoding, bytes);
            return Err(Undecodable {
                reason: format!("invalid {} at byte {at}", encoding.name()),
                lossy: text.into_owned(),
            });
        }
        return Ok(text);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(utf8) => {
            let at = utf8.valid_up_to();
            if charset == Charset::Auto {
                let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(bytes);
                if !had_errors && !text.contains('\u{0}') {
                    return Ok(Cow::Owned(text.into_owned()));
                }
            }
            let also = if charset == Charset::Auto {
                " (not Shift_JIS either)"
            } else {
                ""
            };
            Err(Undecodable {
                reason: format!("invalid UTF-8 at byte {at}{also}"),
                lossy: String::from_utf8_lossy(bytes).into_owned(),
            })
        }
    }
}

/// Offset of the first byte `encoding` cannot decode.
fn first_error(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 + 4);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => read.saturating_sub(usize::from(bad)),
        _ => read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(
            decode("監視 ok".as_bytes(), Charset::Auto),
            Ok(Cow::Borrowed("監視 ok"))
        ));
    }

    #[test]
    fn shift_jis_is_decoded_by_default() {
        let (sjis, _, _) = SHIFT_JIS.encode("ログイン失敗");
        assert_eq!(decode(&sjis, Charset::Auto).unwrap(), "ログイン失敗");
        assert_eq!(decode(&sjis, Charset::ShiftJis).unwrap(), "ログイン失敗");
        assert!(decode(&sjis, Charset::Utf8).is_err(), "strict UTF-8");
    }

    #[test]
    fn euc_jp_when_the_source_says_so() {
        let (euc, _, _) = EUC_JP.encode("不正アクセスを検知 user=山田");
        assert_eq!(
            decode(&euc, Charset::EucJp).unwrap(),
            "不正アクセスを検知 user=山田"
        );
        let err = decode(b"ok \x8e", Charset::EucJp).unwrap_err();
        assert!(err.reason.contains("EUC-JP at byte 3"), "{}", err.reason);
    }

    #[test]
    fn garbage_is_reported_with_offset() {
        let err = decode(b"abc\xff\xfe\x80", Charset::Auto).unwrap_err();
        assert!(err.reason.contains("byte 3"), "{}", err.reason);
        assert!(err.lossy.starts_with("abc\u{fffd}"));
    }

    #[test]
    fn charset_names_as_admins_write_them() {
        for (name, charset) in [
            ("UTF-8", Charset::Utf8),
            ("sjis", Charset::ShiftJis),
            ("CP932", Charset::ShiftJis),
            ("Shift_JIS", Charset::ShiftJis),
            ("euc-jp", Charset::EucJp),
            ("EUCJP", Charset::EucJp),
        ] {
            assert_eq!(name.parse::<Charset>(), Ok(charset), "{name}");
        }
        assert!("latin1".parse::<Charset>().unwrap_err().contains("euc-jp"));
    }
}
