//! Cell values: dates, domains, networks, host names, zones, flags. Each
//! parser returns what the value should have been, to complete
//! `<column> "<value>" …` in an error message.

use std::net::IpAddr;

use chrono::{Datelike, NaiveDate};
use ipnet::IpNet;

/// `YYYY-MM-DD`; also `YYYY/M/D`, which Excel on Japanese Windows writes
/// for date cells when it saves CSV.
pub fn date(value: &str) -> Result<NaiveDate, String> {
    let invalid = || "is not a date (YYYY-MM-DD)".to_owned();
    let separator = if value.contains('/') { '/' } else { '-' };
    let mut parts = value.split(separator);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return Err(invalid());
    }
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (number(y), number(m), number(d)) else {
        return Err(invalid());
    };
    i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(invalid)
}

/// Days since 1970-01-01, as Arrow's Date32 stores a date.
pub fn days_since_epoch(date: NaiveDate) -> i32 {
    const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// A domain: lower-cased, trailing dot and a leading `*.` removed (a
/// domain always covers its subdomains). Must be ASCII (internationalised
/// names in their `xn--` form) and have at least two labels.
pub fn domain(value: &str) -> Result<String, String> {
    let lower = value.to_ascii_lowercase();
    let name = lower.strip_prefix("*.").unwrap_or(&lower);
    let name = name.strip_suffix('.').unwrap_or(name);
    if !name.is_ascii() {
        return Err("is not a domain (write internationalised names in their xn-- form)".into());
    }
    if name.contains("://") || name.contains('/') {
        return Err(
            "is not a domain (write the host name only, without https:// or a path)".into(),
        );
    }
    let labels_ok = name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !labels_ok || !name.contains('.') {
        return Err("is not a domain name like box.com or www.example.lg.jp".into());
    }
    if name.parse::<IpAddr>().is_ok() {
        return Err("is an IP address, not a domain".into());
    }
    Ok(name.to_owned())
}

/// An IP network in canonical form (`10.20.0.0/16`); a single address
/// becomes a /32 (IPv4) or /128 (IPv6) network. Host bits must be zero.
pub fn cidr(value: &str) -> Result<IpNet, String> {
    if let Ok(address) = value.parse::<IpAddr>() {
        return Ok(IpNet::from(address));
    }
    let network: IpNet = value
        .parse()
        .map_err(|_| "is not an IP address or CIDR network (e.g. 10.20.0.0/16)".to_owned())?;
    if network.trunc() != network {
        return Err(format!(
            "has host bits set (did you mean {}?)",
            network.trunc()
        ));
    }
    Ok(network)
}

/// True when the value is meant as an address or network rather than a
/// name: digits and dots (`10.20.9.300` is a mistyped address, not a host),
/// anything with `:` (IPv6) or a `/` prefix length.
pub fn looks_like_address(value: &str) -> bool {
    value.contains(['/', ':']) || value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// A host name as logs carry it: lower-cased, trailing dot removed.
pub fn host(value: &str) -> Result<String, String> {
    let lower = value.to_lowercase();
    let name = lower.strip_suffix('.').unwrap_or(&lower);
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains('/') {
        return Err("is not a host name".into());
    }
    Ok(name.to_owned())
}

/// An account name, lower-cased: logs disagree on case (Windows ignores it).
pub fn account(value: &str) -> Result<String, String> {
    if value.contains(char::is_whitespace) {
        return Err("is not an account name (no spaces)".into());
    }
    Ok(value.to_lowercase())
}

/// 三層 zone: `mynumber` | `lgwan` | `internet`, or the Japanese names.
pub fn zone(value: &str) -> Result<&'static str, String> {
    let lower = value.to_lowercase();
    let zone = match lower.as_str() {
        "mynumber" | "マイナンバー利用事務系" | "マイナンバー系" | "マイナンバー" => {
            "mynumber"
        }
        "lgwan" | "lgwan接続系" | "lgwan系" => "lgwan",
        "internet" | "インターネット接続系" | "インターネット系" | "インターネット" => {
            "internet"
        }
        _ => {
            return Err(
                "is not a zone (mynumber / lgwan / internet, or マイナンバー利用事務系 / LGWAN接続系 / インターネット接続系)"
                    .into(),
            );
        }
    };
    Ok(zone)
}

/// A yes/no cell: true/false, yes/no, 1/0, はい/いいえ, ○/×, 有/無.
pub fn flag(value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "はい" | "○" | "〇" | "◯" | "有" | "あり" => {
            Ok(true)
        }
        "false" | "no" | "n" | "0" | "いいえ" | "×" | "✕" | "-" | "無" | "なし" => {
            Ok(false)
        }
        _ => Err("is not yes/no (true / false, はい / いいえ, ○ / ×)".into()),
    }
}

/// 機密性 level 1–3; accepts `2`, `機密性2`, full-width `２`.
pub fn confidentiality(value: &str) -> Result<u8, String> {
    let digits: String = value
        .trim_start_matches("機密性")
        .trim()
        .chars()
        .map(|c| match c {
            '１' => '1',
            '２' => '2',
            '３' => '3',
            other => other,
        })
        .collect();
    match digits.as_str() {
        "1" => Ok(1),
        "2" => Ok(2),
        "3" => Ok(3),
        _ => Err("is not a confidentiality level (1, 2 or 3)".into()),
    }
}

/// A time of day `HH:MM` (00:00–24:00), kept as text in canonical form.
pub fn time_of_day(value: &str) -> Result<String, String> {
    let invalid = || "is not a time of day (HH:MM)".to_owned();
    let (h, m) = value.split_once(':').ok_or_else(invalid)?;
    let h: u32 = h.parse().map_err(|_| invalid())?;
    let m: u32 = m.parse().map_err(|_| invalid())?;
    if h < 24 && m < 60 || h == 24 && m == 0 {
        Ok(format!("{h:02}:{m:02}"))
    } else {
        Err(invalid())
    }
}

/// Free text that names something (a tenant id, a service): any text.
pub fn text(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}
