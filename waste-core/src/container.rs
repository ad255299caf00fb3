//! Waste containers: capacity, fill limit, material, additions and sealing. The core decides whether an
//! addition may go in; the service records what was decided.

use crate::compatibility::{self, Consequence, Reaction, ReactivityMatrix};
use crate::request::Form;
use crate::stream::Stream;
use crate::substance::{Flag, SubstanceId, SubstanceTable};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContainerMaterial))]
#[serde(rename_all = "snake_case")]
pub enum Material {
    Glass,
    Hdpe,
    Pp,
    Ptfe,
    Metal,
}

impl Material {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Glass => "glass",
            Self::Hdpe => "hdpe",
            Self::Pp => "pp",
            Self::Ptfe => "ptfe",
            Self::Metal => "metal",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Glass, Self::Hdpe, Self::Pp, Self::Ptfe, Self::Metal]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    #[serde(rename = "L")]
    L,
    #[serde(rename = "kg")]
    Kg,
}

/// Inputs larger than this are refused as absurd (no laboratory container holds 10 m³).
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// A positive quantity with its unit. Only constructor: [`Quantity::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity {
    pub amount: Decimal,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("quantity must be greater than zero, got {0}")]
    NotPositive(Decimal),
    #[error("quantity {0} is larger than any laboratory container ({MAX_QUANTITY})")]
    Absurd(Decimal),
}

impl Quantity {
    pub fn new(amount: Decimal, unit: Unit) -> Result<Self, QuantityError> {
        if amount <= Decimal::ZERO {
            return Err(QuantityError::NotPositive(amount));
        }
        if amount > MAX_QUANTITY {
            return Err(QuantityError::Absurd(amount));
        }
        Ok(Self {
            amount: amount.normalize(),
            unit,
        })
    }
}

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
    rules: Vec<(Material, Vec<Flag>, MaterialRule)>,
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

/// What a container holds now, as the service reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub capacity_l: Decimal,
    pub material: Material,
    pub sealed: bool,
    /// Set by the first addition.
    pub stream: Option<Stream>,
    pub filled_l: Decimal,
    /// Every substance added so far (each once).
    pub contents: Vec<SubstanceId>,
    /// Whether any liquid went in: the liquid fill limit then applies.
    pub holds_liquid: bool,
}

impl Container {
    pub fn new(capacity_l: Decimal, material: Material) -> Self {
        Self {
            capacity_l,
            material,
            sealed: false,
            stream: None,
            filled_l: Decimal::ZERO,
            contents: Vec::new(),
            holds_liquid: false,
        }
    }
}

/// One addition as the rules see it: its stream, form, substances and quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Addition {
    pub stream: Option<Stream>,
    pub form: Form,
    pub substances: Vec<SubstanceId>,
    pub quantity: Quantity,
}

/// Why an addition was refused. Each names the numbers or substances involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    #[error("the container is sealed")]
    ContainerSealed,
    #[error(
        "the container holds {container} waste; this waste is {addition}: one container, one waste code"
    )]
    CodeMismatch {
        container: String,
        addition: String,
        citation: String,
    },
    #[error("this waste is not hazardous waste and does not go into a hazardous-waste container")]
    NotHazardous { citation: String },
    #[error("this waste has no collection stream ({reason}); collect it on its own")]
    NoStream { reason: String },
    #[error("the container holds {container} waste; this waste belongs to {addition}")]
    StreamMismatch { container: String, addition: String },
    #[error("{substance} must not go into a {material} container: {reason}")]
    ContainerMaterial {
        material: String,
        substance: String,
        reason: String,
        citation: String,
    },
    #[error("incompatible with the contents: {}", summary(.reactions))]
    IncompatibleAddition {
        reactions: Vec<Reaction>,
        consequences: Vec<Consequence>,
        citation: String,
    },
    #[error(
        "the container would hold {would_be_l} L, above its fill limit of {limit_l} L ({capacity_l} L × {fill_fraction})"
    )]
    ContainerFull {
        capacity_l: Decimal,
        fill_fraction: Decimal,
        limit_l: Decimal,
        filled_l: Decimal,
        adding_l: Decimal,
        would_be_l: Decimal,
        citation: String,
    },
}

