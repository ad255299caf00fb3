//! Whether an addition may go into a container: danger first, then the one-code rule, stream, material and fill.

use super::Container;
use super::policy::ContainerPolicy;
use super::quantity::Quantity;
use crate::compatibility::{self, Consequence, Reaction, ReactivityMatrix};
use crate::request::Form;
use crate::stream::Stream;
use crate::substance::{SubstanceId, SubstanceTable};
use rust_decimal::Decimal;
use serde::Serialize;

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
