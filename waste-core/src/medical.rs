//! Medical waste (HW01) by what the waste is: the five categories of the Medical Waste Classification Catalogue
//! (2021) (`standards-data/data/medical-waste-2021.toml`), each with its National Catalogue code, its collection
//! stream and whether it is inactivated where it is produced.
//!
//! A medical laboratory's waste is medical waste whatever it holds (900-047-49 excludes infectious medical and
//! hospital laboratories); a biological laboratory's waste joins it when it is, or may be, infectious (a policy
//! setting of the data, `[biological_lab]`). Chemical (841-004-01) only when declared chemical: a waste declared
//! `"biological": "chemical"`, or one whose every component is a known chemical and which is not declared
//! infectious. Otherwise infectivity cannot be ruled out and the waste is infectious (841-001-01).

use crate::citation::Confidence;
use crate::request::{BiologicalMaterial, LabKind, Origin, Waste};
use crate::stream::Stream;
use serde::Deserialize;

/// One of the five categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub collection_en: String,
    pub stream: Stream,
    pub confidence: Confidence,
}

/// What the waste is, and its category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRule {
    pub material: BiologicalMaterial,
    pub category: String,
    pub basis: String,
    pub inactivate: bool,
    pub confidence: Confidence,
}

#[derive(Debug, Clone)]
pub struct MedicalRules {
    /// E.g. `Medical Waste Classification Catalogue (2021 edition)`.
    pub name: String,
    pub categories: Vec<Category>,
    pub materials: Vec<MaterialRule>,
    /// Whether infectious waste of a biological laboratory is managed as medical waste (a setting).
    pub biological_as_medical: bool,
    pub biological_confidence: Confidence,
    pub biological_basis: String,
    /// Substances that are culture media (agar): in a biological or medical laboratory's waste they make it a
    /// culture, unless it is declared not infectious.
    pub culture_media: Vec<String>,
    pub culture_media_basis: String,
}

/// The category a medical or infectious waste belongs to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement<'a> {
    pub category: &'a Category,
    pub why: String,
    /// The collection method asks it to be inactivated (autoclaved) where it is produced.
    pub inactivate: bool,
}

/// How a biological or medical laboratory's waste is to be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    /// Not medical waste: the chemical rules decide (a chemical laboratory, or a biological laboratory's waste
    /// that is not infectious, or mercury devices, batteries, rags of a medical laboratory).
    Chemical,
    /// Medical waste of this category.
    Medical(Placement<'a>),
    /// Infectious waste of a biological laboratory, when the setting does not manage it as medical waste.
    Unsettled(String),
}

