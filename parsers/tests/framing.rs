//! Property tests of the RFC 6587 decoder: whatever way a stream is cut
//! into reads, the same messages come out; no input makes it panic or
//! hold more than its limit.

use bannin_parsers::framing::{Decoder, Frame};
use proptest::prelude::*;

/// Feeds `stream` in pieces cut at `cuts` and collects every frame,
/// including the one `finish` returns.
fn decode(stream: &[u8], cuts: &[usize], max: usize) -> Result<Vec<Frame>, String> {
    let mut decoder = Decoder::new(max);
    let mut frames = Vec::new();
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    points.push(stream.len());
    points.sort_unstable();
    let mut from = 0;
    for to in points {
        decoder.feed(&stream[from..to]);
        from = to;
        while let Some(frame) = decoder.next_frame().map_err(|e| e.to_string())? {
            frames.push(frame);
        }
        // Once drained, at most one partial frame (and a length) is held.
        assert!(
            decoder.buffered() <= max + 11,
            "decoder holds {} bytes",
            decoder.buffered()
        );
    }
    if let Some(frame) = decoder.finish().map_err(|e| e.to_string())? {
        frames.push(frame);
    }
    Ok(frames)
}

/// A syslog message as senders write it: starts with `<`, no LF or NUL.
fn message() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no terminator", |b| *b != b'\n' && *b != 0),
        0..200,
    )
    .prop_map(|mut body| {
        let mut m = b"<13>".to_vec();
        m.append(&mut body);
        m
    })
}

proptest! {
    #[test]
    fn octet_counted_messages_survive_any_cuts(
        messages in proptest::collection::vec(message(), 1..20),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
    ) {
        let mut stream = Vec::new();
        for m in &messages {
            stream.extend_from_slice(format!("{} ", m.len()).as_bytes());
            stream.extend_from_slice(m);
        }
        let frames = decode(&stream, &cuts, 4096).unwrap();
        let got: Vec<Vec<u8>> = frames.into_iter().map(|f| f.bytes).collect();
        prop_assert_eq!(got, messages);
    }

    #[test]
    fn lf_framed_messages_survive_any_cuts(
        messages in proptest::collection::vec(message(), 1..20),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
        crlf in any::<bool>(),
    ) {
        let messages: Vec<Vec<u8>> = messages
            .into_iter()
            .map(|mut m| { while m.last() == Some(&b'\r') { m.pop(); } m })
            .collect();
        let mut stream = Vec::new();
        for m in &messages {
            stream.extend_from_slice(m);
            stream.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        let frames = decode(&stream, &cuts, 4096).unwrap();
        let got: Vec<Vec<u8>> = frames.into_iter().map(|f| f.bytes).collect();
        prop_assert_eq!(got, messages);
    }

    #[test]
    fn long_messages_are_cut_to_the_limit_with_their_length(
        messages in proptest::collection::vec(message(), 1..10),
        counted in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
    ) {
        let max = 32;
        // A CR before the LF is part of the line ending, not the message.
        let messages: Vec<Vec<u8>> = messages
            .into_iter()
            .map(|mut m| { while !counted && m.last() == Some(&b'\r') { m.pop(); } m })
            .collect();
        let mut stream = Vec::new();
        for m in &messages {
            if counted {
                stream.extend_from_slice(format!("{} ", m.len()).as_bytes());
                stream.extend_from_slice(m);
            } else {
                stream.extend_from_slice(m);
                stream.push(b'\n');
            }
        }
        let frames = decode(&stream, &cuts, max).unwrap();
        prop_assert_eq!(frames.len(), messages.len());
        for (frame, m) in frames.iter().zip(&messages) {
            let keep = m.len().min(max);
            prop_assert_eq!(&frame.bytes[..], &m[..keep]);
            prop_assert_eq!(frame.truncated_from, (m.len() > max).then_some(m.len()));
        }
    }

    #[test]
    fn garbage_never_panics_and_memory_stays_bounded(
        stream in proptest::collection::vec(any::<u8>(), 0..4096),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        // Errors are fine (a bad length ends the connection); panics and
        // frames longer than the limit are not.
        if let Ok(frames) = decode(&stream, &cuts, 64) {
            prop_assert!(frames.iter().all(|f| f.bytes.len() <= 64));
        }
    }
}