fn summary(reactions: &[Reaction]) -> String {
    reactions
        .iter()
        .map(|r| {
            let c: Vec<&str> = r.consequences.iter().map(|c| c.as_str()).collect();
            format!(
                "{} + {} ({}×{}: {})",
                r.adding,
                r.present,
                r.adding_group,
                r.present_group,
                c.join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Refusal {
    /// The stable error code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ContainerSealed => "container_sealed",
            Self::CodeMismatch { .. } => "code_mismatch",
            Self::NotHazardous { .. } => "not_hazardous",
            Self::NoStream { .. } => "no_stream",
            Self::StreamMismatch { .. } => "stream_mismatch",
            Self::ContainerMaterial { .. } => "container_material",
            Self::IncompatibleAddition { .. } => "incompatible_addition",
            Self::ContainerFull { .. } => "container_full",
        }
    }
}

/// The result of an accepted addition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub adding_l: Decimal,
    pub filled_l: Decimal,
    pub limit_l: Decimal,
    pub stream: Stream,
}

const FILL_SOURCE: &str = "containers.toml fill policy (institutional practice, UNCONFIRMED)";

/// Decides whether `add` may go into `c`. Checks, in order: sealed; compatibility with every substance already
/// inside (EPA-600/2-80-076; Solid Waste Law Art.81, GB 18597-2023 4.3) before anything else, so that a dangerous
/// mix is named as such even when the stream also differs (danger first); stream; container material; fill limit.
pub fn check(
    c: &Container,
    add: &Addition,
    policy: &ContainerPolicy,
    matrix: &ReactivityMatrix,
    table: &SubstanceTable,
) -> Result<Accepted, Refusal> {
    dangers(c, add, matrix, table)?;
    fits(c, add, policy, table)
}

/// The codes an addition is judged by (see `admit_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codes<'a> {
    pub container: Option<&'a str>,
    pub addition: Option<&'a str>,
    /// Whether the classification left the waste hazardous (or possibly so).
    pub hazardous: bool,
}

/// What an admitted addition leaves: the fill and the container's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub accepted: Accepted,
    pub code: Option<String>,
}

/// The whole decision on an addition, in the order that puts danger first: sealed, incompatibility, then the
/// one-code and hazardous-only rules (`admit_code`), then stream, material and fill (`check`).
pub fn admit(
    c: &Container,
    add: &Addition,
    codes: Codes,
    policy: &ContainerPolicy,
    matrix: &ReactivityMatrix,
    table: &SubstanceTable,
) -> Result<Admitted, Refusal> {
    dangers(c, add, matrix, table)?;
    let code = admit_code(codes.container, codes.addition, codes.hazardous)?;
    let accepted = fits(c, add, policy, table)?;
    Ok(Admitted { accepted, code })
}

/// Sealed, then incompatible with the contents.
fn dangers(
    c: &Container,
    add: &Addition,
    matrix: &ReactivityMatrix,
    table: &SubstanceTable,
) -> Result<(), Refusal> {
    if c.sealed {
        return Err(Refusal::ContainerSealed);
    }
    let found = compatibility::reactions(matrix, table, &add.substances, &c.contents);
    if !found.is_empty() {
        return Err(Refusal::IncompatibleAddition {
            consequences: compatibility::consequences(&found),
            reactions: found,
            citation: format!(
                "{}; Solid Waste Law Art.81 (no mixing of incompatible waste); GB 18597-2023 4.3",
                matrix.title
            ),
        });
    }
    Ok(())
}

