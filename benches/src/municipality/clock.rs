//! Time of day in JST: generators work in milliseconds after local midnight.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// Milliseconds after JST midnight.
pub(super) type Ms = u32;

pub(super) const SEC: Ms = 1_000;
pub(super) const MIN: Ms = 60 * SEC;
pub(super) const HOUR: Ms = 60 * MIN;
pub(super) const DAY: Ms = 24 * HOUR;

/// Office hours (08:30-18:00 JST).
pub(super) const BUSINESS_START: Ms = hm(8, 30);
pub(super) const BUSINESS_END: Ms = hm(18, 0);

/// `hh:mm` as milliseconds after midnight.
pub(super) const fn hm(hour: u32, minute: u32) -> Ms {
    hour * HOUR + minute * MIN
}

/// Japan's offset from UTC (no daylight saving).
const JST_OFFSET_HOURS: i64 = 9;

/// One JST calendar day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Day {
    midnight: NaiveDateTime,
}

impl Day {
    pub(super) fn new(date: NaiveDate) -> Self {
        Self {
            midnight: date.and_time(NaiveTime::MIN),
        }
    }

    /// Local wall-clock time, clamped to the last millisecond of the day.
    pub(super) fn local(&self, at: Ms) -> NaiveDateTime {
        self.midnight + TimeDelta::milliseconds(i64::from(at.min(DAY - 1)))
    }

    /// The UTC instant of a local time.
    pub(super) fn utc(&self, at: Ms) -> DateTime<Utc> {
        (self.local(at) - TimeDelta::hours(JST_OFFSET_HOURS)).and_utc()
    }

    /// Milliseconds since the Unix epoch of a local time.
    pub(super) fn epoch_millis(&self, at: Ms) -> i64 {
        self.utc(at).timestamp_millis()
    }

    /// RFC 3164 / rsyslog file stamp: `Nov  2 09:01:02` (no year, no zone).
    pub(super) fn bsd_stamp(&self, at: Ms) -> String {
        self.local(at).format("%b %e %H:%M:%S").to_string()
    }

    /// RFC 5424 stamp: `2026-11-22T09:01:02.123+09:00`.
    pub(super) fn iso_stamp(&self, at: Ms) -> String {
        self.local(at)
            .format("%Y-%m-%dT%H:%M:%S%.3f+09:00")
            .to_string()
    }
}
