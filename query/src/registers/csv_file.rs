//! Reading one register file: bytes → text (UTF-8 with or without BOM, or
//! Shift_JIS/CP932 as Excel on Japanese Windows saves CSV) → CSV rows whose
//! columns are found by header name (English or Japanese alias).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{RegisterError, value};

/// A column a register knows: its canonical (English) name, the other
/// header texts accepted for it, and whether a file must have it.
pub(crate) struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Column {
    pub const fn required(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Self {
            name,
            aliases,
            required: true,
        }
    }

    pub const fn optional(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Self {
            name,
            aliases,
            required: false,
        }
    }
}

/// The `tenant` column most registers have (blank: every tenant).
pub(crate) const TENANT: Column = Column::optional("tenant", &["団体", "団体id", "テナント"]);

/// The free-text `notes` column.
pub(crate) const NOTES: Column = Column::optional("notes", &["備考", "メモ"]);

/// A parsed register file: its rows, with columns looked up by canonical name.
pub(crate) struct CsvFile {
    file: String,
    /// Canonical column name → (index in the record, header as written).
    columns: HashMap<&'static str, (usize, String)>,
    records: Vec<(u64, csv::StringRecord)>,
    /// Headers no column claimed (kept so the caller can warn about them).
    pub unknown_headers: Vec<String>,
}

impl CsvFile {
    /// Parses `bytes`, named `file` in messages, against `known` columns.
    pub fn parse(file: &str, bytes: &[u8], known: &[Column]) -> Result<Self, RegisterError> {
        let text = decode(file, bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        let mut columns = HashMap::new();
        let mut unknown_headers = Vec::new();
        for (index, written) in headers.iter().enumerate() {
            let header = normalise_header(written);
            if header.is_empty() {
                continue;
            }
            let Some(column) = known.iter().find(|c| {
                c.name == header || c.aliases.iter().any(|a| normalise_header(a) == header)
            }) else {
                unknown_headers.push(written.trim().to_owned());
                continue;
            };
            if let Some((_, first)) = columns.get(column.name) {
                return Err(RegisterError::File {
                    file: file.to_owned(),
                    message: format!(
                        "columns \"{first}\" and \"{}\" both mean {}",
                        written.trim(),
                        column.name
                    ),
                });
            }
            columns.insert(column.name, (index, written.trim().to_owned()));
        }
        for column in known.iter().filter(|c| c.required) {
            if !columns.contains_key(column.name) {
                return Err(RegisterError::File {
                    file: file.to_owned(),
                    message: format!(
                        "required column {} is missing (header row may call it {})",
                        column.name,
                        std::iter::once(column.name)
                            .chain(column.aliases.iter().copied())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    ),
                });
            }
        }
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(file, &e))?;
            if record.iter().all(|field| field.trim().is_empty()) {
                continue; // Excel leaves rows of empty cells behind
            }
            let line = record
                .position()
                .map_or(0, |p| record_line(&text, p.byte()));
            records.push((line, record));
        }
        Ok(Self {
            file: file.to_owned(),
            columns,
            records,
            unknown_headers,
        })
    }

    /// The file's name as used in messages.
    pub fn name(&self) -> &str {
        &self.file
    }

    /// The data rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |(line, record)| Row {
            file: self,
            line: *line,
            record,
        })
    }
}

