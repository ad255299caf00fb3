//! The container policy of `containers.toml`: fill limits, the assumed density and the material rules.

use super::Material;
use super::quantity::{Quantity, Unit};
use crate::substance::Flag;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

#[derive(Debug, Clone, Deserialize)]
pub struct MaterialRule {
    pub material: String,
    pub flags: Vec<String>,
    pub reason: String,
    pub source: String,
}

/// Fill limits and material rules (containers.toml).
#[derive(Debug, Clone)]
pub struct ContainerPolicy {
    pub liquid_fraction: Decimal,
    pub solid_fraction: Decimal,
    pub density_kg_per_l: Decimal,
    pub(super) rules: Vec<(Material, Vec<Flag>, MaterialRule)>,
}

impl ContainerPolicy {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            fill: Fill,
            material_rule: Vec<MaterialRule>,
        }
        #[derive(Deserialize)]
        struct Fill {
            liquid_fraction: String,
            solid_fraction: String,
            assumed_density_kg_per_l: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("containers: {e}"))?;
        let dec = |s: &str| Decimal::from_str(s).map_err(|e| format!("containers: '{s}': {e}"));
        let fraction = |s: &str| {
            let d = dec(s)?;
            if d > Decimal::ZERO && d <= Decimal::ONE {
                Ok(d)
            } else {
                Err(format!("containers: fill fraction {d} is not in (0, 1]"))
            }
        };
        let mut rules = Vec::new();
        for r in raw.material_rule {
            let m = Material::parse(&r.material)
                .ok_or_else(|| format!("containers: unknown material '{}'", r.material))?;
            let flags = r
                .flags
                .iter()
                .map(|f| Flag::parse(f).ok_or_else(|| format!("containers: unknown flag '{f}'")))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push((m, flags, r));
        }
        Ok(Self {
            liquid_fraction: fraction(&raw.fill.liquid_fraction)?,
            solid_fraction: fraction(&raw.fill.solid_fraction)?,
            density_kg_per_l: dec(&raw.fill.assumed_density_kg_per_l)?,
            rules,
        })
    }

    /// The fill limit in litres of a container of `capacity_l`: the liquid fraction once it holds (or takes) a
    /// liquid, the solid fraction otherwise.
    pub fn fill_limit(&self, capacity_l: Decimal, liquid: bool) -> (Decimal, Decimal) {
        let fraction = if liquid {
            self.liquid_fraction
        } else {
            self.solid_fraction
        };
        (fraction, (capacity_l * fraction).normalize())
    }

    /// Mass in kg of a volume, through the assumed density (for the storage-point ceiling, which is a mass).
    pub fn kg_of_litres(&self, litres: Decimal) -> Decimal {
        (litres * self.density_kg_per_l).normalize()
    }

    /// Mass in kg of a quantity (litres through the assumed density).
    pub fn kg(&self, q: Quantity) -> Decimal {
        match q.unit {
            Unit::Kg => q.amount,
            Unit::L => self.kg_of_litres(q.amount),
        }
    }

    /// Volume in litres of a quantity (kg through the assumed density).
    pub fn litres(&self, q: Quantity) -> Decimal {
        match q.unit {
            Unit::L => q.amount,
            Unit::Kg => q.amount / self.density_kg_per_l,
        }
    }
}
