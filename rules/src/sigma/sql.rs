//! SQL text for values: quoted literals and LIKE patterns from Sigma
//! strings (with `*` / `?` wildcards and `\` escapes).

/// A SQL string literal for `text`. Quotes are doubled; braces are written
/// as `chr(123)` / `chr(125)` so a rule's `{placeholder}` substitution can
/// never reach into a value.
pub fn quote(text: &str) -> String {
    if !text.contains(['{', '}']) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '{' | '}' => {
                if !current.is_empty() {
                    parts.push(format!("'{}'", current.replace('\'', "''")));
                    current.clear();
                }
                parts.push(format!("chr({})", u32::from(c)));
            }
            other => current.push(other),
        }
    }
    if !current.is_empty() {
        parts.push(format!("'{}'", current.replace('\'', "''")));
    }
    format!("concat({})", parts.join(", "))
}

/// One character of a Sigma string value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Char(char),
    /// `*`: any run of characters.
    Many,
    /// `?`: one character.
    One,
}

/// Reads a Sigma string: `*` and `?` are wildcards, `\*`, `\?` and `\\`
/// their literal characters; any other backslash is itself.
pub fn pieces(value: &str) -> Vec<Piece> {
    let mut out = Vec::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    out.push(Piece::Char(next));
                    chars.next();
                }
                _ => out.push(Piece::Char('\\')),
            },
            '*' => out.push(Piece::Many),
            '?' => out.push(Piece::One),
            other => out.push(Piece::Char(other)),
        }
    }
    out
}

/// The text of pieces without wildcards, if there are none.
pub fn plain(pieces: &[Piece]) -> Option<String> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// A LIKE pattern (escape character `\`) for pieces, with `%` before
/// and/or after for contains / endswith / startswith.
pub fn like_pattern(pieces: &[Piece], any_before: bool, any_after: bool) -> String {
    let mut out = String::with_capacity(pieces.len() + 2);
    if any_before {
        out.push('%');
    }
    for piece in pieces {
        match piece {
            Piece::Many => out.push('%'),
            Piece::One => out.push('_'),
            Piece::Char(c @ ('%' | '_' | '\\')) => {
                out.push('\\');
                out.push(*c);
            }
            Piece::Char(c) => out.push(*c),
        }
    }
    if any_after {
        out.push('%');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_quotes_and_hides_braces() {
        assert_eq!(quote("O'Brien"), "'O''Brien'");
        assert_eq!(quote("a{b}"), "concat('a', chr(123), 'b', chr(125))");
        assert_eq!(quote("{"), "concat(chr(123))");
    }

    #[test]
    fn reads_wildcards_and_escapes() {
        let p = pieces(r"a*b?c\*d\?e\\f\g");
        assert_eq!(
            plain(&p[..1]),
            Some("a".to_string()),
            "a prefix without wildcards is plain"
        );
        assert_eq!(plain(&p), None);
        assert_eq!(like_pattern(&p, false, false), r"a%b_c*d?e\\f\\g");
        assert_eq!(plain(&pieces(r"C:\Windows\*")), Some(r"C:\Windows*".into()));
    }

    #[test]
    fn escapes_like_wildcards_in_values() {
        let p = pieces("100%_done");
        assert_eq!(like_pattern(&p, true, true), r"%100\%\_done%");
        assert_eq!(like_pattern(&pieces("x*"), false, true), "x%%");
        assert_eq!(like_pattern(&pieces("x%"), false, true), r"x\%%");
    }
}
