//! The stream of a liquid: the precedence of cyanide, mercury, strong oxidisers, organics, metals, acids, bases.

use super::Stream;
use super::table::{OxidizerPolicy, Threshold};
use crate::citation::Confidence;
use crate::substance::{Flag, Substance, SubstanceId};
use rust_decimal::Decimal;

/// Whether a component makes a liquid an "organic waste liquid": a solvent, mineral oil, formaldehyde, or any
/// organic substance with a hazard characteristic (benign organics such as glucose or Tris buffer do not).
fn organic(s: &Substance) -> bool {
    s.has(Flag::Solvent)
        || s.has(Flag::MineralOil)
        || s.has(Flag::Formaldehyde)
        || (s.has(Flag::Organic) && !s.hazards.is_empty())
}

/// A known component of a liquid with its declared fraction.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub substance: &'a Substance,
    pub fraction: Option<Decimal>,
}

/// The stream of a liquid, the component that decided it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChoice {
    pub stream: Stream,
    /// The deciding component's name; `None` for the default (other inorganic salts).
    pub decided_by: Option<String>,
    pub reason: String,
    /// Strong oxidisers at or above their threshold that did not decide the stream (mercury or cyanide did).
    pub also_oxidizing: Vec<String>,
    /// The oxidising mixtures found in a liquid that went to the oxidising stream (described with their basis).
    pub mixtures: Vec<String>,
}

/// A strong oxidiser's share of the liquid compared with its threshold.
struct OxidizerLoad<'a> {
    substance: &'a Substance,
    /// The declared fraction, or the most it can be when undeclared.
    fraction: Decimal,
    declared: bool,
    threshold: &'a Threshold,
}

impl OxidizerLoad<'_> {
    fn strong(&self) -> bool {
        self.fraction >= self.threshold.fraction
    }
    fn describe(&self) -> String {
        let f = if self.declared {
            self.fraction.normalize().to_string()
        } else {
            format!("undeclared (at most {})", self.fraction.normalize())
        };
        let cmp = if self.strong() { ">=" } else { "<" };
        format!(
            "{} {f} {cmp} strongly-oxidising threshold {} [{}]",
            self.substance.name_en,
            self.threshold.fraction.normalize(),
            tag(self.threshold.confidence)
        )
    }
}

