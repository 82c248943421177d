//! `business_calendar`: the municipality's own closed and open days on top
//! of the national calendar — 年末年始 (12/29–1/3) closures, 臨時開庁日
//! (a Saturday opened for the March–April moving season), shortened days.
//! National holidays and weekends are known to bannin already; list only
//! the days where this municipality differs.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::columns::{self, required_utf8_field, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, TENANT};
use super::{RegisterError, value};

/// One day that differs from the national calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarDay {
    /// `None`: every tenant.
    pub tenant: Option<String>,
    pub date: NaiveDate,
    /// `closed` (閉庁日) or `open` (開庁日).
    pub kind: &'static str,
    pub name: Option<String>,
    /// Hours on an open day (`HH:MM`); `None`: the usual hours.
    pub open_time: Option<String>,
    pub close_time: Option<String>,
}

pub(crate) const FILE: &str = "business_calendar.csv";

pub(crate) const COLUMNS: &[Column] = &[
    TENANT,
    Column::required("date", &["日付", "年月日"]),
    Column::required("kind", &["区分", "種別"]),
    Column::optional("name", &["名称", "理由", "内容"]),
    Column::optional("open_time", &["開始時刻", "開庁時刻", "始業"]),
    Column::optional("close_time", &["終了時刻", "閉庁時刻", "終業"]),
];

fn kind(value: &str) -> Result<&'static str, String> {
    match value.to_lowercase().as_str() {
        "closed" | "holiday" | "閉庁日" | "休日" | "休庁日" => Ok("closed"),
        "open" | "workday" | "開庁日" | "臨時開庁" | "臨時開庁日" | "出勤日" => {
            Ok("open")
        }
        _ => Err("is not a kind of day (closed / open, 閉庁日 / 開庁日)".into()),
    }
}

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<CalendarDay>, RegisterError> {
    let mut keys = Keys::new();
    let mut days = Vec::new();
    for row in file.rows() {
        let tenant = row.text("tenant").map(str::to_owned);
        let date = row.parsed_required("date", value::date)?;
        keys.check_for_tenant(
            &row,
            tenant.as_deref(),
            &date.to_string(),
            &format!("date {date}"),
        )?;
        let open_time = row.parsed("open_time", value::time_of_day)?;
        let close_time = row.parsed("close_time", value::time_of_day)?;
        if let (Some(open), Some(close)) = (&open_time, &close_time)
            && open >= close
        {
            return Err(row.error(format!("open_time {open} is not before close_time {close}")));
        }
        days.push(CalendarDay {
            tenant,
            date,
            kind: row.parsed_required("kind", kind)?,
            name: row.text("name").map(str::to_owned),
            open_time,
            close_time,
        });
    }
    Ok(days)
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8_field("tenant"),
        Field::new("date", DataType::Date32, false),
        required_utf8_field("kind"),
        utf8_field("name"),
        utf8_field("open_time"),
        utf8_field("close_time"),
    ]))
}

pub(crate) fn batch(days: &[CalendarDay]) -> Result<RecordBatch, RegisterError> {
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(days.iter().map(|d| d.tenant.as_deref())),
            columns::dates(days.iter().map(|d| Some(d.date))),
            columns::utf8(days.iter().map(|d| Some(d.kind))),
            columns::utf8(days.iter().map(|d| d.name.as_deref())),
            columns::utf8(days.iter().map(|d| d.open_time.as_deref())),
            columns::utf8(days.iter().map(|d| d.close_time.as_deref())),
        ],
    )?)
}

/// `calendar` with the days of the register that apply to a session of
/// `scope`: those for every tenant, and a single-tenant session's own.
pub fn apply(
    mut calendar: crate::BusinessCalendar,
    days: &[CalendarDay],
    scope: &crate::TenantScope,
) -> crate::BusinessCalendar {
    let own = match scope {
        crate::TenantScope::Tenants(set) if set.len() == 1 => set.first(),
        _ => None,
    };
    for day in days {
        if day.tenant.as_ref().is_some_and(|t| Some(t) != own) {
            continue;
        }
        let name = day.name.clone().unwrap_or_default();
        calendar = if day.kind == "open" {
            calendar.with_open(day.date, name)
        } else {
            calendar.with_closed(day.date, name)
        };
    }
    calendar
}
