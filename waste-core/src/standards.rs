//! All rules data, parsed once from `standards-data` and checked for consistency.

use crate::catalogue::Catalogue;
use crate::compatibility::ReactivityMatrix;
use crate::container::ContainerPolicy;
use crate::discharge::DischargeRules;
use crate::edition::{Applicable, Edition, Editions};
use crate::hazardous::{ASSIGNED, Articles};
use crate::identification::IdentificationStandard;
use crate::label::LabelRules;
use crate::manifest::ManifestRules;
use crate::medical::MedicalRules;
use crate::sign::SignRules;
use crate::site::SiteRules;
use crate::storage::{StorageRules, WorkingCalendar};
use crate::stream::StreamTable;
use crate::substance::SubstanceTable;
use std::sync::OnceLock;
use time::Date;

/// Instrument ids of `editions.toml` the rules read.
pub const CATALOGUE: &str = "catalogue";
pub const IDENTIFICATION: &str = "gb34330";

/// A catalogue edition with the articles its decisions cite.
#[derive(Debug, Clone)]
pub struct CatalogueEdition {
    pub catalogue: Catalogue,
    pub edition: Edition,
    pub listing: String,
    pub unclear_hazard: String,
}

/// The catalogue a decision on a date uses, and the newer edition in force without data, if any.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueInUse<'a> {
    pub catalogue: &'a Catalogue,
    pub articles: Articles<'a>,
    pub edition: &'a Edition,
    pub newer: Option<&'a Edition>,
    /// The decision date falls before the earliest catalogue edition in the data came into force: the earliest
    /// is applied, and the decision must say so.
    pub before_earliest: bool,
}

/// The identification standard a decision on a date uses, and the newer edition in force without data, if any.
#[derive(Debug, Clone, Copy)]
pub struct IdentificationInUse<'a> {
    pub standard: &'a IdentificationStandard,
    pub newer: Option<&'a Edition>,
    /// The decision date falls before the earliest identification standard in the data took effect.
    pub before_earliest: bool,
}

#[derive(Debug, Clone)]
pub struct Standards {
    /// The latest identification-standard edition with data (for clause texts); decisions choose theirs by date
    /// through `identification_on`.
    pub identification: IdentificationStandard,
    pub identification_editions: Vec<IdentificationStandard>,
    /// The latest catalogue edition (for code look-ups); decisions choose theirs by date through `catalogue_on`.
    pub catalogue: Catalogue,
    pub catalogue_editions: Vec<CatalogueEdition>,
    pub editions: Editions,
    pub discharge: DischargeRules,
    pub substances: SubstanceTable,
    pub streams: StreamTable,
    pub medical: MedicalRules,
    pub reactivity: ReactivityMatrix,
    pub containers: ContainerPolicy,
    pub labels: LabelRules,
    pub storage: StorageRules,
    pub calendar: WorkingCalendar,
    pub manifest: ManifestRules,
    /// The tolerance between a container's three weighings (manifest.toml `[weighings]`).
    pub weighings: crate::pickup::WeighingRules,
    pub sites: SiteRules,
    pub signs: SignRules,
    /// The reagent shelf: controlled-chemical lists, their duties, the shelf's settings.
    pub reagents: crate::reagent::ShelfRules,
}

/// The texts of the data files; `Standards::parse` takes them so tests can feed altered data. Editions are
/// `(data name, text)` pairs, the names `editions.toml` gives them.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub identification: &'a [(&'a str, &'a str)],
    pub catalogues: &'a [(&'a str, &'a str)],
    pub editions: &'a str,
    pub discharge: &'a str,
    pub substances: &'a str,
    pub streams: &'a str,
    pub medical: &'a str,
    pub reactivity: &'a str,
    pub containers: &'a str,
    pub labels: &'a str,
    pub storage: &'a str,
    pub calendar: &'a str,
    pub manifest: &'a str,
    pub sites: &'a str,
    pub reagents: &'a str,
    pub highly_toxic: &'a str,
    pub precursors: &'a str,
    pub explosive_precursors: &'a str,
}

