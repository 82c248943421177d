//! Japanese national holidays (国民の祝日) by the rules of 国民の祝日に関する法律.
//!
//! [`holiday_name`] knows the holidays from the law's start (1948-07-20) to
//! 2150: the fixed-date and Happy Monday holidays with the years each rule
//! applied, the one-off holidays of imperial ceremonies (1959, 1989, 1990,
//! 1993, 2019), the moved holidays of the Tokyo Olympics (2020, 2021),
//! 振替休日 (from 1973-04-12) and 国民の休日 (from 1985-12-27).
//!
//! 春分の日 and 秋分の日 are fixed each February by the Cabinet Office from
//! astronomical observation; here they come from the standard approximation
//! `floor(C + 0.242194 × (Y − 1980) − floor((Y − 1980) / 4))`, which matches
//! every announced date from 1948 on and is considered reliable to 2099 (the
//! constants for 1900–1979 and 2100–2150 are used outside 1980–2099). Years
//! outside 1948–2150 have no holidays here. A holiday added by a future
//! law needs a code change (or the business calendar's `with_closed`).

use chrono::{Datelike, NaiveDate, Weekday};

/// The law took effect on this day.
const LAW_START: (i32, u32, u32) = (1948, 7, 20);
/// The last year whose equinox days we compute.
const LAST_YEAR: i32 = 2150;

/// The Japanese name of the national holiday on `date`, or `None` on an
/// ordinary day. Substitute holidays are `振替休日`, sandwiched days
/// `国民の休日`.
pub fn holiday_name(date: NaiveDate) -> Option<&'static str> {
    if let Some(name) = statutory(date) {
        return Some(name);
    }
    if is_substitute(date) {
        return Some("振替休日");
    }
    if is_sandwiched(date) {
        return Some("国民の休日");
    }
    None
}

/// 振替休日: from 1973-04-12 the day after a holiday that falls on Sunday;
/// from 2007 the first following day that is not itself a holiday.
fn is_substitute(date: NaiveDate) -> bool {
    if date < ymd(1973, 4, 12) {
        return false;
    }
    let mut day = date;
    loop {
        let Some(previous) = day.pred_opt() else {
            return false;
        };
        if statutory(previous).is_none() {
            return false;
        }
        if previous.weekday() == Weekday::Sun {
            return true;
        }
        // Before 2007 only the Monday right after the Sunday was a substitute.
        if date.year() < 2007 {
            return false;
        }
        day = previous;
    }
}

/// 国民の休日: from 1985-12-27 an ordinary day between two holidays (before
/// 2007 a Sunday or a substitute holiday did not count as one).
fn is_sandwiched(date: NaiveDate) -> bool {
    if date < ymd(1985, 12, 27) {
        return false;
    }
    if date.year() < 2007 && (date.weekday() == Weekday::Sun || is_substitute(date)) {
        return false;
    }
    let before = date.pred_opt().and_then(statutory);
    let after = date.succ_opt().and_then(statutory);
    before.is_some() && after.is_some()
}

/// The holidays the law names (no substitute or sandwiched days).
fn statutory(date: NaiveDate) -> Option<&'static str> {
    let (year, month, day) = (date.year(), date.month(), date.day());
    if date < ymd(LAW_START.0, LAW_START.1, LAW_START.2) || year > LAST_YEAR {
        return None;
    }
    if let Some(name) = one_off(year, month, day) {
        return Some(name);
    }
    let nth_monday = |n: u32| {
        date.weekday() == Weekday::Mon && (day - 1) / 7 + 1 == n // day ≥ 1
    };
    match month {
        1 if day == 1 => Some("元日"),
        1 if (year <= 1999 && day == 15) || (year >= 2000 && nth_monday(2)) => Some("成人の日"),
        2 if day == 11 && year >= 1967 => Some("建国記念の日"),
        2 if day == 23 && year >= 2020 => Some("天皇誕生日"),
        3 if Some(day) == equinox_day(year, Equinox::Spring) => Some("春分の日"),
        4 if day == 29 => Some(match year {
            ..=1988 => "天皇誕生日",
            1989..=2006 => "みどりの日",
            _ => "昭和の日",
        }),
        5 if day == 3 => Some("憲法記念日"),
        5 if day == 4 && year >= 2007 => Some("みどりの日"),
        5 if day == 5 => Some("こどもの日"),
        7 => marine_day(year, day, nth_monday(3)).then_some("海の日"),
        8 => mountain_day(year, day).then_some("山の日"),
        9 if Some(day) == equinox_day(year, Equinox::Autumn) => Some("秋分の日"),
        9 if (1966..=2002).contains(&year) && day == 15 => Some("敬老の日"),
        9 if year >= 2003 && nth_monday(3) => Some("敬老の日"),
        10 if (1966..=1999).contains(&year) && day == 10 => Some("体育の日"),
        10 if (2000..=2019).contains(&year) && nth_monday(2) => Some("体育の日"),
        10 if year >= 2022 && nth_monday(2) => Some("スポーツの日"),
        11 if day == 3 => Some("文化の日"),
        11 if day == 23 => Some("勤労感謝の日"),
        12 if day == 23 && (1989..=2018).contains(&year) => Some("天皇誕生日"),
        _ => None,
    }
}

