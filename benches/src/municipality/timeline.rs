//! One output's lines, collected out of order and sorted once at the end.

/// Lines keyed by when they happened (`K` is any ordered time key).
#[derive(Debug)]
pub(super) struct Timeline<K> {
    lines: Vec<(K, String)>,
}

impl<K: Ord + Copy> Timeline<K> {
    pub(super) fn new() -> Self {
        Self { lines: Vec::new() }
    }

    pub(super) fn push(&mut self, at: K, line: String) {
        self.lines.push((at, line));
    }

    /// The lines in time order; lines with the same time keep the order they
    /// were pushed in.
    pub(super) fn into_lines(mut self) -> Vec<String> {
        self.lines.sort_by_key(|(at, _)| *at);
        self.lines.into_iter().map(|(_, line)| line).collect()
    }
}
