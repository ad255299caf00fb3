//! Storage clocks: when storage must end at each kind of site, "due soon" and "overdue", the 3 t ceiling of a
//! storage point, and China's working-day calendar for deadlines counted in working days.

use crate::citation::Confidence;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::str::FromStr;
use time::{Date, Duration, Month, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A laboratory (generator).
    Lab,
    /// A school's storage point (贮存点, GB 18597-2023).
    StoragePoint,
    /// A licensed transfer station (collector): Solid Waste Law Art.81 applies.
    TransferStation,
}

impl SiteKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "lab" => Some(Self::Lab),
            "storage_point" => Some(Self::StoragePoint),
            "transfer_station" => Some(Self::TransferStation),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoragePolicy {
    pub site: SiteKind,
    pub limit_months: u32,
    pub due_soon_days: i64,
    pub source: String,
    pub confidence: Confidence,
}

#[derive(Debug, Clone)]
pub struct StorageRules {
    policies: BTreeMap<SiteKind, StoragePolicy>,
    pub storage_point_max_kg: Decimal,
    pub storage_point_source: String,
    /// From this share of the ceiling on, the quantity on hand is shown as a warning (a setting).
    pub storage_point_warn_fraction: Decimal,
    pub storage_point_warn_source: String,
}

impl StorageRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            policy: Vec<P>,
            storage_point: Sp,
        }
        #[derive(Deserialize)]
        struct P {
            site: String,
            limit_months: u32,
            due_soon_days: i64,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Sp {
            max_mass_kg: String,
            source: String,
            warn_fraction: String,
            warn_source: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("storage: {e}"))?;
        let mut policies = BTreeMap::new();
        for p in raw.policy {
            let site = SiteKind::parse(&p.site)
                .ok_or_else(|| format!("storage: unknown site '{}'", p.site))?;
            if p.limit_months == 0 || p.due_soon_days < 0 {
                return Err(format!("storage: policy for {} has no limit", p.site));
            }
            let policy = StoragePolicy {
                site,
                limit_months: p.limit_months,
                due_soon_days: p.due_soon_days,
                source: p.source,
                confidence: p.confidence,
            };
            // A kind given twice would let the later block win without a word.
            if policies.insert(site, policy).is_some() {
                return Err(format!("storage: two policies for {}", p.site));
            }
        }
        for s in [
            SiteKind::Lab,
            SiteKind::StoragePoint,
            SiteKind::TransferStation,
        ] {
            if !policies.contains_key(&s) {
                return Err(format!("storage: no policy for {s:?}"));
            }
        }
        let max = Decimal::from_str(&raw.storage_point.max_mass_kg)
            .map_err(|e| format!("storage: {e}"))?;
        let warn = Decimal::from_str(&raw.storage_point.warn_fraction)
            .map_err(|e| format!("storage: warn_fraction: {e}"))?;
        if warn <= Decimal::ZERO || warn > Decimal::ONE {
            return Err("storage: warn_fraction must be in (0, 1]".into());
        }
        Ok(Self {
            policies,
            storage_point_max_kg: max,
            storage_point_source: raw.storage_point.source,
            storage_point_warn_fraction: warn,
            storage_point_warn_source: raw.storage_point.warn_source,
        })
    }

    pub fn policy(&self, site: SiteKind) -> &StoragePolicy {
        // Every site kind is present: `parse` refuses data without one.
        &self.policies[&site]
    }

    /// Deadline and status of a storage clock that started on `started_on`, as of `today`.
    pub fn clock(&self, site: SiteKind, started_on: Date, today: Date) -> StorageClock {
        let p = self.policy(site);
        let deadline = add_months(started_on, p.limit_months);
        let days_left = (deadline - today).whole_days();
        let status = if days_left < 0 {
            StorageStatus::Overdue
        } else if days_left <= p.due_soon_days {
            StorageStatus::DueSoon
        } else {
            StorageStatus::Ok
        };
        StorageClock {
            started_on,
            deadline,
            days_left,
            status,
            source: p.source.clone(),
        }
    }
}

/// A school's hazardous waste on hand against the storage-point ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnHand {
    pub total_kg: Decimal,
    pub max_kg: Decimal,
    pub warn_from_kg: Decimal,
    pub status: OnHandStatus,
    pub citation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnHandStatus {
    Ok,
    /// At or above the warning share of the ceiling.
    Warning,
    /// Above the ceiling (only reachable through records made before the check).
    Over,
}