/// Holidays of one day only, and the Olympic years' moved holidays.
fn one_off(year: i32, month: u32, day: u32) -> Option<&'static str> {
    match (year, month, day) {
        (1959, 4, 10) => Some("皇太子明仁親王の結婚の儀"),
        (1989, 2, 24) => Some("昭和天皇の大喪の礼"),
        (1990, 11, 12) => Some("即位礼正殿の儀"),
        (1993, 6, 9) => Some("皇太子徳仁親王の結婚の儀"),
        (2019, 5, 1) => Some("天皇の即位の日"),
        (2019, 10, 22) => Some("即位礼正殿の儀"),
        (2020, 7, 24) | (2021, 7, 23) => Some("スポーツの日"),
        _ => None,
    }
}

/// 海の日: 7/20 from 1996, the third Monday from 2003, moved for the
/// Olympics in 2020 (7/23) and 2021 (7/22).
fn marine_day(year: i32, day: u32, third_monday: bool) -> bool {
    match year {
        2020 => day == 23,
        2021 => day == 22,
        1996..=2002 => day == 20,
        2003.. => third_monday,
        _ => false,
    }
}

/// 山の日: 8/11 from 2016, moved for the Olympics in 2020 (8/10) and 2021
/// (8/8).
fn mountain_day(year: i32, day: u32) -> bool {
    match year {
        2020 => day == 10,
        2021 => day == 8,
        2016.. => day == 11,
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Equinox {
    Spring,
    Autumn,
}

/// The day of March (spring) or September (autumn) of the equinox holiday.
fn equinox_day(year: i32, which: Equinox) -> Option<u32> {
    let (spring, autumn, base) = match year {
        1900..=1979 => (20.8357, 23.2588, 1983),
        1980..=2099 => (20.8431, 23.2488, 1980),
        2100..=2150 => (21.8510, 24.2488, 1980),
        _ => return None,
    };
    let constant = match which {
        Equinox::Spring => spring,
        Equinox::Autumn => autumn,
    };
    let offset = f64::from(year - 1980);
    // Truncating division, as the formula is published (it matters for the
    // 1900–1979 constants, whose base year is 1983).
    let leap = f64::from((year - base) / 4);
    let day = (constant + 0.242194 * offset - leap).floor();
    // In range by construction (19–24); the cast cannot truncate.
    Some(day as u32)
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Option<&'static str> {
        holiday_name(text.parse().unwrap())
    }

    #[test]
    fn fixed_and_happy_monday_holidays() {
        assert_eq!(name("2025-01-01"), Some("元日"));
        assert_eq!(name("2025-01-13"), Some("成人の日")); // 2nd Monday
        assert_eq!(name("1999-01-15"), Some("成人の日"));
        assert_eq!(name("2025-01-15"), None);
        assert_eq!(name("2025-02-23"), Some("天皇誕生日"));
        assert_eq!(name("2018-12-23"), Some("天皇誕生日"));
        assert_eq!(name("2019-12-23"), None);
        assert_eq!(name("2025-04-29"), Some("昭和の日"));
        assert_eq!(name("2000-04-29"), Some("みどりの日"));
        assert_eq!(name("2025-05-04"), Some("みどりの日"));
        assert_eq!(name("2025-07-21"), Some("海の日"));
        assert_eq!(name("2025-08-11"), Some("山の日"));
        assert_eq!(name("2025-09-15"), Some("敬老の日"));
        assert_eq!(name("2025-10-13"), Some("スポーツの日"));
        assert_eq!(name("2019-10-14"), Some("体育の日"));
        assert_eq!(name("2025-11-03"), Some("文化の日"));
        assert_eq!(name("2025-11-24"), Some("振替休日")); // 11/23 was a Sunday
        assert_eq!(name("2025-11-25"), None);
        assert_eq!(name("2025-12-31"), None); // year-end is a municipal closure
    }

    #[test]
    fn equinox_days_match_the_announced_dates() {
        let announced = [
            ("1990-03-21", "1990-09-23"),
            ("2012-03-20", "2012-09-22"),
            ("2024-03-20", "2024-09-22"),
            ("2025-03-20", "2025-09-23"),
            ("2026-03-20", "2026-09-23"),
            ("2027-03-21", "2027-09-23"),
            ("1970-03-21", "1970-09-23"),
            ("1960-03-20", "1960-09-23"),
        ];
        for (spring, autumn) in announced {
            assert_eq!(name(spring), Some("春分の日"), "{spring}");
            assert_eq!(name(autumn), Some("秋分の日"), "{autumn}");
        }
        assert_eq!(name("2025-03-21"), None);
    }

    #[test]
    fn substitute_holidays() {
        assert_eq!(name("2024-02-12"), Some("振替休日")); // 2/11 Sunday
        assert_eq!(name("2024-02-11"), Some("建国記念の日"));
        // 5/3 Sunday in 2020: 5/4 and 5/5 are holidays, 5/6 is the substitute.
        assert_eq!(name("2020-05-06"), Some("振替休日"));
        // Before 2007 the substitute could not skip past a holiday.
        assert_eq!(name("1998-05-06"), None);
        // The first substitute holiday: 1973-04-29 was a Sunday.
        assert_eq!(name("1973-04-30"), Some("振替休日"));
        // Before the rule existed (1967-01-15 was a Sunday).
        assert_eq!(name("1967-01-16"), None);
    }

    #[test]
    fn sandwiched_days_are_national_rest_days() {
        assert_eq!(name("2026-09-21"), Some("敬老の日"));
        assert_eq!(name("2026-09-22"), Some("国民の休日"));
        assert_eq!(name("2026-09-23"), Some("秋分の日"));
        assert_eq!(name("2015-09-22"), Some("国民の休日"));
        assert_eq!(name("2019-04-30"), Some("国民の休日"));
        assert_eq!(name("2019-05-02"), Some("国民の休日"));
        assert_eq!(name("1988-05-04"), Some("国民の休日"));
    }

    #[test]
    fn one_off_and_olympic_years() {
        assert_eq!(name("2019-05-01"), Some("天皇の即位の日"));
        assert_eq!(name("2019-10-22"), Some("即位礼正殿の儀"));
        assert_eq!(name("1989-02-24"), Some("昭和天皇の大喪の礼"));
        assert_eq!(name("2020-07-23"), Some("海の日"));
        assert_eq!(name("2020-07-24"), Some("スポーツの日"));
        assert_eq!(name("2020-08-10"), Some("山の日"));
        assert_eq!(name("2020-10-12"), None); // moved to 7/24
        assert_eq!(name("2021-07-22"), Some("海の日"));
        assert_eq!(name("2021-07-23"), Some("スポーツの日"));
        assert_eq!(name("2021-08-08"), Some("山の日"));
        assert_eq!(name("2021-08-09"), Some("振替休日"));
        assert_eq!(name("2021-08-11"), None);
        assert_eq!(name("2021-10-11"), None);
    }

    #[test]
    fn outside_the_supported_range() {
        assert_eq!(name("1948-01-01"), None);
        assert_eq!(name("2151-01-01"), None);
        assert_eq!(holiday_name(NaiveDate::MIN), None);
        assert_eq!(holiday_name(NaiveDate::MAX), None);
    }
}
