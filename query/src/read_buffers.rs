//! Reused buffers for the byte ranges a query reads from lake files.
//!
//! A scan reads each row group's column chunks into fresh buffers of a
//! few MiB and drops them a moment later. Fresh memory is memory the
//! kernel must zero on first touch: that was 10–20 % of a scan-heavy
//! query's time (benches/README.md, issue 5). A dropped buffer here goes
//! back to a small pool that the next read takes it from, already mapped.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

use bytes::Bytes;

/// The most buffer capacity the pool keeps; beyond it, dropped buffers
/// are freed.
const POOL_BYTES: usize = 64 << 20;
/// Buffers are allocated in steps of this many bytes, so that one fits
/// the next read of a similar size.
const STEP: usize = 1 << 20;

static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// `ranges` of `file`, each in a pooled buffer that returns to the pool
/// when the last `Bytes` pointing into it is dropped.
pub fn read_ranges(file: &File, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
    ranges
        .iter()
        .map(|range| {
            let len = usize::try_from(range.end.saturating_sub(range.start))
                .map_err(|_| io::Error::other("range too large"))?;
            let mut buffer = take(len);
            file.read_exact_at(&mut buffer.0, range.start)?;
            Ok(Bytes::from_owner(buffer))
        })
        .collect()
}

/// A buffer of exactly `len` initialised bytes, from the pool if one is
/// large enough (the best fit), else new.
fn take(len: usize) -> Pooled {
    let pooled = POOL.lock().ok().and_then(|mut pool| {
        let best = pool
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= len)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i)?;
        Some(pool.swap_remove(best))
    });
    let mut buffer = pooled.unwrap_or_else(|| Vec::with_capacity(len.div_ceil(STEP).max(1) * STEP));
    // Bytes already written by an earlier read are not zeroed again.
    buffer.resize(len, 0);
    Pooled(buffer)
}

/// A buffer that goes back to the pool when dropped.
struct Pooled(Vec<u8>);

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let buffer = std::mem::take(&mut self.0);
        if let Ok(mut pool) = POOL.lock() {
            let held: usize = pool.iter().map(Vec::capacity).sum();
            if held + buffer.capacity() <= POOL_BYTES {
                pool.push(buffer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn ranges_read_the_file_bytes_also_into_reused_buffers() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("data");
        let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        File::create(&path)
            .and_then(|mut f| f.write_all(&content))
            .unwrap_or_else(|e| panic!("{e}"));
        let file = File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let ranges = [0..10, 5..2_500_000, 2_999_990..3_000_000, 7..7];
        // Twice: the second time the buffers of the first (dropped, with
        // longer earlier contents) are taken again.
        for _ in 0..2 {
            let read = read_ranges(&file, &ranges).unwrap_or_else(|e| panic!("{e}"));
            for (bytes, range) in read.iter().zip(&ranges) {
                let expected = content.get(range.start as usize..range.end as usize);
                assert_eq!(Some(bytes.as_ref()), expected);
            }
        }
        // Past the end of the file is an error, not short or padded bytes.
        let past_end = std::iter::once(2_999_990..3_000_001).collect::<Vec<_>>();
        assert!(read_ranges(&file, &past_end).is_err());
    }
}
