//! Syslog over a byte stream (TCP, TLS): splitting it into messages, as
//! RFC 6587 describes. Two framings are in use:
//!
//! - octet counting: `MSG-LEN SP SYSLOG-MSG`, e.g. `27 <13>1 2026-11-23T… msg`
//!   (rsyslog's `TCP_Framing="octet-counted"`, RFC 5425 over TLS);
//! - non-transparent framing: each message ends with LF (or NUL, or
//!   CRLF), what most appliances and `logger` send.
//!
//! The framing is recognized at the start of every frame, as rsyslog
//! does: a frame that starts with digits and a space is octet-counted,
//! anything else runs to the next LF. (A syslog message itself starts
//! with `<`, so the two cannot be confused for well-formed senders.)
//!
//! The decoder never holds more than the frame limit plus a little: a
//! longer frame is cut to the limit, reported with its real length, and
//! the rest of it is skipped.

/// One message taken off the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The message, at most the frame limit, without its trailer.
    pub bytes: Vec<u8>,
    /// The full length when the message was longer than the limit.
    pub truncated_from: Option<usize>,
}

/// A stream that cannot be framed any further; the connection should be
/// closed after this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("octet count `{0}` is not a valid length")]
    BadLength(String),
    #[error("stream ended {missing} bytes short of an octet-counted frame of {length}")]
    Truncated { length: usize, missing: usize },
}

/// Longest octet count accepted (digits), whatever the frame limit.
const MAX_LENGTH_DIGITS: usize = 10;

/// What the decoder is in the middle of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a frame.
    Start,
    /// Inside an octet-counted frame of this length.
    Counted { length: usize },
    /// Inside an LF-terminated frame.
    Lf,
    /// Skipping the rest of an oversized frame; `remaining` for counted
    /// frames, `None` for LF frames (skip to the next LF).
    Skipping { remaining: Option<usize> },
}

/// Splits a byte stream into syslog frames. Feed it bytes as they arrive
/// and take frames out until it has none.
#[derive(Debug, Clone)]
pub struct Decoder {
    max_frame: usize,
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    pos: usize,
    state: State,
    /// Bytes of an oversized frame seen so far (kept ones and skipped).
    oversized_len: usize,
    /// An oversized frame's kept part, emitted once its end is seen.
    oversized: Option<Vec<u8>>,
    failed: bool,
}

impl Decoder {
    /// A decoder that keeps at most `max_frame` bytes of any message.
    pub fn new(max_frame: usize) -> Self {
        Self {
            max_frame: max_frame.max(1),
            buf: Vec::new(),
            pos: 0,
            state: State::Start,
            oversized_len: 0,
            oversized: None,
            failed: false,
        }
    }

