//! The rules as versioned data files, embedded at compile time.
//!
//! This crate holds no logic: `waste-core` parses these texts once and applies them. Every file names its
//! source and confidence (`[C]` full official text, `S` secondary source, `UNCONFIRMED`); see `SOURCES.md`.

/// GB 34330-2017 clause table (identification of solid waste).
pub const GB34330_2017: &str = include_str!("../data/gb34330-2017.toml");

/// National Catalogue of Hazardous Wastes, 2021 edition: categories, lab-relevant codes, exemptions.
pub const CATALOGUE_2021: &str = include_str!("../data/catalogue-2021.toml");

/// Substance table: CAS, names and synonyms, rule flags, hazard characteristics, EPA-600/2-80-076 groups.
pub const SUBSTANCES: &str = include_str!("../data/substances.csv");

/// Laboratory collection streams with container colours.
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

/// Storage sites: kinds, the storage-point warning share, spill containment, zones, the self-inspection checklist
/// and the HJ 1276-2022 zone and facility signs.
pub const SITES: &str = include_str!("../data/sites.toml");
