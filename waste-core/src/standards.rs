//! All rules data, parsed once from `standards-data` and checked for consistency.

use crate::catalogue::Catalogue;
use crate::hazardous::ASSIGNED;
use crate::identification::IdentificationStandard;
use crate::stream::StreamTable;
use crate::substance::SubstanceTable;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Standards {
    pub identification: IdentificationStandard,
    pub catalogue: Catalogue,
    pub substances: SubstanceTable,
    pub streams: StreamTable,
}

/// The texts of the data files; `Standards::parse` takes them so tests can feed altered data.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub identification: &'a str,
    pub catalogue: &'a str,
    pub substances: &'a str,
    pub streams: &'a str,
}

impl Sources<'static> {
    pub const EMBEDDED: Sources<'static> = Sources {
        identification: standards_data::GB34330_2017,
        catalogue: standards_data::CATALOGUE_2021,
        substances: standards_data::SUBSTANCES,
        streams: standards_data::STREAMS,
    };
}

impl Standards {
    pub fn parse(src: Sources<'_>) -> Result<Self, String> {
        let s = Self {
            identification: IdentificationStandard::parse(src.identification)?,
            catalogue: Catalogue::parse(src.catalogue)?,
            substances: SubstanceTable::parse(src.substances)?,
            streams: StreamTable::parse(src.streams)?,
        };
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
