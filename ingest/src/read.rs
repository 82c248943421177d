//! Reading one input into rows: line by line, or — for cloud audit
//! records — as one JSON document (a CloudTrail `Records` file, an API
//! response), counting what became of everything read.

use std::io::{BufRead, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use bannin_parsers::{ParseError, Record, cloud};
use chrono::{DateTime, Utc};

use crate::batch::Row;
use crate::lines::BoundedLines;
use crate::route::{Routed, Router};
use crate::{Format, IngestError, Table};

/// Largest input read whole to try it as one JSON document; bigger inputs
/// are read line by line.
const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// Rows handed to the sink at a time.
const CHUNK_ROWS: usize = 1024;

/// What happened to the lines of one or more inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Lines read, empty ones included (for a JSON document: its records).
    pub lines: u64,
    /// Empty (or whitespace-only) lines: no record, nothing to keep.
    pub empty: u64,
    /// Header lines that describe later lines (W3C `#Fields:`).
    pub directives: u64,
    /// Rows written per table, in [`Table::ALL`] order.
    pub rows: [u64; Table::ALL.len()],
}

impl ImportStats {
    /// Rows written to `table`.
    pub fn count(&self, table: Table) -> u64 {
        self.rows.get(table.index()).copied().unwrap_or(0)
    }

    /// Records read and kept in the lake: every line that is not empty or
    /// a directive, exactly once — or each record of a JSON document of
    /// cloud records, which may share one line. `mail` rows are not among
    /// them: they are correlated from Postfix lines, kept as `syslog`.
    pub fn records(&self) -> u64 {
        self.rows.iter().sum::<u64>() - self.count(Table::Mail)
    }

    pub(crate) fn add(&mut self, other: &ImportStats) {
        self.lines += other.lines;
        self.empty += other.empty;
        self.directives += other.directives;
        for (total, n) in self.rows.iter_mut().zip(other.rows) {
            *total += n;
        }
    }

    fn count_rows(&mut self, rows: &[Row]) {
        for row in rows {
            if let Some(n) = self.rows.get_mut(row.table().index()) {
                *n += 1;
            }
        }
    }
}

/// Reads every record of `reader` and hands its rows to `sink` in input
/// order, a chunk at a time; `reference` anchors year-less times. A
/// `cloud` input (or, with `auto`, an input that starts with `[` or `{`
/// and is one JSON document of cloud records) is read as a whole document;
/// anything else line by line.
pub fn read_input(
    router: &mut Router,
    reader: impl BufRead,
    source: &str,
    reference: DateTime<Utc>,
    mut sink: impl FnMut(Vec<Row>) -> Result<(), IngestError>,
) -> Result<ImportStats, ImportReadError> {
    read_input_at(
        router,
        reader,
        source,
        reference,
        Start::Beginning,
        |_, chunk| sink(chunk.rows),
    )
}

/// Rows of an input handed over together.
#[derive(Debug)]
pub struct Chunk {
    pub rows: Vec<Row>,
    /// Bytes of the reader the rows account for: the end of the last line
    /// read, or `None` inside a JSON document (no line boundary to resume
    /// from).
    pub at: Option<u64>,
    /// Lines (records) read so far.
    pub lines: u64,
}

/// Where reading an input starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At its first byte: the state of the previous input (a W3C header)
    /// is forgotten, and the input may be one JSON document.
    Beginning,
    /// Further lines of an input already begun (a resumed or followed
    /// file): its state is kept, and it is read line by line.
    Continued,
}

