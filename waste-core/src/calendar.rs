//! The deployment's calendar: the IANA time zone in which every date the rules read is taken.
//!
//! Instants are stored in UTC; a generation date, a storage clock's start and deadline, a digital identification
//! code's date, an HJ 1259 batch date or a report year is the *local* date of the instant it records. In China
//! the day starts at 00:00 China Standard Time, eight hours before the UTC date changes: reading the UTC date
//! makes every legal date before 08:00 yesterday's. The zone is a deployment setting (`WASTE_TIME_ZONE`,
//! default `Asia/Shanghai`), taken from the IANA time zone database bundled in the binary, so summer time and
//! historical offsets are the database's, not a hand-written constant.

use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The default zone: the deployments this project serves are in mainland China.
pub const DEFAULT_ZONE: &str = "Asia/Shanghai";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an IANA time zone name (for example Asia/Shanghai or Asia/Urumqi)")]
pub struct UnknownZone(pub String);

/// A time zone from the bundled IANA database, with its name.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: jiff::tz::TimeZone,
    name: String,
}

impl Default for Zone {
    fn default() -> Self {
        // The bundled database always holds Asia/Shanghai; UTC is only the last resort of a broken build.
        Zone::named(DEFAULT_ZONE).unwrap_or_else(|_| Zone {
            tz: jiff::tz::TimeZone::UTC,
            name: "UTC".into(),
        })
    }
}

impl Zone {
    /// The zone of an IANA name (`Asia/Shanghai`); a fixed offset or an unknown name is refused.
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        if !name.contains('/') && name != "UTC" {
            return Err(UnknownZone(name.to_owned()));
        }
        jiff::tz::db()
            .get(name)
            .map(|tz| Zone {
                tz,
                name: name.to_owned(),
            })
            .map_err(|_| UnknownZone(name.to_owned()))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at instant `t`.
    pub fn offset_at(&self, t: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(t.unix_timestamp())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// Instant `t` as the wall clock of this zone shows it.
    pub fn local(&self, t: OffsetDateTime) -> OffsetDateTime {
        t.to_offset(self.offset_at(t))
    }

    /// The local calendar date of instant `t`: the date the rules read.
    pub fn date_of(&self, t: OffsetDateTime) -> Date {
        self.local(t).date()
    }

    /// The instant of a local wall-clock time (the earlier one where a clock change repeats it, the later one
    /// where a change skips it).
    pub fn instant(&self, local: PrimitiveDateTime) -> OffsetDateTime {
        let dt = jiff::civil::DateTime::new(
            local.year() as i16,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        );
        let seconds = dt
            .ok()
            .and_then(|dt| self.tz.to_ambiguous_timestamp(dt).compatible().ok())
            .map(|ts| ts.as_second());
        match seconds.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()) {
            Some(t) => t,
            None => local.assume_utc(),
        }
    }

    /// The zone as a Chinese reader names it: 北京时间 for China's zone, else its IANA name; with its offset now.
    pub fn label_zh(&self) -> String {
        format!(
            "{}（{}）",
            self.china_or(|| self.name.clone(), "北京时间"),
            self.utc_offset_now()
        )
    }

    /// The zone as an English reader names it.
    pub fn label_en(&self) -> String {
        format!(
            "{} ({})",
            self.china_or(|| self.name.clone(), "China Standard Time"),
            self.utc_offset_now()
        )
    }

    fn china_or(&self, other: impl FnOnce() -> String, china: &str) -> String {
        // The zones that are Beijing time in the IANA database (Asia/Shanghai and its links).
        match self.name.as_str() {
            "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Chungking" | "Asia/Harbin" | "PRC" => {
                china.to_owned()
            }
            _ => other(),
        }
    }

    fn utc_offset_now(&self) -> String {
        let off = self.offset_at(OffsetDateTime::now_utc());
        let (h, m, _) = off.as_hms();
        let sign = if off.is_negative() { '-' } else { '+' };
        if m == 0 {
            format!("{sign}{:02}:00", h.unsigned_abs())
        } else {
            format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
        }
    }

    /// A time as a person reads it: `2026-12-07 07:30` in this zone.
    pub fn show(&self, t: OffsetDateTime) -> String {
        let l = self.local(t);
        format!("{} {:02}:{:02}", l.date(), l.hour(), l.minute())
    }

