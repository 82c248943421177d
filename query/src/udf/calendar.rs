//! The business calendar (業務カレンダー): which JST days and hours a
//! municipality's offices work.
//!
//! A day is closed when it is a Saturday, a Sunday, a national holiday
//! ([`holiday_name`]) or in the year-end closure 12/29–1/3 (年末年始, on by
//! default); the municipality's register then overrides single days either
//! way: [`BusinessCalendar::with_closed`] (e.g. a 閉庁日 for a system
//! migration) and [`BusinessCalendar::with_open`] (e.g. a 休日開庁 Sunday for
//! tax returns). Working days are open from `hours.start` (inclusive) to
//! `hours.end` (exclusive).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};

use super::holidays::holiday_name;

/// Office hours of a working day, in JST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BusinessHours {
    start: NaiveTime,
    end: NaiveTime,
}

/// A calendar or its hours that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("business hours must start before they end (got {start}–{end})")]
    EmptyHours { start: NaiveTime, end: NaiveTime },
}

impl BusinessHours {
    /// Hours from `start` (inclusive) to `end` (exclusive); refused unless
    /// `start < end` (no shifts across midnight).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, CalendarError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(CalendarError::EmptyHours { start, end })
        }
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether a time of day (microseconds since midnight) is within hours.
    pub(crate) fn contains_micros(&self, micros_of_day: i64) -> bool {
        let start = micros_since_midnight(self.start);
        let end = micros_since_midnight(self.end);
        start <= micros_of_day && micros_of_day < end
    }
}

impl Default for BusinessHours {
    /// 08:30–17:15, the usual hours of a Japanese municipal office.
    fn default() -> Self {
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        Self {
            start: time(8, 30),
            end: time(17, 15),
        }
    }
}

fn micros_since_midnight(time: NaiveTime) -> i64 {
    let seconds = i64::from(time.num_seconds_from_midnight());
    seconds * 1_000_000 + i64::from(time.nanosecond() / 1_000)
}

/// Why a day is closed, or that it is open by the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary working day.
    Working,
    /// Opened by the register on a day that would be closed.
    ExtraOpen(String),
    /// Closed: the reason in Japanese (曜日, 祝日名, 年末年始 or the
    /// register's name for the day).
    Closed(String),
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        !matches!(self, DayKind::Closed(_))
    }
}

/// Working days and hours of one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusinessCalendar {
    hours: BusinessHours,
    year_end_closure: bool,
    /// Register entries: `true` opens the day, `false` closes it.
    overrides: BTreeMap<NaiveDate, (bool, String)>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::new(BusinessHours::default())
    }
}

impl BusinessCalendar {
    /// Weekends, national holidays and the year-end closure are closed.
    pub fn new(hours: BusinessHours) -> Self {
        Self {
            hours,
            year_end_closure: true,
            overrides: BTreeMap::new(),
        }
    }

    /// Turns the 12/29–1/3 closure on or off.
    pub fn with_year_end_closure(mut self, on: bool) -> Self {
        self.year_end_closure = on;
        self
    }

    /// Closes `date` (a register entry; replaces an earlier one for the date).
    pub fn with_closed(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        self.overrides.insert(date, (false, name.into()));
        self
    }

    /// Opens `date`, whatever the rules say (a register entry; replaces an
    /// earlier one for the date).
    pub fn with_open(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        self.overrides.insert(date, (true, name.into()));
        self
    }

    pub fn hours(&self) -> BusinessHours {
        self.hours
    }

    /// What kind of day `date` is.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        let rule = self.closed_by_rule(date);
        match (self.overrides.get(&date), rule) {
            (Some((true, name)), Some(_)) => DayKind::ExtraOpen(name.clone()),
            (Some((true, _)), None) => DayKind::Working,
            (Some((false, name)), _) => DayKind::Closed(name.clone()),
            (None, Some(reason)) => DayKind::Closed(reason.to_owned()),
            (None, None) => DayKind::Working,
        }
    }

    /// Whether `date` is a working day (no allocation; the hot path of
    /// `is_business_hours` uses a precomputed table of this).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.overrides.get(&date) {
            Some((open, _)) => *open,
            None => self.closed_by_rule(date).is_none(),
        }
    }

    fn closed_by_rule(&self, date: NaiveDate) -> Option<&'static str> {
        if let Some(name) = holiday_name(date) {
            return Some(name);
        }
        if self.year_end_closure && is_year_end(date) {
            return Some("年末年始");
        }
        match date.weekday() {
            Weekday::Sat => Some("土曜日"),
            Weekday::Sun => Some("日曜日"),
            _ => None,
        }
    }
}

fn is_year_end(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn closed_days_by_rule() {
        let calendar = BusinessCalendar::default();
        let kind = |text| calendar.day_kind(date(text));
        assert_eq!(kind("2026-11-24"), DayKind::Working); // Tuesday
        assert_eq!(kind("2026-11-21"), DayKind::Closed("土曜日".into()));
        assert_eq!(kind("2026-11-22"), DayKind::Closed("日曜日".into()));
        assert_eq!(kind("2026-11-23"), DayKind::Closed("勤労感謝の日".into()));
        assert_eq!(kind("2026-12-29"), DayKind::Closed("年末年始".into()));
        assert_eq!(kind("2027-01-01"), DayKind::Closed("元日".into()));
        assert_eq!(kind("2027-01-04"), DayKind::Working);
        assert_eq!(kind("2026-12-28"), DayKind::Working);
        let no_closure = BusinessCalendar::default().with_year_end_closure(false);
        assert!(no_closure.is_working_day(date("2026-12-29")));
        assert!(!no_closure.is_working_day(date("2027-01-01")));
    }

    #[test]
    fn register_overrides_the_rules() {
        let calendar = BusinessCalendar::default()
            .with_open(date("2027-02-28"), "休日開庁（確定申告）")
            .with_closed(date("2026-11-25"), "システム移行に伴う閉庁");
        assert_eq!(
            calendar.day_kind(date("2027-02-28")),
            DayKind::ExtraOpen("休日開庁（確定申告）".into())
        );
        assert!(calendar.is_working_day(date("2027-02-28")));
        assert_eq!(
            calendar.day_kind(date("2026-11-25")),
            DayKind::Closed("システム移行に伴う閉庁".into())
        );
        assert!(!calendar.is_working_day(date("2026-11-25")));
        // The later entry for a date wins.
        let reopened = calendar.with_open(date("2026-11-25"), "延期");
        assert!(reopened.is_working_day(date("2026-11-25")));
    }

    #[test]
    fn hours_are_half_open_and_must_not_be_empty() {
        let hours = BusinessHours::default();
        let at = |h: i64, m: i64| (h * 3600 + m * 60) * 1_000_000;
        assert!(!hours.contains_micros(at(8, 29)));
        assert!(hours.contains_micros(at(8, 30)));
        assert!(hours.contains_micros(at(17, 14)));
        assert!(!hours.contains_micros(at(17, 15)));
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert!(BusinessHours::new(nine, nine).is_err());
    }
}
