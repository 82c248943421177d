//! Splitting an input into lines without trusting it: a line longer than
//! the limit is cut (the rest is skipped up to the next newline) instead of
//! growing memory without bound.

use std::io::{self, BufRead};

/// One line read from an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the input.
    pub number: u64,
    /// The bytes, without the trailing `\n` / `\r\n`, at most the limit.
    pub bytes: Vec<u8>,
    /// The full length when the line was longer than the limit.
    pub truncated_from: Option<usize>,
}

impl Line {
    /// The line, borrowed.
    pub fn as_ref(&self) -> LineRef<'_> {
        LineRef {
            number: self.number,
            bytes: &self.bytes,
            truncated_from: self.truncated_from,
        }
    }
}

/// A [`Line`] whose bytes are borrowed (a WAL record's, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef<'a> {
    pub number: u64,
    pub bytes: &'a [u8],
    pub truncated_from: Option<usize>,
}

/// Reads lines of at most `max_bytes` from a buffered reader.
pub struct BoundedLines<R> {
    reader: R,
    max_bytes: usize,
    number: u64,
    consumed: u64,
}

impl<R: BufRead> BoundedLines<R> {
    pub fn new(reader: R, max_bytes: usize) -> Self {
        Self {
            reader,
            max_bytes: max_bytes.max(1),
            number: 0,
            consumed: 0,
        }
    }

    /// Bytes of the input consumed so far: the end of the last line
    /// returned (its newline included).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        let mut bytes = Vec::new();
        let mut total = 0usize;
        let mut saw_any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            saw_any = true;
            let (take, found_newline) = match chunk.iter().position(|b| *b == b'\n') {
                Some(pos) => (pos, true),
                None => (chunk.len(), false),
            };
            let room = self.max_bytes.saturating_sub(bytes.len());
            bytes.extend_from_slice(chunk.get(..take.min(room)).unwrap_or_default());
            total += take;
            let consumed = if found_newline { take + 1 } else { take };
            self.reader.consume(consumed);
            self.consumed += consumed as u64;
            if found_newline {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        self.number += 1;
        if total <= self.max_bytes && bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        Ok(Some(Line {
            number: self.number,
            bytes,
            truncated_from: (total > self.max_bytes).then_some(total),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<Line> {
        let mut lines = BoundedLines::new(io::BufReader::with_capacity(4, input), max);
        std::iter::from_fn(|| lines.next_line().unwrap()).collect()
    }

    #[test]
    fn splits_lf_and_crlf_and_keeps_empty_lines() {
        let lines = all(b"a\r\n\nbc", 100);
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.number, l.bytes.as_slice()))
            .collect();
        assert_eq!(got, vec![(1, &b"a"[..]), (2, &b""[..]), (3, &b"bc"[..])]);
    }

    #[test]
    fn long_lines_are_cut_and_reported() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nnext\n");
        let lines = all(&input, 10);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes, vec![b'x'; 10]);
        assert_eq!(lines[0].truncated_from, Some(50));
        assert_eq!(lines[1].bytes, b"next");
        assert_eq!(lines[1].truncated_from, None);
    }

    #[test]
    fn consumed_bytes_end_at_the_last_line_returned() {
        let input = b"first\r\nsecond\nthird";
        let mut lines = BoundedLines::new(io::BufReader::with_capacity(4, &input[..]), 3);
        lines.next_line().unwrap();
        assert_eq!(lines.consumed(), 7);
        lines.next_line().unwrap();
        assert_eq!(lines.consumed(), 14);
        lines.next_line().unwrap();
        assert_eq!(lines.consumed(), input.len() as u64);
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(all(b"", 10).is_empty());
    }
}
