//! Syslog timestamps: BSD (`Nov  2 09:01:02`, no year, no zone, some
//! appliances add a year or fractions) and RFC 3339 (RFC 5424, rsyslog's
//! high-precision file format).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use nom::{
    IResult, Parser,
    bytes::complete::{tag, take, take_while_m_n, take_while1},
    character::complete::{char, space1},
    combinator::{map_res, opt},
    sequence::{preceded, terminated},
};

use crate::{ParseContext, ParseError};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A BSD timestamp as written, before a year and an offset are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BsdTime {
    month: u32,
    day: u32,
    year: Option<i32>,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

fn digits(min: usize, max: usize) -> impl Fn(&str) -> IResult<&str, u32> {
    move |i| {
        map_res(
            take_while_m_n(min, max, |c: char| c.is_ascii_digit()),
            str::parse,
        )
        .parse(i)
    }
}

fn month(i: &str) -> IResult<&str, u32> {
    map_res(take(3usize), |m: &str| {
        MONTHS
            .iter()
            .position(|name| name.eq_ignore_ascii_case(m))
            .map(|p| p as u32 + 1)
            .ok_or(())
    })
    .parse(i)
}

/// Fraction of a second, as nanoseconds (digits past the ninth are ignored).
fn fraction(i: &str) -> IResult<&str, u32> {
    let (rest, frac) = preceded(char('.'), take_while1(|c: char| c.is_ascii_digit())).parse(i)?;
    let nanos = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Ok((rest, nanos))
}

fn bsd(i: &str) -> IResult<&str, BsdTime> {
    let (i, month) = terminated(month, space1).parse(i)?;
    let (i, day) = terminated(digits(1, 2), space1).parse(i)?;
    let (i, year) = opt(terminated(digits(4, 4), space1)).parse(i)?;
    let (i, hour) = terminated(digits(2, 2), tag(":")).parse(i)?;
    let (i, minute) = terminated(digits(2, 2), tag(":")).parse(i)?;
    let (i, second) = digits(2, 2)(i)?;
    let (i, nanos) = opt(fraction).parse(i)?;
    Ok((
        i,
        BsdTime {
            month,
            day,
            year: year.map(|y| y as i32),
            hour,
            minute,
            second,
            nanos: nanos.unwrap_or(0),
        },
    ))
}

impl BsdTime {
    fn in_year(&self, year: i32, offset: FixedOffset) -> Option<DateTime<Utc>> {
        let naive = NaiveDate::from_ymd_opt(year, self.month, self.day)?.and_hms_nano_opt(
            self.hour,
            self.minute,
            self.second,
            self.nanos,
        )?;
        offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Applies the context: an explicit year wins; otherwise the latest year
    /// that does not put the event more than a day after `ctx.reference`.
    fn resolve(&self, ctx: &ParseContext) -> Option<DateTime<Utc>> {
        if let Some(year) = self.year {
            return self.in_year(year, ctx.offset);
        }
        let latest = ctx.reference + chrono::Duration::days(1);
        let local = ctx.reference.with_timezone(&ctx.offset);
        let this_year = local.year();
        // Next year can only fit for a January event received in late
        // December (a sender whose clock is ahead across New Year); trying
        // this year first saves a date computation on nearly every line.
        if local.month() == 12
            && self.month == 1
            && let Some(t) = self
                .in_year(this_year + 1, ctx.offset)
                .filter(|t| *t <= latest)
        {
            return Some(t);
        }
        (this_year - 4..=this_year)
            .rev()
            .filter_map(|year| self.in_year(year, ctx.offset))
            .find(|t| *t <= latest)
    }
}

/// Parses the timestamp at the start of `input` (BSD or RFC 3339) and
/// returns it in UTC with the rest of the input.
pub fn parse_leading<'a>(
    input: &'a str,
    ctx: &ParseContext,
) -> Result<(&'a str, DateTime<Utc>), ParseError> {
    if input.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let token_end = input.find(' ').unwrap_or(input.len());
        let (token, rest) = input.split_at(token_end);
        return match rfc3339(token) {
            Ok(time) => Ok((rest, time)),
            Err(e) => local_iso(token, ctx).map(|t| (rest, t)).ok_or(e),
        };
    }
    match bsd(input) {
        Ok((rest, bsd)) => bsd
            .resolve(ctx)
            .map(|t| (rest, t))
            .ok_or_else(|| ParseError::Timestamp(format!("no such date: {}", preview(input)))),
        Err(_) => Err(ParseError::Timestamp(format!(
            "expected `Mmm dd hh:mm:ss` or RFC 3339 at `{}`",
            preview(input)
        ))),
    }
}