/// One data row of a register file.
pub(crate) struct Row<'a> {
    file: &'a CsvFile,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// Line of the row in the file (the header is line 1).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The trimmed cell of a column; `None` when the file has no such
    /// column or the cell is blank.
    pub fn text(&self, column: &str) -> Option<&str> {
        let (index, _) = self.file.columns.get(column)?;
        let cell = self.record.get(*index)?.trim_matches(is_blank);
        (!cell.is_empty()).then_some(cell)
    }

    /// A cell that must not be blank.
    pub fn required(&self, column: &str) -> Result<&str, RegisterError> {
        self.text(column)
            .ok_or_else(|| self.error(format!("{} is empty", self.header(column))))
    }

    /// A cell converted by `convert`, whose error completes
    /// `<column> "<value>" …`; `None` when blank.
    pub fn parsed<T>(
        &self,
        column: &str,
        convert: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, RegisterError> {
        let Some(value) = self.text(column) else {
            return Ok(None);
        };
        self.parsed_cell(column, value, convert).map(Some)
    }

    /// A required cell converted by `convert`.
    pub fn parsed_required<T>(
        &self,
        column: &str,
        convert: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, RegisterError> {
        self.required(column)?;
        self.parsed(column, convert)?
            .ok_or_else(|| self.error(format!("{} is empty", self.header(column))))
    }

    /// One value of a multi-valued cell converted by `convert`.
    pub fn parsed_cell<T>(
        &self,
        column: &str,
        value: &str,
        convert: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, RegisterError> {
        convert(value)
            .map_err(|problem| self.error(format!("{} \"{value}\" {problem}", self.header(column))))
    }

    /// A multi-valued cell (values separated by `;`, `,`, `、` or line
    /// breaks), each value converted; empty when blank.
    pub fn list<T>(
        &self,
        column: &str,
        convert: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, RegisterError> {
        let Some(cell) = self.text(column) else {
            return Ok(Vec::new());
        };
        split_list(cell)
            .map(|value| self.parsed_cell(column, value, &convert))
            .collect()
    }

    /// A validity period from two date columns; the start may not come
    /// after the end.
    pub fn period(
        &self,
        from: &str,
        until: &str,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), RegisterError> {
        let start = self.parsed(from, value::date)?;
        let end = self.parsed(until, value::date)?;
        if let (Some(start), Some(end)) = (start, end)
            && start > end
        {
            return Err(self.error(format!(
                "{} {start} is after {} {end}",
                self.header(from),
                self.header(until)
            )));
        }
        Ok((start, end))
    }

    /// An error about this row.
    pub fn error(&self, message: String) -> RegisterError {
        RegisterError::Row {
            file: self.file.file.clone(),
            line: self.line,
            message,
        }
    }

    /// The header of a column as the file writes it (for messages).
    fn header(&self, column: &str) -> String {
        self.file
            .columns
            .get(column)
            .map_or_else(|| column.to_owned(), |(_, written)| written.clone())
    }
}

/// Remembers the keys seen in a file, so a second row with the same key is
/// reported with the line of the first.
pub(crate) struct Keys {
    seen: HashMap<String, u64>,
}

impl Keys {
    pub fn new() -> Self {
        Self {
            seen: HashMap::new(),
        }
    }

    /// Records `key` for `row`; `what` describes the key in the message.
    pub fn check(&mut self, row: &Row<'_>, key: String, what: &str) -> Result<(), RegisterError> {
        if let Some(first) = self.seen.get(&key) {
            return Err(row.error(format!("duplicate {what} (first on line {first})")));
        }
        self.seen.insert(key, row.line());
        Ok(())
    }

    /// Records `key` within `tenant` (a key may repeat across tenants).
    pub fn check_for_tenant(
        &mut self,
        row: &Row<'_>,
        tenant: Option<&str>,
        key: &str,
        what: &str,
    ) -> Result<(), RegisterError> {
        let scope = tenant.unwrap_or("");
        let label = tenant.map_or_else(|| "all tenants".to_owned(), |t| format!("tenant {t}"));
        self.check(
            row,
            format!("{scope}\u{0}{key}"),
            &format!("{what} for {label}"),
        )
    }
}

/// The line a record starts on. The reader positions a record where the
/// previous one ended, before the blank and comment lines it skips, and its
/// own line count leaves those out: count the file's lines instead.
fn record_line(text: &str, byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    while let Some(rest) = text.get(start..) {
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = rest.get(..line_len).unwrap_or(rest);
        if line_len == 0 || !(line.trim().is_empty() || line.starts_with('#')) {
            break;
        }
        start += line_len;
    }
    let before = text.as_bytes().get(..start).unwrap_or(text.as_bytes());
    1 + before.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Splits a multi-valued cell. Separators: `;` (documented), and what
/// people type in Excel anyway: `,` inside a quoted cell, `、`, full-width
/// `；` and `，`, and line breaks (Alt+Enter).
pub(crate) fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '；', ',', '，', '、', '\n', '\r'])
        .map(|value| value.trim_matches(is_blank))
        .filter(|value| !value.is_empty())
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn normalise_header(header: &str) -> String {
    header
        .trim_matches(|c: char| is_blank(c) || c == '\u{feff}')
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// UTF-8 (a BOM is dropped), else Shift_JIS as Windows writes it (CP932).
fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>, RegisterError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.into());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(RegisterError::File {
            file: file.to_owned(),
            message: "is neither UTF-8 nor Shift_JIS (save it as \"CSV UTF-8\" from Excel)".into(),
        });
    }
    Ok(text)
}

fn csv_error(file: &str, error: &csv::Error) -> RegisterError {
    RegisterError::File {
        file: file.to_owned(),
        message: format!("malformed CSV: {error}"),
    }
}
