//! Bytes → text. UTF-8 first; Japanese appliances still write Shift_JIS,
//! so a line that is not UTF-8 but is clean Shift_JIS is decoded as such.

use std::borrow::Cow;

use encoding_rs::SHIFT_JIS;

/// A line that is neither UTF-8 nor Shift_JIS: the reason, and the bytes
/// with invalid sequences replaced (U+FFFD) so the row can still be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    pub reason: String,
    pub lossy: String,
}

/// Decodes one line.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Undecodable> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(utf8) => {
            let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(bytes);
            if !had_errors && !text.contains('\u{0}') {
                return Ok(Cow::Owned(text.into_owned()));
            }
            Err(Undecodable {
                reason: format!(
                    "invalid UTF-8 at byte {} (not Shift_JIS either)",
                    utf8.valid_up_to()
                ),
                lossy: String::from_utf8_lossy(bytes).into_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(
            decode("監視 ok".as_bytes()),
            Ok(Cow::Borrowed("監視 ok"))
        ));
    }

    #[test]
    fn shift_jis_is_decoded() {
        let (sjis, _, _) = SHIFT_JIS.encode("ログイン失敗");
        assert_eq!(decode(&sjis).unwrap(), "ログイン失敗");
    }

    #[test]
    fn garbage_is_reported_with_offset() {
        let err = decode(b"abc\xff\xfe\x80").unwrap_err();
        assert!(err.reason.contains("byte 3"), "{}", err.reason);
        assert!(err.lossy.starts_with("abc\u{fffd}"));
    }
}
