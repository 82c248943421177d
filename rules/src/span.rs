//! Lengths of time in rule files: `30s`, `10m`, `1h`, `7d`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A positive length of time, written the way operators write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(std::time::Duration);

impl Span {
    pub const fn from_secs(secs: u64) -> Self {
        Self(std::time::Duration::from_secs(secs))
    }

    pub fn std(self) -> std::time::Duration {
        self.0
    }

    /// As a chrono duration (saturating far beyond any rule's needs).
    pub fn chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }

    pub fn as_secs(self) -> u64 {
        self.0.as_secs()
    }
}

impl FromStr for Span {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let duration = humantime::parse_duration(text.trim()).map_err(|e| {
            format!("`{text}` is not a length of time like 30s, 10m, 1h or 7d ({e})")
        })?;
        if duration.is_zero() {
            return Err(format!("`{text}` must be longer than zero"));
        }
        Ok(Self(duration))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        match secs {
            s if s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            s if s % 3_600 == 0 => write!(f, "{}h", s / 3_600),
            s if s % 60 == 0 => write!(f, "{}m", s / 60),
            s => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_what_operators_write() {
        for (text, secs, shown) in [
            ("30s", 30, "30s"),
            ("10m", 600, "10m"),
            ("90m", 5_400, "90m"),
            ("1h", 3_600, "1h"),
            ("7d", 604_800, "7d"),
            ("1h 30m", 5_400, "90m"),
        ] {
            let span: Span = text.parse().unwrap();
            assert_eq!(span.as_secs(), secs, "{text}");
            assert_eq!(span.to_string(), shown);
        }
        assert!(
            "0s".parse::<Span>()
                .unwrap_err()
                .contains("longer than zero")
        );
        assert!("ten minutes".parse::<Span>().is_err());
        assert!("-5m".parse::<Span>().is_err());
    }
}