/// Parses one RFC 3339 timestamp token (RFC 5424 TIMESTAMP).
pub fn rfc3339(token: &str) -> Result<DateTime<Utc>, ParseError> {
    DateTime::parse_from_rfc3339(token)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ParseError::Timestamp(format!("`{}` is not RFC 3339: {e}", preview(token))))
}

/// An ISO 8601 date and time without an offset (`2026-11-23T20:33:43`,
/// fractions allowed), as loggen and some appliances write in a BSD header:
/// local time of the sender, so the context's offset applies.
fn local_iso(token: &str, ctx: &ParseContext) -> Option<DateTime<Utc>> {
    let naive = chrono::NaiveDateTime::parse_from_str(token, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    ctx.offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The first few characters of `s`, for error messages.
pub(crate) fn preview(s: &str) -> String {
    const MAX: usize = 32;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;

    fn ctx(reference: &str) -> ParseContext {
        ParseContext::jst(rfc3339(reference).unwrap())
    }

    fn at(input: &str, reference: &str) -> String {
        let (_, t) = parse_leading(input, &ctx(reference)).unwrap();
        t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    #[test]
    fn bsd_time_is_local_and_gets_the_current_year() {
        assert_eq!(
            at("Nov 22 09:01:02 host", "2026-11-23T00:00:00Z"),
            "2026-11-22T00:01:02Z"
        );
    }

    #[test]
    fn bsd_time_in_the_future_belongs_to_last_year() {
        assert_eq!(
            at("Dec 10 06:55:46 LabSZ", "2026-11-23T00:00:00Z"),
            "2025-12-09T21:55:46Z"
        );
    }

    #[test]
    fn space_padded_day_fraction_and_explicit_year() {
        assert_eq!(
            at("Mar  5 10:00:00.25 x", "2026-11-23T00:00:00Z"),
            "2026-03-05T01:00:00.250Z"
        );
        assert_eq!(
            at("Jan 02 2024 00:00:00 x", "2026-11-23T00:00:00Z"),
            "2024-01-01T15:00:00Z"
        );
    }

    #[test]
    fn across_new_year_a_clock_slightly_ahead_gets_next_year() {
        // Received 23:50 JST on Dec 31; the sender already says Jan 1.
        assert_eq!(
            at("Jan  1 00:05:00 x", "2026-12-31T14:50:00Z"),
            "2026-12-31T15:05:00Z"
        );
        // In the first days of January, late-December lines are last year's.
        assert_eq!(
            at("Dec 31 23:59:59 x", "2027-01-01T00:10:00Z"),
            "2026-12-31T14:59:59Z"
        );
        // A January line received in December but far ahead is last year's.
        assert_eq!(
            at("Jan 20 10:00:00 x", "2026-12-31T14:50:00Z"),
            "2026-01-20T01:00:00Z"
        );
    }

    #[test]
    fn leap_day_resolves_to_a_leap_year() {
        assert_eq!(
            at("Feb 29 12:00:00 x", "2026-11-23T00:00:00Z"),
            "2024-02-29T03:00:00Z"
        );
    }

    #[test]
    fn iso_time_without_an_offset_is_the_senders_local_time() {
        let c = ctx("2026-11-23T12:00:00Z");
        let (rest, t) = parse_leading("2026-11-23T20:33:43 localhost x", &c).unwrap();
        assert_eq!(rest, " localhost x");
        assert_eq!(t.to_rfc3339(), "2026-11-23T11:33:43+00:00");
        let (_, t) = parse_leading("2026-11-23T20:33:43.250 h", &c).unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 250);
        let err = parse_leading("2026-11-23T25:00:00 h", &c).unwrap_err();
        assert!(err.to_string().contains("not RFC 3339"), "{err}");
    }

    #[test]
    fn rfc3339_keeps_its_own_offset() {
        assert_eq!(
            at(
                "2026-11-22T09:01:02.123456+09:00 host",
                "2026-11-23T00:00:00Z"
            ),
            "2026-11-22T00:01:02.123456Z"
        );
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let c = ctx("2026-11-23T00:00:00Z");
        for bad in [
            "",
            "hello world",
            "Nov 99 10:00:00",
            "Foo 12 10:00:00",
            "2026-13-01T00:00:00Z x",
            "Nov 22 9:1:2",
        ] {
            let err = parse_leading(bad, &c).unwrap_err();
            assert!(matches!(err, ParseError::Timestamp(_)), "{bad}: {err}");
        }
    }
}
