//! All rules data, parsed once from `standards-data` and checked for consistency.

use crate::catalogue::Catalogue;
use crate::compatibility::ReactivityMatrix;
use crate::container::ContainerPolicy;
use crate::hazardous::ASSIGNED;
use crate::identification::IdentificationStandard;
use crate::label::LabelRules;
use crate::manifest::ManifestRules;
use crate::sign::SignRules;
use crate::site::SiteRules;
use crate::storage::{StorageRules, WorkingCalendar};
use crate::stream::StreamTable;
use crate::substance::SubstanceTable;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Standards {
    pub identification: IdentificationStandard,
    pub catalogue: Catalogue,
    pub substances: SubstanceTable,
    pub streams: StreamTable,
    pub reactivity: ReactivityMatrix,
    pub containers: ContainerPolicy,
    pub labels: LabelRules,
    pub storage: StorageRules,
    pub calendar: WorkingCalendar,
    pub manifest: ManifestRules,
    pub sites: SiteRules,
    pub signs: SignRules,
}

/// The texts of the data files; `Standards::parse` takes them so tests can feed altered data.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub identification: &'a str,
    pub catalogue: &'a str,
    pub substances: &'a str,
    pub streams: &'a str,
    pub reactivity: &'a str,
    pub containers: &'a str,
    pub labels: &'a str,
    pub storage: &'a str,
    pub calendar: &'a str,
    pub manifest: &'a str,
    pub sites: &'a str,
}

impl Sources<'static> {
    pub const EMBEDDED: Sources<'static> = Sources {
        identification: standards_data::GB34330_2017,
        catalogue: standards_data::CATALOGUE_2021,
        substances: standards_data::SUBSTANCES,
        streams: standards_data::STREAMS,
        reactivity: standards_data::REACTIVITY,
        containers: standards_data::CONTAINERS,
        labels: standards_data::LABELS,
        storage: standards_data::STORAGE,
        calendar: standards_data::CALENDAR_CN,
        manifest: standards_data::MANIFEST,
        sites: standards_data::SITES,
    };
}

impl Standards {
    pub fn parse(src: Sources<'_>) -> Result<Self, String> {
        let s = Self {
            identification: IdentificationStandard::parse(src.identification)?,
            catalogue: Catalogue::parse(src.catalogue)?,
            substances: SubstanceTable::parse(src.substances)?,
            streams: StreamTable::parse(src.streams)?,
            reactivity: ReactivityMatrix::parse(src.reactivity)?,
            containers: ContainerPolicy::parse(src.containers)?,
            labels: LabelRules::parse(src.labels)?,
            storage: StorageRules::parse(src.storage)?,
            calendar: WorkingCalendar::parse(src.calendar)?,
            manifest: ManifestRules::parse(src.manifest)?,
            sites: SiteRules::parse(src.sites)?,
            signs: SignRules::parse(src.sites)?,
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
        for code in ASSIGNED {
            if s.catalogue.code(code).is_none() {
                return Err(format!(
                    "the rules assign {code}, which the catalogue data lacks"
                ));
            }
        }
        Ok(s)
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
