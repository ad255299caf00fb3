//! The rules as versioned data files, embedded at compile time.
//!
//! This crate holds no logic: `waste-core` parses these texts once and applies them. Every file names its
//! source and confidence (`[C]` full official text, `S` secondary source, `UNCONFIRMED`); see `SOURCES.md`.

/// GB 34330-2017 clause table (identification of solid waste).
pub const GB34330_2017: &str = include_str!("../data/gb34330-2017.toml");

/// National Catalogue of Hazardous Wastes, 2021 edition: categories, lab-relevant codes, exemptions.
pub const CATALOGUE_2021: &str = include_str!("../data/catalogue-2021.toml");

/// National Catalogue of Hazardous Wastes, 2025 edition (in force from 2025-01-01): articles [S], entries carried
/// over from 2021 and tagged UNCONFIRMED until their 2025 wording is read.
pub const CATALOGUE_2025: &str = include_str!("../data/catalogue-2025.toml");

/// Every catalogue edition with data, keyed by the `data` name `editions.toml` gives it.
pub const CATALOGUES: &[(&str, &str)] = &[
    ("catalogue-2021", CATALOGUE_2021),
    ("catalogue-2025", CATALOGUE_2025),
];

/// Every identification-standard edition with data, keyed like `CATALOGUES`.
pub const IDENTIFICATION_STANDARDS: &[(&str, &str)] = &[("gb34330-2017", GB34330_2017)];

/// Editions of the instruments the rules cite: in force from, data file, article numbers by role.
pub const EDITIONS: &str = include_str!("../data/editions.toml");

/// GB 8978-1996 Table 1 first-class pollutants and the cyanide trace setting (discharge exclusions).
pub const GB8978_1996: &str = include_str!("../data/gb8978-1996.toml");

/// Substance table: CAS, names and synonyms, rule flags, hazard characteristics, EPA-600/2-80-076 groups.
pub const SUBSTANCES: &str = include_str!("../data/substances.csv");

/// Medical Waste Classification Catalogue (2021): the five HW01 categories, what each waste is, the collection
/// streams, and the biological-laboratory setting.
pub const MEDICAL_WASTE_2021: &str = include_str!("../data/medical-waste-2021.toml");

/// Laboratory collection streams with container colours, and the strongly-oxidising thresholds.
pub const STREAMS: &str = include_str!("../data/streams.toml");

/// EPA-600/2-80-076 reactivity groups and compatibility chart.
pub const REACTIVITY: &str = include_str!("../data/reactivity.toml");

/// Container fill limits and container-material rules.
pub const CONTAINERS: &str = include_str!("../data/containers.toml");

/// HJ 1276-2022 label sizes and the digital identification code layout.
pub const LABELS: &str = include_str!("../data/labels.toml");

/// Storage time policies by site kind and the storage-point ceiling.
pub const STORAGE: &str = include_str!("../data/storage.toml");

/// China's public holidays and adjusted working days.
pub const CALENDAR_CN: &str = include_str!("../data/calendar-cn.toml");

/// Transfer manifest rules: number format, receipt deadline, weight tolerance.
pub const MANIFEST: &str = include_str!("../data/manifest.toml");

/// HJ 1259-2022 ledger and management-plan rules: class thresholds, batch-code prefixes, declaration dates,
/// the litre density setting, alert lead times; the Art.20 paper-fallback window of the Transfer Measures.
pub const HJ1259: &str = include_str!("../data/hj1259.toml");
/// Storage sites: kinds, the storage-point warning share, spill containment, zones, the self-inspection checklist
/// and the HJ 1276-2022 zone and facility signs.
pub const SITES: &str = include_str!("../data/sites.toml");

/// Catalogue of Hazardous Chemicals (2015) entries marked 剧毒 (highly toxic): catalogue number, names, CAS.
pub const HIGHLY_TOXIC_2015: &str = include_str!("../data/highly-toxic-2015.csv");

/// Precursor chemicals (易制毒化学品): the annex of State Council Order 445 (2005), categories 1–3, with the later
/// additions up to 国办函〔2021〕58号.
pub const PRECURSORS: &str = include_str!("../data/precursors.csv");

/// Explosive-precursor hazardous chemicals (易制爆危险化学品名录, 2017, Ministry of Public Security): 74 entries
/// in 9 classes.
pub const EXPLOSIVE_PRECURSORS_2017: &str = include_str!("../data/explosive-precursors-2017.csv");

/// The reagent shelf: the duties that follow each controlled-chemical list (two-person custody, stocktake
/// interval) and the shelf's settings (expiry warning, stocktake tolerance).
pub const REAGENTS: &str = include_str!("../data/reagents.toml");