/// Stream, container material, fill limit.
fn fits(
    c: &Container,
    add: &Addition,
    policy: &ContainerPolicy,
    table: &SubstanceTable,
) -> Result<Accepted, Refusal> {
    let Some(stream) = add.stream else {
        return Err(Refusal::NoStream {
            reason: "not a laboratory chemical waste, or a component is unknown".into(),
        });
    };
    if let Some(existing) = c.stream
        && existing != stream
    {
        return Err(Refusal::StreamMismatch {
            container: existing.as_str().into(),
            addition: stream.as_str().into(),
        });
    }
    for &id in &add.substances {
        let s = table.get(id);
        for (m, flags, rule) in &policy.rules {
            if *m == c.material && flags.iter().all(|f| s.has(*f)) {
                return Err(Refusal::ContainerMaterial {
                    material: m.as_str().into(),
                    substance: format!("{} ({})", s.name_en, s.cas),
                    reason: rule.reason.clone(),
                    citation: rule.source.clone(),
                });
            }
        }
    }
    let liquid = c.holds_liquid || matches!(add.form, Form::Liquid | Form::SemiSolid);
    let (fill_fraction, limit_l) = policy.fill_limit(c.capacity_l, liquid);
    let adding_l = policy.litres(add.quantity).round_dp(6).normalize();
    let would_be_l = (c.filled_l + adding_l).normalize();
    if would_be_l > limit_l {
        return Err(Refusal::ContainerFull {
            capacity_l: c.capacity_l,
            fill_fraction,
            limit_l,
            filled_l: c.filled_l,
            adding_l,
            would_be_l,
            citation: FILL_SOURCE.into(),
        });
    }
    Ok(Accepted {
        adding_l,
        filled_l: would_be_l,
        limit_l,
        stream,
    })
}

/// Records an accepted addition in the container's state.
pub fn apply(c: &mut Container, add: &Addition, accepted: &Accepted) {
    c.stream = Some(accepted.stream);
    c.filled_l = accepted.filled_l;
    c.holds_liquid |= matches!(add.form, Form::Liquid | Form::SemiSolid);
    for id in &add.substances {
        if !c.contents.contains(id) {
            c.contents.push(*id);
        }
    }
}

/// Where a container is in its custody chain. The string forms are stored and answered by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContainerStatus))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Taking additions in the lab.
    Open,
    /// Closed; waiting for a pickup or a manifest.
    Sealed,
    /// At the transfer station after a pickup.
    PickedUp,
    /// On a dispatched manifest, with the carrier.
    InTransit,
    /// Accepted by the disposal firm.
    Received,
    /// Disposal confirmed by the firm.
    Disposed,
    /// Rejected by the receiver: back in the shipper's custody.
    Returned,
}

/// A step that changes a container's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    AddWaste,
    Seal,
    /// A transfer station collects it from the school.
    PickUp,
    /// Put on a manifest draft by its holder (nothing changes until dispatch).
    Ship,
    /// The carrier leaves with it on a manifest.
    Dispatch,
    /// The receiver accepts it.
    Accept,
    /// The receiver rejects it; custody goes back to the shipper.
    Reject,
    /// The receiver confirms its disposal.
    Dispose,
    /// A rejected container goes back to the school it came from: the station that shipped it hands it back (or
    /// the school that shipped it itself takes it back into its stock), sealed, to be repacked or asked for again.
    HandBack,
}

/// A step the container's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("a {status} container cannot take the step '{step:?}'")]
pub struct StepRefused {
    pub status: Status,
    pub step: Step,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Open,
        Self::Sealed,
        Self::PickedUp,
        Self::InTransit,
        Self::Received,
        Self::Disposed,
        Self::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Sealed => "sealed",
            Self::PickedUp => "picked_up",
            Self::InTransit => "in_transit",
            Self::Received => "received",
            Self::Disposed => "disposed",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still held where it was filled (the school or the station that holds it): it counts towards the
    /// holder's quantity on hand and runs a storage clock.
    pub fn on_hand(self) -> bool {
        match self {
            Self::Open | Self::Sealed | Self::Returned | Self::PickedUp => true,
            Self::InTransit | Self::Received | Self::Disposed => false,
        }
    }

