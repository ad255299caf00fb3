//! Editing a storage site: its name, location, containment volume, responsible person, contact and zones. The
//! kind and the facility code stay (another kind of place is another site). A change of what a sign shows
//! changes the sign's digest, so a sign printed before shows as outdated until it is printed again (HJ 1276-2022).

use super::*;
use std::collections::BTreeSet;

/// The fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EditSite {
    pub name: Option<String>,
    pub location: Option<String>,
    pub containment_l: Option<Decimal>,
    pub responsible: Option<String>,
    pub contact: Option<String>,
    pub zones: Option<Vec<String>>,
}

impl EditSite {
    /// Checks each given field as `CreateSite::parse` does (the same limits and messages).
    pub fn parse(
        name: Option<&str>,
        location: Option<&str>,
        containment_liters: Option<&str>,
        responsible: Option<&str>,
        contact: Option<&str>,
        zones: Option<Vec<String>>,
    ) -> Result<Self, AppError> {
        // The creation checks, on the given fields with placeholders for the others.
        let probe = CreateSite::parse(
            None,
            "lab_point",
            name.unwrap_or("-"),
            location.unwrap_or("-"),
            containment_liters,
            responsible.unwrap_or("-"),
            contact.unwrap_or("-"),
            None,
            zones.clone(),
        )?;
        Ok(EditSite {
            name: name.map(|_| probe.name.clone()),
            location: location.map(|_| probe.location.clone()),
            containment_l: probe.containment_l,
            responsible: responsible.map(|_| probe.responsible.clone()),
            contact: contact.map(|_| probe.contact.clone()),
            zones: zones.map(|_| probe.zones.clone()),
        })
    }
}

/// Edits a site of the actor's organisation (an administrator: any). A zone that still holds containers cannot
/// be removed (409 `zone_in_use`); the change is a custody event of the site with the fields before and after.
pub fn update(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    site_id: &str,
    cmd: EditSite,
) -> Result<SiteState, AppError> {
    actor.may(Action::ManageSites)?;
    rows::lock(tx, site_id)?;
    let before = own(tx, actor, site_id)?;
    let mut row = before.clone();
    if let Some(v) = cmd.name {
        row.name = v;
    }
    if let Some(v) = cmd.location {
        row.location = v;
    }
    if let Some(v) = cmd.containment_l {
        row.containment_l = Some(v.to_string());
    }
    if let Some(v) = cmd.responsible {
        row.responsible = v;
    }
    if let Some(v) = cmd.contact {
        row.contact = v;
    }
    if let Some(zones) = cmd.zones {
        let placed = rows::placed(tx, &row.id)?;
        let stranded: BTreeSet<String> = placed
            .iter()
            .filter_map(|p| p.zone.clone())
            .filter(|z| !zones.contains(z))
            .collect();
        let unzoned = !zones.is_empty() && placed.iter().any(|p| p.zone.is_none());
        if !stranded.is_empty() {
            return Err(AppError::refused(
                "zone_in_use",
                "containers stand in a zone this change removes: move them first",
                json!({ "zones": stranded }),
            ));
        }
        if unzoned {
            return Err(AppError::refused(
                "zone_in_use",
                "containers stand at the undivided site: move them to a zone after dividing it, or divide it while it is empty",
                json!({}),
            ));
        }
        row.zones = store::to_text_list(&zones);
    }
    rows::update(tx, &row)?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("site:{}", row.id),
            kind: "edited",
            actor: actor.actor(),
            at: env.clock.stamp(),
            payload: json!({
                "before": { "name": before.name, "location": before.location, "containment_liters": before.containment_l,
                    "responsible": before.responsible, "contact": before.contact, "zones": store::text_list(&before.zones) },
                "after": { "name": row.name, "location": row.location, "containment_liters": row.containment_l,
                    "responsible": row.responsible, "contact": row.contact, "zones": store::text_list(&row.zones) },
            }),
        },
    )?;
    state_of(tx, env.std, row, env.clock.today())
}