impl Sources<'static> {
    pub const EMBEDDED: Sources<'static> = Sources {
        identification: standards_data::IDENTIFICATION_STANDARDS,
        catalogues: standards_data::CATALOGUES,
        editions: standards_data::EDITIONS,
        discharge: standards_data::GB8978_1996,
        substances: standards_data::SUBSTANCES,
        streams: standards_data::STREAMS,
        medical: standards_data::MEDICAL_WASTE_2021,
        reactivity: standards_data::REACTIVITY,
        containers: standards_data::CONTAINERS,
        labels: standards_data::LABELS,
        storage: standards_data::STORAGE,
        calendar: standards_data::CALENDAR_CN,
        manifest: standards_data::MANIFEST,
        sites: standards_data::SITES,
        reagents: standards_data::REAGENTS,
        highly_toxic: standards_data::HIGHLY_TOXIC_2015,
        precursors: standards_data::PRECURSORS,
        explosive_precursors: standards_data::EXPLOSIVE_PRECURSORS_2017,
    };
}

impl Standards {
    pub fn parse(src: Sources<'_>) -> Result<Self, String> {
        let editions = Editions::parse(src.editions)?;
        let catalogue_editions = Self::catalogue_editions(&editions, src.catalogues)?;
        let identification_editions = Self::identification_editions(&editions, src.identification)?;
        let (Some(latest_cat), Some(latest_id)) =
            (catalogue_editions.last(), identification_editions.last())
        else {
            return Err("editions: no catalogue or identification standard with data".into());
        };
        let s = Self {
            identification: latest_id.clone(),
            catalogue: latest_cat.catalogue.clone(),
            identification_editions,
            catalogue_editions,
            editions,
            discharge: DischargeRules::parse(src.discharge)?,
            substances: SubstanceTable::parse(src.substances)?,
            streams: StreamTable::parse(src.streams)?,
            medical: MedicalRules::parse(src.medical)?,
            reactivity: ReactivityMatrix::parse(src.reactivity)?,
            containers: ContainerPolicy::parse(src.containers)?,
            labels: LabelRules::parse(src.labels)?,
            storage: StorageRules::parse(src.storage)?,
            calendar: WorkingCalendar::parse(src.calendar)?,
            manifest: ManifestRules::parse(src.manifest)?,
            weighings: crate::pickup::WeighingRules::parse(src.manifest)?,
            sites: SiteRules::parse(src.sites)?,
            signs: SignRules::parse(src.sites)?,
            reagents: crate::reagent::ShelfRules::parse(
                src.reagents,
                crate::reagent::ControlledLists::parse(
                    src.highly_toxic,
                    src.precursors,
                    src.explosive_precursors,
                )?,
            )?,
        };
        for sub in s.substances.iter() {
            for g in &sub.groups {
                if s.reactivity.groups().all(|(n, _)| n != g.0) {
                    return Err(format!(
                        "substance {} names reactivity group {}, which the chart lacks",
                        sub.cas, g.0
                    ));
                }
            }
        }
        for c in &s.medical.categories {
            if !ASSIGNED.contains(&c.code.as_str()) {
                return Err(format!(
                    "medical waste: category {} names {}, which the rules do not assign",
                    c.id, c.code
                ));
            }
        }
        for ed in &s.catalogue_editions {
            for code in ASSIGNED {
                if ed.catalogue.code(code).is_none() {
                    return Err(format!(
                        "the rules assign {code}, which {} lacks",
                        ed.catalogue.name
                    ));
                }
            }
        }
        Ok(s)
    }