impl StorageRules {
    /// The quantity on hand at a school's storage point, with its status against the 3 t ceiling of
    /// GB 18597-2023 8.3.5 and the warning share (a setting, see `storage.toml`). The one place the ceiling and
    /// the share are compared: a site's quantity (`SiteRules::quantity`) and the refusal of a move or an addition
    /// over the ceiling (`SiteRules::check_quantity`) read this status.
    pub fn on_hand(&self, total_kg: Decimal) -> OnHand {
        let max_kg = self.storage_point_max_kg;
        let warn_from_kg = (max_kg * self.storage_point_warn_fraction).normalize();
        let status = if total_kg > max_kg {
            OnHandStatus::Over
        } else if total_kg >= warn_from_kg {
            OnHandStatus::Warning
        } else {
            OnHandStatus::Ok
        };
        OnHand {
            total_kg: total_kg.normalize(),
            max_kg,
            warn_from_kg,
            status,
            citation: format!(
                "{}; warning from {} of it: {}",
                self.storage_point_source,
                self.storage_point_warn_fraction,
                self.storage_point_warn_source
            ),
        }
    }

    /// Which clock a container runs on while `holder` holds it: a transfer station's own (Solid Waste Law Art.81,
    /// licensed operators store at most one year) once it took custody, the lab's before.
    pub fn site_of(holder: crate::party::OrgKind) -> SiteKind {
        use crate::party::OrgKind;
        match holder {
            OrgKind::TransferStation => SiteKind::TransferStation,
            OrgKind::School | OrgKind::DisposalFirm | OrgKind::Carrier | OrgKind::Authority => {
                SiteKind::Lab
            }
        }
    }

    /// Every clock at `site` that is due soon or overdue on `today` started on or before this date (one month
    /// of slack for month ends; the exact status comes from `clock`). For a storage-alert query.
    pub fn alert_horizon(&self, site: SiteKind, today: Date) -> Date {
        let p = self.policy(site);
        let horizon = today + Duration::days(p.due_soon_days + 31);
        sub_months(horizon, p.limit_months)
    }
}

/// `d` minus whole months, rolling a missing day back to the month's end (the inverse of `add_months`).
pub fn sub_months(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + (u8::from(d.month()) as i32 - 1) - months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageStatus {
    Ok,
    DueSoon,
    Overdue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageClock {
    pub started_on: Date,
    pub deadline: Date,
    /// Negative once overdue.
    pub days_left: i64,
    pub status: StorageStatus,
    pub source: String,
}

/// Adds calendar months; a day that does not exist in the target month rolls back to its last day
/// (2024-02-29 + 12 months = 2025-02-28; docs/rules.md, "storage deadlines").
pub fn add_months(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + (u8::from(d.month()) as i32 - 1) + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// China's working-day calendar: weekends, public holidays and the weekend days that are worked (调休).
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: HashSet<Date>,
    working_weekends: HashSet<Date>,
    years: BTreeSet<i32>,
}

/// A date counted in working days, and whether the calendar data covered every day counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDayResult {
    pub date: Date,
    /// Years outside the calendar data, counted with weekends only.
    pub uncovered_years: Vec<i32>,
}

impl WorkingCalendar {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            year: Vec<Y>,
        }
        #[derive(Deserialize)]
        struct Y {
            year: i32,
            holidays: Vec<String>,
            working_weekends: Vec<String>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("calendar: {e}"))?;
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let mut cal = WorkingCalendar::default();
        for y in raw.year {
            cal.years.insert(y.year);
            for (list, set, weekend) in [
                (&y.holidays, &mut cal.holidays, false),
                (&y.working_weekends, &mut cal.working_weekends, true),
            ] {
                for s in list {
                    let d = Date::parse(s, fmt).map_err(|e| format!("calendar: '{s}': {e}"))?;
                    if d.year() != y.year {
                        return Err(format!("calendar: {s} is listed under {}", y.year));
                    }
                    if weekend && !is_weekend(d) {
                        return Err(format!(
                            "calendar: working weekend {s} is not a Saturday or Sunday"
                        ));
                    }
                    set.insert(d);
                }
            }
        }
        Ok(cal)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        if self.working_weekends.contains(&d) {
            return true;
        }
        !is_weekend(d)
    }

    /// The date `n` working days after `start` (the start day itself is not counted).
    pub fn add_working_days(&self, start: Date, n: u32) -> WorkingDayResult {
        let mut d = start;
        let mut counted = 0;
        let mut uncovered = BTreeSet::new();
        while counted < n {
            d += Duration::days(1);
            if !self.covers(d.year()) {
                uncovered.insert(d.year());
            }
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        WorkingDayResult {
            date: d,
            uncovered_years: uncovered.into_iter().collect(),
        }
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}