    /// Appends bytes read from the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > self.max_frame {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes held and not yet returned as a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    /// After an error the stream cannot be resynchronized: every later
    /// call returns the same kind of error.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if self.failed {
            return Err(FrameError::BadLength("(stream already failed)".into()));
        }
        loop {
            let rest = self.buf.get(self.pos..).unwrap_or_default();
            match self.state {
                State::Start => {
                    let Some(&first) = rest.first() else {
                        return Ok(None);
                    };
                    if first == b'\n' || first == b'\r' || first == 0 {
                        self.pos += 1;
                        continue;
                    }
                    if !first.is_ascii_digit() {
                        self.state = State::Lf;
                        continue;
                    }
                    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                    match rest.get(digits) {
                        None if digits <= MAX_LENGTH_DIGITS => return Ok(None),
                        Some(b' ') if digits <= MAX_LENGTH_DIGITS => {
                            // ASCII digits: parsed without a copy (one per
                            // message otherwise), owned only for the error.
                            let text = std::str::from_utf8(rest.get(..digits).unwrap_or_default())
                                .unwrap_or_default();
                            let Some(length) = text.parse::<usize>().ok().filter(|n| *n > 0) else {
                                let text = text.to_owned();
                                return Err(self.fail(text));
                            };
                            self.pos += digits + 1;
                            self.state = State::Counted { length };
                        }
                        // Digits not followed by a space: a message that
                        // happens to start with a digit, LF-framed.
                        _ => self.state = State::Lf,
                    }
                }
                State::Counted { length } => {
                    if length > self.max_frame {
                        let keep = rest.len().min(self.max_frame);
                        if keep < self.max_frame && rest.len() < length {
                            return Ok(None);
                        }
                        self.oversized = rest.get(..keep).map(<[u8]>::to_vec);
                        self.oversized_len = length;
                        self.pos += keep;
                        self.state = State::Skipping {
                            remaining: Some(length - keep),
                        };
                        continue;
                    }
                    let Some(message) = rest.get(..length) else {
                        return Ok(None);
                    };
                    let frame = Frame {
                        bytes: message.to_vec(),
                        truncated_from: None,
                    };
                    self.pos += length;
                    self.state = State::Start;
                    return Ok(Some(frame));
                }
                State::Lf => {
                    let end = rest.iter().position(|b| *b == b'\n' || *b == 0);
                    match end {
                        Some(end) if end <= self.max_frame => {
                            let message = rest.get(..end).unwrap_or_default();
                            let message = message.strip_suffix(b"\r").unwrap_or(message);
                            let frame = Frame {
                                bytes: message.to_vec(),
                                truncated_from: None,
                            };
                            self.pos += end + 1;
                            self.state = State::Start;
                            return Ok(Some(frame));
                        }
                        _ if rest.len() > self.max_frame => {
                            self.oversized = rest.get(..self.max_frame).map(<[u8]>::to_vec);
                            self.oversized_len = self.max_frame;
                            self.pos += self.max_frame;
                            self.state = State::Skipping { remaining: None };
                        }
                        _ => return Ok(None),
                    }
                }
                State::Skipping { remaining } => {
                    let (skip, done) = match remaining {
                        Some(n) => (n.min(rest.len()), n <= rest.len()),
                        None => match rest.iter().position(|b| *b == b'\n' || *b == 0) {
                            Some(end) => (end + 1, true),
                            None => (rest.len(), false),
                        },
                    };
                    self.pos += skip;
                    if remaining.is_none() {
                        self.oversized_len += if done { skip - 1 } else { skip };
                    }
                    if !done {
                        if let Some(n) = remaining {
                            self.state = State::Skipping {
                                remaining: Some(n - skip),
                            };
                        }
                        return Ok(None);
                    }
                    self.state = State::Start;
                    let kept = self.oversized.take().unwrap_or_default();
                    return Ok(Some(Frame {
                        bytes: kept,
                        truncated_from: Some(self.oversized_len),
                    }));
                }
            }
        }
    }

    fn fail(&mut self, text: String) -> FrameError {
        self.failed = true;
        FrameError::BadLength(text)
    }

    /// The end of the stream: an LF frame without its LF is still a
    /// message; a cut octet-counted frame is an error.
    pub fn finish(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(frame) = self.next_frame()? {
            return Ok(Some(frame));
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default().to_vec();
        self.pos = self.buf.len();
        let state = std::mem::replace(&mut self.state, State::Start);
        match state {
            State::Counted { length } => Err(FrameError::Truncated {
                length,
                missing: length.saturating_sub(rest.len()),
            }),
            State::Skipping {
                remaining: Some(missing),
            } => Err(FrameError::Truncated {
                length: self.oversized_len,
                missing,
            }),
            State::Skipping { remaining: None } => Ok(Some(Frame {
                bytes: self.oversized.take().unwrap_or_default(),
                truncated_from: Some(self.oversized_len),
            })),
            State::Start | State::Lf if rest.is_empty() => Ok(None),
            // Bare digits at the very end: a message, not a length.
            State::Start | State::Lf => Ok(Some(Frame {
                bytes: rest,
                truncated_from: None,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(decoder: &mut Decoder) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(frame) = decoder.next_frame().unwrap() {
            out.push(frame);
        }
        out
    }

    fn texts(frames: &[Frame]) -> Vec<String> {
        frames
            .iter()
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect()
    }

    #[test]
    fn octet_counted_frames_split_anywhere() {
        let stream = b"11 <13>1 - - a12 <13>1 - - bc";
        for cut in 0..stream.len() {
            let mut d = Decoder::new(1024);
            d.feed(&stream[..cut]);
            let mut frames = all(&mut d);
            d.feed(&stream[cut..]);
            frames.extend(all(&mut d));
            assert_eq!(
                texts(&frames),
                ["<13>1 - - a", "<13>1 - - bc"],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn lf_crlf_and_nul_terminated_frames() {
        let mut d = Decoder::new(1024);
        d.feed(b"<13>a\n<13>b\r\n<13>c\0\n\n<13>d");
        assert_eq!(texts(&all(&mut d)), ["<13>a", "<13>b", "<13>c"]);
        assert_eq!(texts(&[d.finish().unwrap().unwrap()]), ["<13>d"]);
        assert_eq!(d.finish().unwrap(), None);
    }

    #[test]
    fn mixed_framing_is_recognized_per_frame() {
        let mut d = Decoder::new(1024);
        d.feed(b"5 <1>ab<13>lf line\n2026-11-23 file-like line\n3 xyz");
        assert_eq!(
            texts(&all(&mut d)),
            ["<1>ab", "<13>lf line", "2026-11-23 file-like line", "xyz"]
        );
    }

    #[test]
    fn oversized_frames_are_cut_and_reported() {
        let mut d = Decoder::new(4);
        d.feed(b"10 0123456789");
        d.feed(b"3 abc");
        let frames = all(&mut d);
        assert_eq!(frames[0].bytes, b"0123");
        assert_eq!(frames[0].truncated_from, Some(10));
        assert_eq!(frames[1].bytes, b"abc");
        let mut d = Decoder::new(4);
        d.feed(b"<13>long line");
        assert!(all(&mut d).is_empty());
        assert!(d.buffered() <= 9);
        d.feed(b" still\n<1>x\n");
        let frames = all(&mut d);
        assert_eq!(frames[0].bytes, b"<13>");
        assert_eq!(frames[0].truncated_from, Some(19));
        assert_eq!(frames[1].bytes, b"<1>x");
    }

    #[test]
    fn bad_and_truncated_streams_fail_clearly() {
        let mut d = Decoder::new(64);
        d.feed(b"0 <13>x");
        assert_eq!(d.next_frame(), Err(FrameError::BadLength("0".into())));
        assert!(d.next_frame().is_err(), "a failed stream stays failed");
        let mut d = Decoder::new(64);
        d.feed(b"99999999999 x");
        // Eleven digits is no length: read as an LF frame instead.
        assert_eq!(d.finish().unwrap().unwrap().bytes, b"99999999999 x");
        let mut d = Decoder::new(64);
        d.feed(b"20 <13>short");
        assert_eq!(d.next_frame(), Ok(None));
        assert_eq!(
            d.finish(),
            Err(FrameError::Truncated {
                length: 20,
                missing: 11
            })
        );
    }
}