/// Each strong oxidiser's fraction, same substances added; an undeclared fraction counts as the most it can be
/// (1 minus the declared fractions; a lone component is the whole liquid).
fn oxidizer_loads<'a>(policy: &'a OxidizerPolicy, parts: &[Part<'a>]) -> Vec<OxidizerLoad<'a>> {
    let declared: Decimal = parts.iter().filter_map(|p| p.fraction).sum();
    let rest = (Decimal::ONE - declared).max(Decimal::ZERO);
    let mut by_id: Vec<(SubstanceId, OxidizerLoad<'a>)> = Vec::new();
    for p in parts {
        let s = p.substance;
        if !(s.has(Flag::Oxidizer) || s.has(Flag::OxidizingAcid)) {
            continue;
        }
        let (f, declared_here) = match p.fraction {
            Some(f) => (f, true),
            None if parts.len() == 1 => (Decimal::ONE, true),
            None => (rest, false),
        };
        match by_id.iter_mut().find(|(id, _)| *id == s.id) {
            Some((_, load)) => {
                load.fraction = (load.fraction + f).min(Decimal::ONE);
                load.declared &= declared_here;
            }
            None => by_id.push((
                s.id,
                OxidizerLoad {
                    substance: s,
                    fraction: f,
                    declared: declared_here,
                    threshold: policy.threshold(s),
                },
            )),
        }
    }
    by_id.into_iter().map(|(_, l)| l).collect()
}

fn tag(c: Confidence) -> &'static str {
    match c {
        Confidence::Confirmed => "C",
        Confidence::Secondary => "S",
        Confidence::Unconfirmed => "UNCONFIRMED policy",
    }
}

/// The oxidising mixtures the liquid makes, each described with its parts' fractions and its basis. A part's
/// fraction adds every component of that substance; an undeclared one counts as the most it can be (as for single
/// oxidisers), so an undeclared piranha is never taken for a plain acid.
fn mixtures_present(policy: &OxidizerPolicy, parts: &[Part<'_>]) -> Vec<String> {
    let declared: Decimal = parts.iter().filter_map(|p| p.fraction).sum();
    let rest = (Decimal::ONE - declared).max(Decimal::ZERO);
    let mut found = Vec::new();
    for m in &policy.mixtures {
        let mut described = Vec::new();
        let mut all = true;
        for want in &m.parts {
            let here: Vec<&Part<'_>> = parts
                .iter()
                .filter(|p| p.substance.cas == want.cas)
                .collect();
            if here.is_empty() {
                all = false;
                break;
            }
            let mut f = Decimal::ZERO;
            let mut undeclared = false;
            for p in &here {
                // A lone undeclared component is the whole liquid: nothing is declared, so the rest is 1.
                match p.fraction {
                    Some(x) => f += x,
                    None => {
                        f += rest;
                        undeclared = true;
                    }
                }
            }
            let f = f.min(Decimal::ONE);
            if f < want.at_least {
                all = false;
                break;
            }
            let shown = if undeclared {
                format!("undeclared (at most {})", f.normalize())
            } else {
                f.normalize().to_string()
            };
            described.push(format!(
                "{} {shown} >= {}",
                want.name,
                want.at_least.normalize()
            ));
        }
        if all {
            found.push(format!(
                "oxidising mixture {} ({}; fractions [{}]): {} [{}]",
                m.name_en,
                described.join(", "),
                tag(m.fractions_confidence),
                m.basis,
                tag(m.confidence)
            ));
        }
    }
    found
}

/// The liquid precedence. `None` when no component is known. Components declared at fraction 0 are absent.
pub fn liquid_stream(policy: &OxidizerPolicy, parts: &[Part<'_>]) -> Option<StreamChoice> {
    let parts: Vec<Part<'_>> = parts
        .iter()
        .copied()
        .filter(|p| p.fraction != Some(Decimal::ZERO))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let first = |f: &dyn Fn(&Substance) -> bool| parts.iter().find(|p| f(p.substance));
    let loads = oxidizer_loads(policy, &parts);
    let strong: Vec<&OxidizerLoad<'_>> = loads.iter().filter(|l| l.strong()).collect();
    let weak: Vec<String> = loads
        .iter()
        .filter(|l| !l.strong())
        .map(|l| format!("{}: does not decide", l.describe()))
        .collect();
    let with_weak = |reason: String| {
        if weak.is_empty() {
            reason
        } else {
            format!("{reason}; {}", weak.join("; "))
        }
    };
    let choice = |stream, by: &Substance, why: &str| StreamChoice {
        stream,
        decided_by: Some(by.name_en.clone()),
        reason: with_weak(format!("{}: {why}", by.name_en)),
        also_oxidizing: Vec::new(),
        mixtures: Vec::new(),
    };
    // An oxidiser below its threshold decides nothing through its oxidising or organic nature: a trace of an
    // organic peroxide does not make an aqueous metal or cyanide liquid organic. (Its acid or base nature still
    // counts: 2 % nitric acid alone is an acid waste.)
    let weak_ids: Vec<SubstanceId> = loads
        .iter()
        .filter(|l| !l.strong())
        .map(|l| l.substance.id)
        .collect();
    // A mixture (acid piranha) is strongly oxidising though no single part reaches its threshold; its parts then
    // decide nothing through their acid nature: it must not go to the plain acid stream.
    let mixtures = mixtures_present(policy, &parts);
    let organic_here = |s: &Substance| organic(s) && !weak_ids.contains(&s.id);
    let organic_part = first(&organic_here);
    let cyanide = first(&|s| s.has(Flag::Cyanide));
    let mercury = first(&|s| s.has(Flag::Mercury));

    let mut picked = if let Some(c) = cyanide {
        // Cyanide keeps its stream: it must stay alkaline, away from the acidic oxidising stream.
        if organic_part.is_some() {
            choice(
                Stream::CyanideOrganic,
                c.substance,
                "releases cyanide, in an organic liquid",
            )
        } else {
            choice(Stream::CyanideInorganic, c.substance, "releases cyanide")
        }
    } else if let Some(m) = mercury {
        // Mercury keeps its stream: it must never reach incineration with an oxidising or organic stream.
        choice(Stream::Mercury, m.substance, "contains mercury")
    } else if let Some(o) = strong.first() {
        StreamChoice {
            stream: Stream::OxidizingLiquid,
            decided_by: Some(o.substance.name_en.clone()),
            reason: with_weak(o.describe()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    } else if let Some(m) = mixtures.first() {
        StreamChoice {
            stream: Stream::OxidizingLiquid,
            decided_by: Some(m.clone()),
            reason: with_weak(m.clone()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    } else if let Some(o) = organic_part {
        if let Some(h) = first(&|s| s.has(Flag::Halogenated) && organic_here(s)) {
            choice(
                Stream::HalogenatedOrganic,
                h.substance,
                "halogenated organic",
            )
        } else if let Some(h) = first(&|s| s.has(Flag::Halogenated)) {
            choice(
                Stream::HalogenatedOrganic,
                h.substance,
                "halogen-bearing component in an organic liquid",
            )
        } else {
            choice(Stream::NonHalogenatedOrganic, o.substance, "organic")
        }
    } else if let Some(h) = first(&|s| s.has(Flag::HeavyMetal)) {
        choice(Stream::HeavyMetal, h.substance, "heavy metal")
    } else if let Some(a) = first(&|s| s.has(Flag::Acid)) {
        choice(Stream::Acid, a.substance, "acid")
    } else if let Some(b) = first(&|s| s.has(Flag::Base)) {
        choice(Stream::Alkaline, b.substance, "base")
    } else {
        StreamChoice {
            stream: Stream::InorganicSalt,
            decided_by: None,
            reason: with_weak("no oxidiser above its threshold, cyanide, mercury, organic, heavy metal, acid or base: other inorganic salts".to_owned()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    };
    if matches!(
        picked.stream,
        Stream::CyanideOrganic | Stream::CyanideInorganic | Stream::Mercury
    ) {
        picked.also_oxidizing = strong.iter().map(|l| l.describe()).collect();
        picked.also_oxidizing.extend(mixtures.iter().cloned());
    }
    if picked.stream == Stream::OxidizingLiquid {
        picked.mixtures = mixtures;
    }
    Some(picked)
}
