//! What a bottle becomes when it leaves the shelf as waste: a discarded bottle is an original reagent in its
//! bottle (expired, or unwanted while still in date) whose one component is the bottle's substance, classified by
//! the same engine as any waste (a chemical of the Catalogue of Hazardous Chemicals to 900-999-49, and so on);
//! an emptied bottle is reagent packaging, hazardous unless cleaned per the laboratory's rules (900-047-49 and
//! its exclusion). The request names the bottle, so that the waste item carries its identity.

use super::AmountUnit;
use crate::request::{ComponentRequest, Fate, Form, LabKind, Origin, WasteRequest};
use crate::substance::Substance;
use rust_decimal::Decimal;
use time::Date;

/// A discarded bottle's waste: the request to classify and its quantity in a container's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Discarded {
    pub request: WasteRequest,
    /// kg for a solid, L for a liquid.
    pub quantity: Decimal,
    pub unit: crate::container::Unit,
}

fn component(substance: &Substance, fraction: Option<Decimal>) -> ComponentRequest {
    ComponentRequest {
        name: Some(substance.name_en.clone()),
        cas: Some(substance.cas.to_string()),
        fraction,
    }
}

fn request(description: String, form: Form, origin: Origin) -> WasteRequest {
    WasteRequest {
        description,
        form,
        origin,
        fate: Fate::Discard,
        lab_kind: LabKind::Chemical,
        radioactive: false,
        cleaned_per_lab_rules: false,
        sorted_collection: true,
        material: None,
        adsorbent_use: None,
        infectious: None,
        biological: None,
        components: Vec::new(),
    }
}

/// The waste of discarding a bottle (`code` its label's code) holding `remaining` of `unit` of `substance`
/// on `today`: an expired reagent when `today` is past `expires_on`, otherwise an unused one.
pub fn waste_of_bottle(
    substance: &Substance,
    code: &str,
    remaining: Decimal,
    unit: AmountUnit,
    expires_on: Option<Date>,
    today: Date,
) -> Discarded {
    let origin = if expires_on.is_some_and(|e| today > e) {
        Origin::ExpiredReagent
    } else {
        Origin::UnusedReagent
    };
    let form = if unit.is_volume() {
        Form::Liquid
    } else {
        Form::Solid
    };
    let mut req = request(
        format!(
            "{} ({}), reagent bottle {code}",
            substance.name_zh, substance.cas
        ),
        form,
        origin,
    );
    req.components = vec![component(substance, Some(Decimal::ONE))];
    Discarded {
        request: req,
        quantity: unit.to_container_units(remaining),
        unit: if unit.is_volume() {
            crate::container::Unit::L
        } else {
            crate::container::Unit::Kg
        },
    }
}

/// The waste of an emptied bottle of `substance`: reagent packaging with its residue, or, when `cleaned` per
/// the laboratory's rules, packaging the rules exclude.
pub fn waste_of_empty_bottle(substance: &Substance, code: &str, cleaned: bool) -> WasteRequest {
    let mut req = request(
        format!(
            "empty bottle of {} ({}), {code}",
            substance.name_zh, substance.cas
        ),
        Form::Solid,
        Origin::EmptyPackaging,
    );
    req.cleaned_per_lab_rules = cleaned;
    if !cleaned {
        req.components = vec![component(substance, None)];
    }
    req
}