    /// The custody chain: open → sealed → (picked up) → in transit → received → disposed, or returned when the
    /// receiver rejects it (HW Transfer Measures Art.12, Art.18). Additions only while open; a container is
    /// shipped only once sealed (GB 18597-2023 6.1: stored in closed containers). A returned container is in the
    /// shipper's custody (Art.18); the shipper hands it back to its school (the station collects as the school's
    /// collector, Art.31), where it is sealed again, still closed (GB 18597-2023 6.1): it may be asked for and
    /// picked up again, and is never reopened for additions (one container, one waste code, HJ 1276-2022).
    pub fn after(self, step: Step) -> Result<Status, StepRefused> {
        let refused = Err(StepRefused { status: self, step });
        match (self, step) {
            (Self::Open, Step::AddWaste) => Ok(Self::Open),
            (Self::Open, Step::Seal) => Ok(Self::Sealed),
            (Self::Sealed, Step::PickUp) => Ok(Self::PickedUp),
            (Self::Sealed | Self::PickedUp, Step::Ship) => Ok(self),
            (Self::Sealed | Self::PickedUp, Step::Dispatch) => Ok(Self::InTransit),
            (Self::InTransit, Step::Accept) => Ok(Self::Received),
            (Self::InTransit, Step::Reject) => Ok(Self::Returned),
            (Self::Received, Step::Dispose) => Ok(Self::Disposed),
            (Self::Returned, Step::HandBack) => Ok(Self::Sealed),
            (
                Self::Open
                | Self::Sealed
                | Self::PickedUp
                | Self::InTransit
                | Self::Received
                | Self::Disposed
                | Self::Returned,
                _,
            ) => refused,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One waste code per container, and only hazardous waste in a hazardous-waste container: the label carries one
/// code (HJ 1276-2022), waste is stored by category (GB 18597-2023 4.3), and hazardous and non-hazardous waste
/// are not mixed (Solid Waste Law Art.81). `addition_code` is the code the classification gave (None when it
/// gave none); `hazardous` whether the classification found it hazardous or possibly hazardous. Returns the
/// container's code after the addition.
pub fn admit_code(
    container_code: Option<&str>,
    addition_code: Option<&str>,
    hazardous: bool,
) -> Result<Option<String>, Refusal> {
    if let (Some(have), Some(new)) = (container_code, addition_code)
        && have != new
    {
        return Err(Refusal::CodeMismatch {
            container: have.to_owned(),
            addition: new.to_owned(),
            citation: "HJ 1276-2022 (one waste code per label); GB 18597-2023 4.3".into(),
        });
    }
    if !hazardous {
        return Err(Refusal::NotHazardous {
            citation:
                "Solid Waste Law (2020) Art.81 (hazardous and non-hazardous waste are kept apart)"
                    .into(),
        });
    }
    Ok(container_code.or(addition_code).map(str::to_owned))
}

/// The union of what a container held and what an addition brings, in order of first appearance (hazard
/// characteristics sorted, as the label lists them).
pub fn merge_hazards(held: &[crate::Hazard], adding: &[crate::Hazard]) -> Vec<crate::Hazard> {
    let mut out = held.to_vec();
    for h in adding {
        if !out.contains(h) {
            out.push(*h);
        }
    }
    out.sort();
    out
}

/// Every item once, in order of first appearance (the CAS numbers of a container's contents).
pub fn merge_contents<T: PartialEq + Clone>(held: &[T], adding: &[T]) -> Vec<T> {
    let mut out = held.to_vec();
    for x in adding {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HW Transfer Measures Art.18 and Art.31: a rejected container is the shipper's, handed back to its school
    /// sealed, and may then be picked up again; nothing else hands a container back, and it takes no additions.
    #[test]
    fn transfer_measures_art_18_a_returned_container_goes_back_sealed_and_may_be_picked_up_again() {
        let back = Status::Returned.after(Step::HandBack);
        assert_eq!(back, Ok(Status::Sealed));
        assert_eq!(Status::Sealed.after(Step::PickUp), Ok(Status::PickedUp));
        assert!(Status::Sealed.after(Step::AddWaste).is_err());
        for s in Status::ALL {
            if s != Status::Returned {
                assert!(s.after(Step::HandBack).is_err(), "{s}");
            }
        }
        assert!(Status::Returned.after(Step::PickUp).is_err());
    }
}
