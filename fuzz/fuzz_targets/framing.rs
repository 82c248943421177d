//! RFC 6587 framing: the stream is fed in pieces whose sizes come from
//! the input itself; frames never exceed the limit.
#![no_main]

use bannin_parsers::framing::Decoder;
use libfuzzer_sys::fuzz_target;

const MAX: usize = 256;

fuzz_target!(|data: &[u8]| {
    let Some((&step, stream)) = data.split_first() else {
        return;
    };
    let step = usize::from(step).max(1);
    let mut decoder = Decoder::new(MAX);
    for piece in stream.chunks(step) {
        decoder.feed(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => assert!(frame.bytes.len() <= MAX),
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert!(decoder.buffered() <= MAX + 11 + step);
    }
    let _ = decoder.finish();
});