    /// The data file named by each edition of `instrument` that has data, in the order of `editions.toml`.
    fn data_of<'e>(
        editions: &'e Editions,
        instrument: &str,
        files: &[(&str, &str)],
    ) -> Result<Vec<(&'e Edition, String)>, String> {
        let inst = editions
            .instrument(instrument)
            .ok_or_else(|| format!("editions: instrument {instrument} is missing"))?;
        let mut out = Vec::new();
        for e in &inst.editions {
            let Some(name) = &e.data else { continue };
            let text = files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| (*t).to_owned())
                .ok_or_else(|| {
                    format!(
                        "editions: {instrument} {} names data '{name}', which is not embedded",
                        e.edition
                    )
                })?;
            out.push((e, text));
        }
        for (n, _) in files {
            if !inst.editions.iter().any(|e| e.data.as_deref() == Some(*n)) {
                return Err(format!(
                    "editions: data '{n}' is embedded but no {instrument} edition names it"
                ));
            }
        }
        Ok(out)
    }

    fn catalogue_editions(
        editions: &Editions,
        files: &[(&str, &str)],
    ) -> Result<Vec<CatalogueEdition>, String> {
        let mut out = Vec::new();
        for (e, text) in Self::data_of(editions, CATALOGUE, files)? {
            let catalogue = Catalogue::parse(&text)?;
            if catalogue.edition != e.edition || catalogue.effective_from != e.in_force_from {
                return Err(format!(
                    "{}: edition {} from {} disagrees with editions.toml ({} from {})",
                    catalogue.name,
                    catalogue.edition,
                    catalogue.effective_from,
                    e.edition,
                    e.in_force_from
                ));
            }
            let role = |r: &str| {
                e.articles.get(r).cloned().ok_or_else(|| {
                    format!(
                        "editions: catalogue {} names no article for '{r}'",
                        e.edition
                    )
                })
            };
            out.push(CatalogueEdition {
                listing: role("listing")?,
                unclear_hazard: role("unclear_hazard")?,
                catalogue,
                edition: e.clone(),
            });
        }
        Ok(out)
    }

    fn identification_editions(
        editions: &Editions,
        files: &[(&str, &str)],
    ) -> Result<Vec<IdentificationStandard>, String> {
        let mut out = Vec::new();
        for (e, text) in Self::data_of(editions, IDENTIFICATION, files)? {
            let std = IdentificationStandard::parse(&text)?;
            if std.edition != e.edition || std.effective_from != e.in_force_from {
                return Err(format!(
                    "{}: edition {} from {} disagrees with editions.toml ({} from {})",
                    std.name, std.edition, std.effective_from, e.edition, e.in_force_from
                ));
            }
            out.push(std);
        }
        Ok(out)
    }

    /// The edition of `instrument` in force on `on` when the rules cannot apply it (its data is missing).
    fn newer_without_data(&self, instrument: &str, on: Date) -> Option<&Edition> {
        self.editions
            .on(instrument, on)
            .and_then(|a: Applicable<'_>| (a.in_force != a.applied).then_some(a.in_force))
    }

    /// The catalogue edition in force on `on` (2021 before 2025-01-01, 2025 from then), with its articles: the
    /// latest edition with data in force on that date, or the first for an earlier date.
    pub fn catalogue_on(&self, on: Date) -> CatalogueInUse<'_> {
        let first = &self.catalogue_editions[0]; // `parse` refuses data without a catalogue edition
        let ed = self
            .catalogue_editions
            .iter()
            .rev()
            .find(|c| c.edition.in_force_from <= on)
            .unwrap_or(first);
        CatalogueInUse {
            catalogue: &ed.catalogue,
            articles: Articles {
                listing: &ed.listing,
                unclear_hazard: &ed.unclear_hazard,
            },
            edition: &ed.edition,
            newer: self.newer_without_data(CATALOGUE, on),
            before_earliest: on < first.edition.in_force_from,
        }
    }

    /// The identification-standard edition a decision on `on` applies, and the newer one in force without data.
    pub fn identification_on(&self, on: Date) -> IdentificationInUse<'_> {
        let first = &self.identification_editions[0]; // `parse` refuses data without one
        let standard = self
            .identification_editions
            .iter()
            .rev()
            .find(|s| s.effective_from <= on)
            .unwrap_or(first);
        IdentificationInUse {
            standard,
            newer: self.newer_without_data(IDENTIFICATION, on),
            before_earliest: on < first.effective_from,
        }
    }

    /// The embedded data, parsed on first use. The data is compiled in and checked by the test suite, so a
    /// failure here is a build defect, not a user error.
    pub fn embedded() -> &'static Standards {
        static CELL: OnceLock<Standards> = OnceLock::new();
        CELL.get_or_init(|| match Standards::parse(Sources::EMBEDDED) {
            Ok(s) => s,
            Err(e) => panic!("embedded standards data is invalid: {e}"),
        })
    }
}

impl crate::site::Rulebook for Standards {
    fn storage(&self) -> &StorageRules {
        &self.storage
    }
    fn reactivity(&self) -> &ReactivityMatrix {
        &self.reactivity
    }
    fn substances(&self) -> &SubstanceTable {
        &self.substances
    }
}
