//! Points in time, kept as milliseconds since the Unix epoch and shown as RFC 3339 in UTC.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A UTC time with millisecond precision, in the years 1 to 9999: what RFC 3339 can write, so
/// that every stored time can be shown.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in milliseconds since the epoch.
const EARLIEST: i64 = -62_135_596_800_000;
const LATEST: i64 = 253_402_300_799_999;

impl Timestamp {
    /// Parses an RFC 3339 time given in `field`; one whose UTC date falls outside the years 1 to
    /// 9999 is refused, as it could be neither stored nor shown.
    pub fn parse(field: &str, s: &str) -> Result<Timestamp, crate::Error> {
        let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
            crate::Error::invalid(field, format_args!("'{s}' is not an RFC 3339 time such as 2026-11-22T06:00:00Z"))
        })?;
        Timestamp::from_offset_date_time(t)
            .checked_add_millis(0)
            .ok_or_else(|| crate::Error::invalid(field, format_args!("'{s}' is outside the years 1 to 9999 in UTC")))
    }

    /// This time plus `ms`, or none past the years 1 to 9999.
    pub fn checked_add_millis(self, ms: i64) -> Option<Timestamp> {
        self.0.checked_add(ms).filter(|t| (EARLIEST..=LATEST).contains(t)).map(Timestamp)
    }

    pub fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn to_offset_date_time(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn from_offset_date_time(t: OffsetDateTime) -> Timestamp {
        Timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Clamped, because a Display that fails makes serde panic: no value built through
        // `parse` or the clock is outside the range, but `from_millis` takes what it is given.
        let t = Timestamp(self.0.clamp(EARLIEST, LATEST)).to_offset_date_time();
        f.write_str(&t.format(&Rfc3339).unwrap_or_default())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse("time", &s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_with_format("date-time", "RFC 3339 time in UTC")
    }
}
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_rfc3339_and_reads_it_back() {
        let t = Timestamp::from_millis(1_763_780_000_123);
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(s, "\"2025-11-22T02:53:20.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&s).unwrap(), t);
    }

    #[test]
    fn times_outside_the_years_1_to_9999_are_refused_and_never_shown_wrong() {
        // Year 0 in local time is year -1 in UTC, and 9999 at -01:00 is 10000: neither can be
        // written back, which once made an answer panic and once showed 1970.
        assert!(Timestamp::parse("t", "0000-01-01T00:30:00+01:00").is_err());
        assert!(Timestamp::parse("t", "9999-12-31T23:30:00-01:00").is_err());
        let last = Timestamp::parse("t", "9999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(last.to_string(), "9999-12-31T23:59:59.999Z");
        assert_eq!(last.checked_add_millis(1), None);
        assert_eq!(Timestamp::parse("t", "0001-01-01T00:00:00Z").unwrap().to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::from_millis(i64::MIN).to_string(), "0001-01-01T00:00:00Z");
    }
}
