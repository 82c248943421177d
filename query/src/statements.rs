//! Splitting SQL text into statements at `;`, outside quotes and comments
//! (for `bannin sql -f`, the REPL and the PostgreSQL simple query protocol).

/// The statements of `text` that end in `;`, trimmed and without the `;`,
/// and what follows the last `;` (an unfinished statement; empty or
/// whitespace-only if none). Empty statements (`;;`) are skipped.
pub fn split(text: &str) -> (Vec<String>, &str) {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut state = State::Code;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        state = match (state, c) {
            (State::Code, '\'') => State::Quoted('\''),
            (State::Code, '"') => State::Quoted('"'),
            (State::Code, '-') if next == Some('-') => State::LineComment,
            (State::Code, '/') if next == Some('*') => {
                chars.next();
                State::BlockComment
            }
            (State::Code, ';') => {
                push(&mut statements, text.get(start..i).unwrap_or_default());
                start = i + c.len_utf8();
                State::Code
            }
            // A doubled quote inside a quoted string is the quote itself.
            (State::Quoted(q), c) if c == q && next == Some(q) => {
                chars.next();
                State::Quoted(q)
            }
            (State::Quoted(q), c) if c == q => State::Code,
            (State::LineComment, '\n') => State::Code,
            (State::BlockComment, '*') if next == Some('/') => {
                chars.next();
                State::Code
            }
            (state, _) => state,
        };
    }
    (statements, text.get(start..).unwrap_or_default())
}

/// All statements of `text`, the last one with or without its `;`.
pub fn split_all(text: &str) -> Vec<String> {
    let (mut statements, rest) = split(text);
    push(&mut statements, rest);
    statements
}

/// Whether `text` holds only whitespace and comments.
pub fn is_blank(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else {
            return rest.is_empty();
        }
        rest = rest.trim_start();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

fn push(statements: &mut Vec<String>, statement: &str) {
    if !is_blank(statement) {
        statements.push(statement.trim().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_semicolons_outside_quotes_and_comments() {
        let text = "SELECT 'a;b' AS x;\n-- count; them\nSELECT \"we;ird\" FROM t /* ; */;\n;\nSELECT 'it''s;'";
        let (statements, rest) = split(text);
        assert_eq!(
            statements,
            vec![
                "SELECT 'a;b' AS x",
                "-- count; them\nSELECT \"we;ird\" FROM t /* ; */",
            ]
        );
        assert_eq!(rest.trim(), "SELECT 'it''s;'");
        assert_eq!(split_all(text).len(), 3);
    }

    #[test]
    fn an_unfinished_statement_is_left_over() {
        let (statements, rest) = split("SELECT user\nFROM auth\nWHERE outcome = 'fail;");
        assert!(statements.is_empty());
        assert!(rest.starts_with("SELECT user"));
        let (statements, rest) = split("SELECT 1;  ");
        assert_eq!(statements, vec!["SELECT 1"]);
        assert!(is_blank(rest));
    }

    #[test]
    fn comments_only_is_blank() {
        assert!(is_blank("  -- nothing here\n /* nor; here */ \n"));
        assert!(!is_blank("-- a comment\nSELECT 1"));
        assert!(split_all("-- only a comment;").is_empty());
    }
}