/// As [`read_input`], handing `sink` the router (its state matches the
/// rows handed so far) and each [`Chunk`] with the position it reached.
pub fn read_input_at(
    router: &mut Router,
    mut reader: impl BufRead,
    source: &str,
    reference: DateTime<Utc>,
    start: Start,
    mut sink: impl FnMut(&mut Router, Chunk) -> Result<(), IngestError>,
) -> Result<ImportStats, ImportReadError> {
    let ctx = bannin_parsers::ParseContext {
        reference,
        offset: router.options().offset,
    };
    let source: Arc<str> = Arc::from(source);
    let source = &source;
    let mut stats = ImportStats::default();
    let mut rows = Vec::new();
    let mut hand_over =
        |router: &mut Router, rows: &mut Vec<Row>, stats: &mut ImportStats, at: Option<u64>| {
            stats.count_rows(rows);
            let chunk = Chunk {
                rows: std::mem::take(rows),
                at,
                lines: stats.lines,
            };
            sink(router, chunk).map_err(ImportReadError::Ingest)
        };
    let head = match start {
        Start::Beginning => {
            router.start_input();
            peek_document(&mut reader, router.options().format).map_err(ImportReadError::Io)?
        }
        Start::Continued => Peeked::Lines(Vec::new()),
    };
    let reader: Box<dyn BufRead + '_> = match head {
        Peeked::Document(text) => {
            for record in cloud::split_document(&text).unwrap_or_default() {
                stats.lines += 1;
                let parsed: Result<Record, ParseError> = record.parsed.map(Record::from);
                router.push_parsed(parsed, record.raw.to_owned(), source, Utc::now(), &mut rows);
                if rows.len() >= CHUNK_ROWS {
                    hand_over(router, &mut rows, &mut stats, None)?;
                }
            }
            hand_over(router, &mut rows, &mut stats, Some(text.len() as u64))?;
            return Ok(stats);
        }
        Peeked::Lines(bytes) => Box::new(Cursor::new(bytes).chain(reader)),
    };
    let mut lines = BoundedLines::new(reader, router.options().max_line_bytes);
    while let Some(line) = lines.next_line().map_err(ImportReadError::Io)? {
        stats.lines += 1;
        match router.route(line.as_ref(), &ctx, source, Utc::now(), &mut rows) {
            Routed::Empty => stats.empty += 1,
            Routed::Directive => stats.directives += 1,
            Routed::Rows => {}
        }
        if rows.len() >= CHUNK_ROWS {
            hand_over(router, &mut rows, &mut stats, Some(lines.consumed()))?;
        }
    }
    hand_over(router, &mut rows, &mut stats, Some(lines.consumed()))?;
    Ok(stats)
}

/// Failure while reading an input.
#[derive(Debug, thiserror::Error)]
pub enum ImportReadError {
    #[error("read failed: {0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Ingest(IngestError),
}

impl ImportReadError {
    /// The error of reading the file at `path`.
    pub fn reading(self, path: &Path) -> IngestError {
        match self {
            ImportReadError::Io(source) => IngestError::Read {
                path: path.to_path_buf(),
                source,
            },
            ImportReadError::Ingest(e) => e,
        }
    }
}

/// The start of an input, looked at to decide how to read it.
enum Peeked {
    /// One JSON document of cloud records, whole.
    Document(String),
    /// Lines: the bytes read so far, to be read again.
    Lines(Vec<u8>),
}

/// Reads a JSON document whole when the format asks for one: `cloud`
/// always tries, `auto` when the input starts with `[` or `{` and is
/// one document (not NDJSON). Otherwise returns what was read, unparsed.
fn peek_document(reader: &mut impl BufRead, format: Format) -> std::io::Result<Peeked> {
    if !matches!(format, Format::Auto | Format::Cloud) {
        return Ok(Peeked::Lines(Vec::new()));
    }
    let first = reader
        .fill_buf()?
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    if !matches!(first, Some(b'[' | b'{')) {
        return Ok(Peeked::Lines(Vec::new()));
    }
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Ok(Peeked::Lines(bytes));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Ok(Peeked::Lines(e.into_bytes())),
    };
    if cloud::split_document(&text).is_some() {
        Ok(Peeked::Document(text))
    } else {
        Ok(Peeked::Lines(text.into_bytes()))
    }
}
