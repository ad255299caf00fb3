//! Editions of the instruments the rules cite (catalogue, identification standard, discharge standard, law), read
//! from `standards-data/data/editions.toml`: which edition is in force on a date, which one the rules can apply
//! (the latest in force that has data), and the article numbers cited by role. A new edition or a renumbered law
//! is a data change.

use crate::citation::Confidence;
use serde::Deserialize;
use std::collections::BTreeMap;
use time::Date;

/// One edition of an instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// E.g. `2025`.
    pub edition: String,
    pub in_force_from: Date,
    /// How it was issued, e.g. `MEE Order No.36` or `GB 34330-2017`.
    pub issued_as: String,
    /// The data file holding its entries or clauses; `None` when they are not in the data yet.
    pub data: Option<String>,
    pub source: String,
    pub confidence: Confidence,
    /// Role -> article or clause as printed, e.g. `unclear_hazard` -> `Art.6`.
    pub articles: BTreeMap<String, String>,
}

/// An instrument and its editions, oldest first.
#[derive(Debug, Clone)]
pub struct Instrument {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub editions: Vec<Edition>,
}

/// Which edition applies on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicable<'a> {
    /// The edition in force on the date.
    pub in_force: &'a Edition,
    /// The edition the rules apply: the latest in force that has data (for an instrument whose articles are all
    /// in `editions.toml`, such as a law, the edition in force). Differs from `in_force` only while the newer
    /// edition's text is not in the data.
    pub applied: &'a Edition,
}

#[derive(Debug, Clone)]
pub struct Editions {
    instruments: Vec<Instrument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    instrument: Vec<RawInstrument>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    id: String,
    name_en: String,
    name_zh: String,
    edition: Vec<RawEdition>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    edition: String,
    in_force_from: String,
    issued_as: String,
    data: Option<String>,
    source: String,
    confidence: Confidence,
    #[serde(default)]
    articles: BTreeMap<String, String>,
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("date '{s}': {e}"))
}

impl Editions {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| format!("editions: {e}"))?;
        let mut instruments = Vec::new();
        for i in raw.instrument {
            let mut editions = Vec::new();
            for e in i.edition {
                editions.push(Edition {
                    in_force_from: parse_date(&e.in_force_from)
                        .map_err(|m| format!("editions: {} {}: {m}", i.id, e.edition))?,
                    edition: e.edition,
                    issued_as: e.issued_as,
                    data: e.data,
                    source: e.source,
                    confidence: e.confidence,
                    articles: e.articles,
                });
            }
            if editions.is_empty() {
                return Err(format!("editions: {} has no edition", i.id));
            }
            if editions
                .windows(2)
                .any(|w| w[0].in_force_from >= w[1].in_force_from)
            {
                return Err(format!(
                    "editions: the editions of {} must be listed oldest first",
                    i.id
                ));
            }
            if editions.iter().any(|e| e.data.is_some()) && editions[0].data.is_none() {
                return Err(format!(
                    "editions: the first edition of {} needs data, or no decision can be made before the next",
                    i.id
                ));
            }
            if instruments.iter().any(|x: &Instrument| x.id == i.id) {
                return Err(format!("editions: {} is listed twice", i.id));
            }
            instruments.push(Instrument {
                id: i.id,
                name_en: i.name_en,
                name_zh: i.name_zh,
                editions,
            });
        }
        Ok(Self { instruments })
    }

    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.iter()
    }

    /// The editions of `id` that apply on `on`; `None` for an unknown instrument. Before the first edition took
    /// effect, the first edition applies (a decision cannot be dated before the rules it needs).
    pub fn on(&self, id: &str, on: Date) -> Option<Applicable<'_>> {
        let inst = self.instrument(id)?;
        let in_force = inst
            .editions
            .iter()
            .rev()
            .find(|e| e.in_force_from <= on)
            .unwrap_or(&inst.editions[0]);
        let applied = if inst.editions.iter().all(|e| e.data.is_none()) {
            in_force
        } else {
            inst.editions
                .iter()
                .rev()
                .filter(|e| e.in_force_from <= in_force.in_force_from)
                .find(|e| e.data.is_some())
                .unwrap_or(&inst.editions[0])
        };
        Some(Applicable { in_force, applied })
    }

    /// The article an instrument's edition in force on `on` gives a role, e.g. (`catalogue`, `unclear_hazard`)
    /// -> `Art.6`. `None` when the data names none.
    pub fn article(&self, id: &str, role: &str, on: Date) -> Option<&str> {
        let a = self.on(id, on)?;
        a.applied.articles.get(role).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TWO: &str = r#"
[[instrument]]
id = "law"
name_en = "Law"
name_zh = "法"
[[instrument.edition]]
edition = "2020"
in_force_from = "2020-09-01"
issued_as = "2020 revision"
data = "law-2020"
source = "s"
confidence = "C"
articles = { storage_limit = "Art.81" }
[[instrument.edition]]
edition = "2026"
in_force_from = "2026-08-15"
issued_as = "code"
source = "s"
confidence = "UNCONFIRMED"
articles = { storage_limit = "Art.999" }
"#;

    /// A renumbered law is a data change: the edition in force is chosen by date; without its data the older
    /// edition's articles are applied and the caller can see that the two differ.
    #[test]
    fn the_edition_in_force_is_chosen_by_date() {
        let e = Editions::parse(TWO).expect("parses");
        let before = e.on("law", date!(2026 - 08 - 14)).expect("known");
        assert_eq!(before.in_force.edition, "2020");
        assert_eq!(before.applied.edition, "2020");
        let after = e.on("law", date!(2026 - 08 - 15)).expect("known");
        assert_eq!(after.in_force.edition, "2026");
        assert_eq!(after.applied.edition, "2020", "no data for 2026 yet");
        let with_data = TWO.replace(
            "issued_as = \"code\"",
            "issued_as = \"code\"\ndata = \"law-2026\"",
        );
        let e2 = Editions::parse(&with_data).expect("parses");
        assert_eq!(
            e2.article("law", "storage_limit", date!(2026 - 11 - 30)),
            Some("Art.999")
        );
        assert_eq!(
            e2.article("law", "storage_limit", date!(2025 - 11 - 30)),
            Some("Art.81")
        );
        assert!(e.on("nothing", date!(2026 - 01 - 01)).is_none());
    }

    #[test]
    fn editions_out_of_order_are_refused() {
        let swapped = TWO.replace("2020-09-01", "2027-01-01");
        let err = Editions::parse(&swapped).err().unwrap_or_default();
        assert!(err.contains("oldest first"), "{err}");
        // An edition with data before one without: the first must have data when any has.
        let no_first_data = TWO.replace("data = \"law-2020\"\n", "");
        let with_later_data = no_first_data.replace(
            "issued_as = \"code\"",
            "issued_as = \"code\"\ndata = \"law-2026\"",
        );
        assert!(Editions::parse(&with_later_data).is_err());
        // A law whose articles are all in this file (no data) applies the edition in force.
        let articles_only = Editions::parse(&no_first_data).expect("parses");
        assert_eq!(
            articles_only.article("law", "storage_limit", time::macros::date!(2026 - 09 - 01)),
            Some("Art.999")
        );
    }
}