    /// A time with its offset, for downloads: `2026-12-07T07:30:00+08:00`.
    pub fn rfc3339(&self, t: OffsetDateTime) -> String {
        let l = self.local(t);
        let off = l.offset();
        let (h, m, _) = off.as_hms();
        let sign = if off.is_negative() { '-' } else { '+' };
        format!(
            "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            l.date(),
            l.hour(),
            l.minute(),
            l.second(),
            h.unsigned_abs(),
            m.unsigned_abs()
        )
    }

    /// A stored time (RFC 3339) as a person reads it; the stored text itself when it does not parse.
    pub fn show_stamp(&self, stamp: &str) -> String {
        parse_stamp(stamp).map_or_else(|| stamp.to_owned(), |t| self.show(t))
    }

    /// A stored time (RFC 3339) with its local offset; the stored text itself when it does not parse.
    pub fn rfc3339_stamp(&self, stamp: &str) -> String {
        parse_stamp(stamp).map_or_else(|| stamp.to_owned(), |t| self.rfc3339(t))
    }
}

fn parse_stamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn shanghai_dates_change_at_local_midnight_not_utc_midnight() {
        let z = Zone::default();
        assert_eq!(z.name(), "Asia/Shanghai");
        // 07:30 on 7 December in Beijing is 23:30 on 6 December UTC.
        assert_eq!(
            z.date_of(datetime!(2026-12-06 23:30 UTC)),
            date!(2026 - 12 - 07)
        );
        // 23:30 on 7 December in Beijing is 15:30 UTC, the same date.
        assert_eq!(
            z.date_of(datetime!(2026-12-07 15:30 UTC)),
            date!(2026 - 12 - 07)
        );
        // 00:00 local is the first instant of the new date; one second before is still the old one.
        assert_eq!(
            z.date_of(datetime!(2026-12-06 16:00 UTC)),
            date!(2026 - 12 - 07)
        );
        assert_eq!(
            z.date_of(datetime!(2026-12-06 15:59:59 UTC)),
            date!(2026 - 12 - 06)
        );
    }

    #[test]
    fn a_zone_with_summer_time_follows_the_database() {
        let z = Zone::named("Europe/Berlin").expect("zone");
        assert_eq!(
            z.offset_at(datetime!(2026-07-01 12:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            z.offset_at(datetime!(2026-12-01 12:00 UTC)).whole_hours(),
            1
        );
        // Urumqi's zone is UTC+6 in the database (the official clock is Beijing's; a deployment may choose).
        let u = Zone::named("Asia/Urumqi").expect("zone");
        assert_eq!(
            u.offset_at(datetime!(2026-12-01 12:00 UTC)).whole_hours(),
            6
        );
    }

    #[test]
    fn unknown_names_and_bare_offsets_are_refused() {
        for bad in ["Asia/Beijing", "CST", "+08:00", "", "Mars/Olympus"] {
            assert!(Zone::named(bad).is_err(), "{bad}");
        }
        assert!(Zone::named(" Asia/Shanghai ").is_ok());
    }

    #[test]
    fn local_noon_maps_back_to_its_date() {
        let z = Zone::default();
        let t = z.instant(datetime!(2026-12-07 00:30));
        assert_eq!(t, datetime!(2026-12-06 16:30 UTC));
        assert_eq!(z.date_of(t), date!(2026 - 12 - 07));
    }

    #[test]
    fn shown_times_are_local_with_their_offset_in_downloads() {
        let z = Zone::default();
        let t = datetime!(2026-12-06 23:30 UTC);
        assert_eq!(z.show(t), "2026-12-07 07:30");
        assert_eq!(z.rfc3339(t), "2026-12-07T07:30:00+08:00");
        assert_eq!(
            z.show_stamp("2026-12-06T23:30:00.000000Z"),
            "2026-12-07 07:30"
        );
        assert_eq!(z.show_stamp("not a time"), "not a time");
        let ny = Zone::named("America/New_York").expect("zone");
        assert_eq!(ny.rfc3339(t), "2026-12-06T18:30:00-05:00");
    }
}