impl MedicalRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            source: RawSource,
            category: Vec<RawCategory>,
            material: Vec<RawMaterial>,
            biological_lab: RawBio,
            culture_media: RawMedia,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawMedia {
            cas: Vec<String>,
            basis: String,
            #[serde(rename = "confidence")]
            _confidence: Confidence,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawSource {
            name: String,
            #[serde(rename = "name_zh")]
            _name_zh: String,
            #[serde(rename = "confidence")]
            _confidence: Confidence,
            #[serde(rename = "urls")]
            _urls: Vec<String>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawCategory {
            code: String,
            id: String,
            name_zh: String,
            name_en: String,
            #[serde(rename = "what_en")]
            _what_en: String,
            collection_en: String,
            stream: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawMaterial {
            id: String,
            category: String,
            basis: String,
            inactivate: bool,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawBio {
            infectious_as_medical: bool,
            confidence: Confidence,
            basis: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("medical waste: {e}"))?;
        let mut categories: Vec<Category> = Vec::new();
        for c in raw.category {
            let stream = Stream::parse(&c.stream).ok_or_else(|| {
                format!(
                    "medical waste: category {} names unknown stream '{}'",
                    c.id, c.stream
                )
            })?;
            if categories.iter().any(|x| x.id == c.id || x.code == c.code) {
                return Err(format!("medical waste: category {} is listed twice", c.id));
            }
            categories.push(Category {
                code: c.code,
                id: c.id,
                name_zh: c.name_zh,
                name_en: c.name_en,
                collection_en: c.collection_en,
                stream,
                confidence: c.confidence,
            });
        }
        let mut materials: Vec<MaterialRule> = Vec::new();
        for m in raw.material {
            let material = BiologicalMaterial::parse(&m.id)
                .ok_or_else(|| format!("medical waste: unknown material '{}'", m.id))?;
            if !categories.iter().any(|c| c.id == m.category) {
                return Err(format!(
                    "medical waste: material {} names unknown category '{}'",
                    m.id, m.category
                ));
            }
            if materials.iter().any(|x| x.material == material) {
                return Err(format!("medical waste: material {} is listed twice", m.id));
            }
            materials.push(MaterialRule {
                material,
                category: m.category,
                basis: m.basis,
                inactivate: m.inactivate,
                confidence: m.confidence,
            });
        }
        for m in BiologicalMaterial::ALL {
            if !materials.iter().any(|x| x.material == m) {
                return Err(format!("medical waste: no row for material {}", m.as_str()));
            }
        }
        for id in [
            "infectious",
            "sharps",
            "pathological",
            "chemical",
            "pharmaceutical",
        ] {
            if !categories.iter().any(|c| c.id == id) {
                return Err(format!("medical waste: no category '{id}'"));
            }
        }
        let mut culture_media = Vec::new();
        for c in raw.culture_media.cas {
            let cas =
                crate::cas::CasNumber::parse(&c).map_err(|e| format!("medical waste: {e}"))?;
            culture_media.push(cas.as_str().to_owned());
        }
        Ok(Self {
            culture_media,
            culture_media_basis: raw.culture_media.basis,
            name: raw.source.name,
            categories,
            materials,
            biological_as_medical: raw.biological_lab.infectious_as_medical,
            biological_confidence: raw.biological_lab.confidence,
            biological_basis: raw.biological_lab.basis,
        })
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// What the label prints as main components of a medical-waste container whose additions name no chemical (a
    /// culture, blood, sharps): its category, as the Medical Waste Classification Catalogue names it.
    pub fn label_components(&self, code: &str) -> Option<String> {
        self.by_code(code)
            .map(|c| format!("{} {} ({})", c.name_zh, c.name_en, self.name))
    }

    /// Whether a substance (by CAS) is a culture medium.
    pub fn is_culture_medium(&self, cas: &str) -> bool {
        self.culture_media.iter().any(|c| c == cas)
    }

    /// The category of a National Catalogue code (`841-001-01`), if it is one of the five.
    pub fn by_code(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn material(&self, m: BiologicalMaterial) -> Option<&MaterialRule> {
        self.materials.iter().find(|x| x.material == m)
    }

    fn place(&self, id: &str, why: String, inactivate: bool) -> Option<Placement<'_>> {
        self.category(id).map(|category| Placement {
            category,
            why,
            inactivate,
        })
    }

    fn by_material(&self, m: BiologicalMaterial) -> Option<Placement<'_>> {
        let rule = self.material(m)?;
        self.place(
            &rule.category,
            format!("{}: {} [{}]", m.as_str(), rule.basis, tag(rule.confidence)),
            rule.inactivate,
        )
    }

    /// The route of a waste: medical waste of a category, the chemical rules, or unsettled. `all_chemical` tells
    /// that every component is a known chemical (a declaration that the waste is chemical).
    /// `culture_medium`: a component is a culture medium (agar), read as a culture unless the waste is declared
    /// otherwise.
    pub fn route(&self, waste: &Waste, all_chemical: bool, culture_medium: bool) -> Route<'_> {
        let declared_infectious = waste.infectious == Some(true);
        let material = match waste.biological {
            Some(m) => Some(m),
            None if culture_medium && waste.infectious != Some(false) => {
                Some(BiologicalMaterial::Culture)
            }
            None => None,
        };
        let biological_nature = material.is_some_and(BiologicalMaterial::is_biological);
        match waste.lab_kind {
            LabKind::Chemical => return Route::Chemical,
            LabKind::Medical => {}
            LabKind::Biological => {
                // Sharps with no chemical declared, and every experimental animal carcass (Table 1, pathological
                // waste), may be infectious.
                let bare_item = (waste.origin == Origin::Sharps && waste.components.is_empty())
                    || waste.origin == Origin::AnimalCarcass;
                let may_be_infectious = declared_infectious
                    || (waste.infectious.is_none() && (biological_nature || bare_item));
                if !may_be_infectious {
                    return Route::Chemical;
                }
                if !self.biological_as_medical {
                    return Route::Unsettled(format!(
                        "infectious waste of a biological laboratory; the setting that manages it as medical waste is off: {} [{}]",
                        self.biological_basis,
                        tag(self.biological_confidence)
                    ));
                }
            }
        }
        let placed = if waste.origin == Origin::Sharps {
            // Sharps are sharps whatever soiled them (a lancet with blood): Table 1, sharps.
            self.by_material(BiologicalMaterial::Sharps)
        } else if let Some(m) = material {
            let mut p = self.by_material(m);
            if waste.biological.is_none()
                && let Some(p) = p.as_mut()
            {
                p.why = format!(
                    "a component is a culture medium ({}), so the waste is a culture: {}",
                    self.culture_media_basis, p.why
                );
            }
            p
        } else {
            match waste.origin {
                Origin::AnimalCarcass => self.by_material(BiologicalMaterial::AnimalCarcass),
                Origin::ExpiredDrug => self.by_material(BiologicalMaterial::Pharmaceutical),
                // Not one of the five: the National Catalogue's own entries decide.
                Origin::MercuryDevice
                | Origin::MercuryLamp
                | Origin::Battery
                | Origin::OilyRagsOrPpe => return Route::Chemical,
                Origin::ExpiredReagent
                | Origin::UnusedReagent
                | Origin::OffSpecProduct
                | Origin::ContaminatedReagent
                | Origin::ExperimentResidue
                | Origin::VesselCleaningResidue
                | Origin::SpentAdsorbent
                | Origin::ContaminatedConsumables
                | Origin::EmptyPackaging
                | Origin::Glassware
                | Origin::Sharps
                | Origin::ResearchSample
                | Origin::NovelSubstance
                | Origin::PhotographicChemicals
                | Origin::Other => {
                    if waste.infectious == Some(false) && !all_chemical {
                        return Route::Unsettled(
                            "declared not infectious, but not declared chemical either (a component unknown or none declared)".to_owned(),
                        );
                    }
                    if declared_infectious {
                        self.place(
                            "infectious",
                            "declared infectious: Table 1, infectious waste".to_owned(),
                            false,
                        )
                    } else if all_chemical {
                        self.place(
                            "chemical",
                            "every component is a known chemical and the waste is not declared infectious: Table 1, chemical waste".to_owned(),
                            false,
                        )
                    } else {
                        self.place(
                            "infectious",
                            "not declared chemical (a component unknown or none declared): infectivity cannot be ruled out (Catalogue Art.2), Table 1, infectious waste".to_owned(),
                            false,
                        )
                    }
                }
            }
        };
        match placed {
            Some(p) => Route::Medical(p),
            None => Route::Unsettled("the medical-waste data lacks the category".to_owned()),
        }
    }
}

fn tag(c: Confidence) -> &'static str {
    match c {
        Confidence::Confirmed => "C",
        Confidence::Secondary => "S",
        Confidence::Unconfirmed => "UNCONFIRMED policy",
    }
}
