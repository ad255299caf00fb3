//! The stream data of `streams.toml`: names and colours, and the oxidiser thresholds and oxidising mixtures.

use super::Stream;
use crate::cas::CasNumber;
use crate::citation::Confidence;
use crate::substance::Substance;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;

/// Stream data: names and container colour from `streams.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub form: String,
    pub colour: Option<String>,
}

/// The fraction at or above which a strong oxidiser makes a liquid "strongly oxidising", with its basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub fraction: Decimal,
    pub confidence: Confidence,
    pub basis: String,
}

/// A mixture whose oxidising power no single component's threshold shows (acid piranha: concentrated sulfuric
/// acid with hydrogen peroxide), from `[[oxidizing_mixture]]` in `streams.toml`: it is strongly oxidising when every
/// part is present at or above its fraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OxidizingMixture {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub parts: Vec<MixturePart>,
    /// How the mixture's oxidising nature is sourced, and where.
    pub confidence: Confidence,
    pub basis: String,
    /// How the parts' fractions (what "concentrated" means) are sourced: a policy setting unless a source gives them.
    pub fractions_confidence: Confidence,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixturePart {
    pub cas: CasNumber,
    pub name: String,
    pub at_least: Decimal,
}

/// Per-substance thresholds (by CAS) and the default for every other strong oxidiser, and the oxidising mixtures.
#[derive(Debug, Clone)]
pub struct OxidizerPolicy {
    pub default: Threshold,
    by_cas: HashMap<String, Threshold>,
    pub mixtures: Vec<OxidizingMixture>,
}

impl OxidizerPolicy {
    pub fn threshold(&self, s: &Substance) -> &Threshold {
        self.by_cas.get(s.cas.as_str()).unwrap_or(&self.default)
    }

    /// The smallest threshold in the data (a mixture's parts included): a trace below it can never decide a
    /// stream.
    pub fn smallest(&self) -> Decimal {
        self.by_cas
            .values()
            .map(|t| t.fraction)
            .chain(
                self.mixtures
                    .iter()
                    .flat_map(|m| m.parts.iter().map(|p| p.at_least)),
            )
            .fold(self.default.fraction, Decimal::min)
    }
}

#[derive(Debug, Clone)]
pub struct StreamTable {
    entries: Vec<(Stream, StreamInfo)>,
    pub oxidizers: OxidizerPolicy,
}

impl StreamTable {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            stream: Vec<StreamInfo>,
            oxidizer_policy: RawPolicy,
            #[serde(default)]
            oxidizer_threshold: Vec<RawThreshold>,
            #[serde(default)]
            oxidizing_mixture: Vec<RawMixture>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawMixture {
            id: String,
            name_en: String,
            name_zh: String,
            confidence: Confidence,
            basis: String,
            /// For readers of the data: where the basis was read.
            #[serde(rename = "sources")]
            _sources: Vec<String>,
            fractions_confidence: Confidence,
            /// For readers of the data: why the fractions are what they are.
            #[serde(rename = "fractions_basis")]
            _fractions_basis: String,
            part: Vec<RawPart>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawPart {
            cas: String,
            name: String,
            at_least: Decimal,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawPolicy {
            default_threshold: Decimal,
            confidence: Confidence,
            basis: String,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawThreshold {
            cas: String,
            /// For readers of the data.
            #[serde(rename = "name")]
            _name: String,
            threshold: Decimal,
            confidence: Confidence,
            basis: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("streams: {e}"))?;
        let valid = |f: Decimal| f > Decimal::ZERO && f <= Decimal::ONE;
        if !valid(raw.oxidizer_policy.default_threshold) {
            return Err("streams: default_threshold must be in (0, 1]".into());
        }
        let mut by_cas = HashMap::new();
        for t in raw.oxidizer_threshold {
            let cas = CasNumber::parse(&t.cas).map_err(|e| format!("streams: {e}"))?;
            if !valid(t.threshold) {
                return Err(format!("streams: threshold of {cas} must be in (0, 1]"));
            }
            let th = Threshold {
                fraction: t.threshold,
                confidence: t.confidence,
                basis: t.basis,
            };
            if by_cas.insert(cas.as_str().to_owned(), th).is_some() {
                return Err(format!("streams: threshold of {cas} is listed twice"));
            }
        }
        let mut mixtures: Vec<OxidizingMixture> = Vec::new();
        for m in raw.oxidizing_mixture {
            if mixtures.iter().any(|x| x.id == m.id) {
                return Err(format!(
                    "streams: oxidizing mixture '{}' is listed twice",
                    m.id
                ));
            }
            if m.part.len() < 2 {
                return Err(format!(
                    "streams: oxidizing mixture '{}' needs at least two parts",
                    m.id
                ));
            }
            let mut parts: Vec<MixturePart> = Vec::new();
            for p in m.part {
                let cas = CasNumber::parse(&p.cas).map_err(|e| format!("streams: {e}"))?;
                if !valid(p.at_least) {
                    return Err(format!(
                        "streams: mixture '{}': at_least of {cas} must be in (0, 1]",
                        m.id
                    ));
                }
                if parts.iter().any(|x| x.cas == cas) {
                    return Err(format!("streams: mixture '{}' lists {cas} twice", m.id));
                }
                parts.push(MixturePart {
                    cas,
                    name: p.name,
                    at_least: p.at_least,
                });
            }
            mixtures.push(OxidizingMixture {
                id: m.id,
                name_en: m.name_en,
                name_zh: m.name_zh,
                parts,
                confidence: m.confidence,
                basis: m.basis,
                fractions_confidence: m.fractions_confidence,
            });
        }
        let oxidizers = OxidizerPolicy {
            default: Threshold {
                fraction: raw.oxidizer_policy.default_threshold,
                confidence: raw.oxidizer_policy.confidence,
                basis: raw.oxidizer_policy.basis,
            },
            by_cas,
            mixtures,
        };
        let mut entries = Vec::new();
        for info in raw.stream {
            let s = Stream::parse(&info.id)
                .ok_or_else(|| format!("streams: unknown stream '{}'", info.id))?;
            entries.push((s, info));
        }
        for s in Stream::ALL {
            if !entries.iter().any(|(x, _)| *x == s) {
                return Err(format!("streams: no data for stream {}", s.as_str()));
            }
        }
        Ok(Self { entries, oxidizers })
    }

    pub fn info(&self, s: Stream) -> Option<&StreamInfo> {
        self.entries.iter().find(|(x, _)| *x == s).map(|(_, i)| i)
    }
}
