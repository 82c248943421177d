//! `key=value` lists as appliances write them (FortiGate, many others):
//! values are bare words or double-quoted strings that may hold spaces and
//! `\"` escapes. Values borrow from the line unless they hold an escape.

use std::borrow::Cow;

/// Splits `input` into (key, value) pairs. Words without `=` are skipped;
/// an unterminated quote takes the rest of the line.
pub fn pairs(input: &str) -> Vec<(&str, Cow<'_, str>)> {
    let mut out = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let word_end = rest.find([' ', '=']).unwrap_or(rest.len());
        let (key, after) = rest.split_at(word_end);
        let Some(after) = after.strip_prefix('=') else {
            rest = after.trim_start();
            continue;
        };
        let (value, next) = match after.strip_prefix('"') {
            Some(quoted) => quoted_value(quoted),
            None => {
                let end = after.find(' ').unwrap_or(after.len());
                let (value, next) = after.split_at(end);
                (Cow::Borrowed(value), next)
            }
        };
        if !key.is_empty() {
            out.push((key, value));
        }
        rest = next.trim_start();
    }
    out
}

/// The value up to the closing quote (unescaping `\"` and `\\`), and what
/// follows it.
fn quoted_value(s: &str) -> (Cow<'_, str>, &str) {
    let end = s.find(['"', '\\']).unwrap_or(s.len());
    let (head, tail) = s.split_at(end);
    if let Some(rest) = tail.strip_prefix('"') {
        return (Cow::Borrowed(head), rest);
    }
    if tail.is_empty() {
        return (Cow::Borrowed(head), "");
    }
    let mut value = String::from(head);
    let mut chars = tail.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => return (Cow::Owned(value), ""),
            },
            '"' => return (Cow::Owned(value), tail.get(i + 1..).unwrap_or_default()),
            other => value.push(other),
        }
    }
    (Cow::Owned(value), "")
}

/// The value of `key` among `pairs`, if present and not empty.
pub fn get<'a>(pairs: &'a [(&str, Cow<'_, str>)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_ref())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_quoted_and_escaped_values() {
        let p = pairs(r#"a=1 b="two words" c="say \"hi\"" flag d= e="unterminated"#);
        let got: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        assert_eq!(
            got,
            vec![
                ("a", "1"),
                ("b", "two words"),
                ("c", "say \"hi\""),
                ("d", ""),
                ("e", "unterminated")
            ]
        );
        assert_eq!(get(&p, "b"), Some("two words"));
        assert_eq!(get(&p, "d"), None);
    }
}
