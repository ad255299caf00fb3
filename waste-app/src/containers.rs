//! Containers: register, add waste, seal, read, label, events, storage alerts.

pub use super::container_state::{ContainerState, Storage, label_missing};
use super::container_state::{core_container, hazards_of, label_of, state_of};
use super::{Actor, AppError, Env};
use crate::store::containers::{self as rows, Filled, Row};
use crate::store::page::{Keyset, Page};
use crate::store::{self, Tx, events, organizations, sequences};
use rust_decimal::Decimal;
use serde_json::json;
use time::Date;
use waste_core::access::Action;
use waste_core::catalogue::HwCode;
use waste_core::container::{
    self, Addition, Codes, Material, Quantity, Refusal, Status, Step, Unit,
};
use waste_core::custody::Event;
use waste_core::hazardous::HazardOutcome;
use waste_core::label::DigitalId;
use waste_core::party::OrgKind;
use waste_core::storage::{OnHand, SiteKind};
use waste_core::{Classification, Waste, WasteRequest, classify};

/// Register a container.
#[derive(Debug, Clone)]
pub struct CreateContainer {
    pub lab: String,
    pub capacity_l: Decimal,
    pub material: Material,
    /// Contact for the label; the creating user's name when None.
    pub contact: Option<String>,
    /// The storage site of the organisation where it stands, and the zone there.
    pub site_id: Option<String>,
    pub zone: Option<String>,
}

impl CreateContainer {
    /// Parses the fields as a form or a JSON body gives them.
    pub fn parse(
        lab: &str,
        capacity_l: &str,
        material: &str,
        contact: Option<&str>,
    ) -> Result<Self, AppError> {
        let lab = lab.trim().to_owned();
        if lab.is_empty() || lab.chars().count() > 100 {
            return Err(AppError::invalid("lab", "1 to 100 characters"));
        }
        let capacity_l: Decimal = capacity_l.trim().parse().map_err(|_| {
            AppError::invalid(
                "capacity_liters",
                format!("'{capacity_l}' is not a decimal number"),
            )
        })?;
        if capacity_l <= Decimal::ZERO || capacity_l > Decimal::from(2000) {
            return Err(AppError::invalid(
                "capacity_liters",
                "must be above 0 and at most 2000 L",
            ));
        }
        let material = Material::parse(material.trim()).ok_or_else(|| {
            AppError::invalid(
                "material",
                format!("unknown material '{material}'; one of glass, hdpe, pp, ptfe, metal"),
            )
        })?;
        let contact = contact
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if contact.as_ref().is_some_and(|c| c.chars().count() > 100) {
            return Err(AppError::invalid("contact", "longer than 100 characters"));
        }
        Ok(CreateContainer {
            lab,
            capacity_l,
            material,
            contact,
            site_id: None,
            zone: None,
        })
    }
}

/// Pour waste into a container.
#[derive(Debug, Clone)]
pub struct AddWaste {
    pub container_id: String,
    /// The classification request, as sent (it is recorded with the addition).
    pub waste: WasteRequest,
    pub quantity: Quantity,
}

impl AddWaste {
    pub fn parse(
        container_id: String,
        waste: WasteRequest,
        quantity: &str,
        unit: &str,
    ) -> Result<Self, AppError> {
        let unit = match unit {
            "L" | "l" => Unit::L,
            "kg" => Unit::Kg,
            other => {
                return Err(AppError::invalid(
                    "unit",
                    format!("'{other}' is not L or kg"),
                ));
            }
        };
        let amount: Decimal = quantity.trim().parse().map_err(|_| {
            AppError::invalid("quantity", format!("'{quantity}' is not a decimal number"))
        })?;
        let quantity = Quantity::new(amount, unit)
            .map_err(|e| AppError::invalid("quantity", e.to_string()))?;
        Ok(AddWaste {
            container_id,
            waste,
            quantity,
        })
    }
}

/// An accepted addition: the container after it and the classification that decided it.
#[derive(Debug, Clone)]
pub struct Added {
    pub container: ContainerState,
    pub classification: Classification,
}

/// A container the actor's organisation owns or holds.
fn visible(conn: &mut crate::db::AnyConnection, actor: &Actor, id: &str) -> Result<Row, AppError> {
    rows::visible(conn, id, &actor.org_id)?.ok_or(AppError::NotFound("container"))
}

/// Whether the actor may fill containers, and (with `today`) holds a current training record: asked by every
/// use case that fills or seals, and by a front door before it reads the request.
pub fn may_fill(actor: &Actor, today: Option<Date>) -> Result<(), AppError> {
    match today {
        Some(d) => actor.may_on(Action::FillContainers, d),
        None => actor.may(Action::FillContainers),
    }
}

/// Registers an empty container in the actor's organisation, which holds it.
pub fn create(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: CreateContainer,
) -> Result<String, AppError> {
    may_fill(actor, None)?;
    // An empty container changes neither the quantity nor the liquids of its site: only the site and zone are
    // checked.
    let dest = match &cmd.site_id {
        Some(site) => Some(super::sites::destination(
            tx,
            &actor.org_id,
            site,
            cmd.zone.as_deref(),
        )?),
        None => None,
    };
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    let capacity = cmd.capacity_l.normalize().to_string();
    rows::insert(
        tx,
        &Row {
            id: id.clone(),
            organization_id: actor.org_id.clone(),
            lab: cmd.lab.clone(),
            contact: cmd.contact.unwrap_or_else(|| actor.name.clone()),
            capacity_l: capacity.clone(),
            material: cmd.material.as_str().to_owned(),
            status: Status::Open.as_str().to_owned(),
            stream: None,
            filled_l: "0".into(),
            holds_liquid: false,
            code: None,
            hazards: String::new(),
            started_on: None,
            digital_id: None,
            additions_count: 0,
            contents: "[]".into(),
            created_by: actor.id.clone(),
            created_at: at.clone(),
            sealed_at: None,
            custodian_id: Some(actor.org_id.clone()),
            clock_started_on: None,
            site_id: dest.as_ref().map(|d| d.site.id.clone()),
            zone: dest.as_ref().and_then(|d| d.zone.clone()),
        },
    )?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("container:{id}"),
            kind: "created",
            actor: actor.actor(),
            at,
            payload: json!({ "lab": cmd.lab, "organization_id": actor.org_id, "capacity_liters": capacity, "material": cmd.material.as_str(),
                "site_id": dest.as_ref().map(|d| d.site.id.clone()), "zone": dest.as_ref().and_then(|d| d.zone.clone()) }),
        },
    )?;
    Ok(id)
}

/// Adds waste to a container. The core classifies it and decides, danger first (`container::admit`); a school's
/// quantity on hand must stay within the storage-point ceiling (GB 18597-2023 8.3.5). Writers on one container
/// take turns on its row lock, so two additions that both fit both go in.
pub fn add_waste(tx: &mut Tx, env: &Env, actor: &Actor, cmd: AddWaste) -> Result<Added, AppError> {
    let today = env.clock.today();
    may_fill(actor, Some(today))?;
    let std = env.std;
    let waste_json = serde_json::to_string(&cmd.waste).map_err(AppError::internal)?;
    let waste = Waste::parse(cmd.waste, &std.substances)
        .map_err(|e| AppError::invalid(format!("waste.{}", e.field), e.message))?;
    let classification = classify(std, &waste, today);
    let substances: Vec<_> = waste
        .components
        .iter()
        .filter_map(|c| c.substance)
        .collect();
    let cas: Vec<String> = substances
        .iter()
        .map(|s| std.substances.get(*s).cas.to_string())
        .collect();

    // The row and its chain's head under the container's lock (one round trip on PostgreSQL).
    let locked = rows::lock_visible(tx, &cmd.container_id, &actor.org_id)?
        .ok_or(AppError::NotFound("container"))?;
    let (row, head) = (&locked.row, &locked.head);
    let core = core_container(std, row)?;
    let addition = Addition {
        stream: classification.stream,
        form: waste.form,
        substances,
        quantity: cmd.quantity,
    };
    let codes = Codes {
        container: row.code.as_deref(),
        addition: classification.hazardous.code.as_deref(),
        hazardous: classification.hazardous.outcome != HazardOutcome::NotHazardous,
    };
    let admitted = container::admit(&core, &addition, codes, &std.containers, &std.reactivity, &std.substances)
        .map_err(|r| match &r {
            Refusal::NotHazardous { .. } => AppError::refused(
                r.code(),
                r.to_string(),
                json!({ "citation": serde_json::to_value(&r).ok().and_then(|v| v.get("citation").cloned()), "classification": classification }),
            ),
            _ => AppError::rule(r.code(), &r),
        })?;
    let mut after = core.clone();
    container::apply(&mut after, &addition, &admitted.accepted);
    let contents = container::merge_contents(&store::text_list(&row.contents), &cas);
    match row.site_id.as_deref() {
        // At a site, the site's rules decide: a storage point stays within 3 t (GB 18597-2023 8.3.5).
        Some(site) => {
            let dest = super::sites::at_site(tx, site, row.zone.clone())?;
            let incoming = super::sites::incoming(
                std,
                row,
                row.zone.clone(),
                after.filled_l,
                after.holds_liquid,
                &store::to_text_list(&contents),
            )?;
            super::sites::admit(tx, std, &dest, incoming)?;
        }
        // A container at no site: the school's whole quantity on hand counts as one storage point.
        None => {
            let holder = row
                .custodian_id
                .clone()
                .unwrap_or_else(|| actor.org_id.clone());
            if organizations::summary(tx, &holder)?.kind == OrgKind::School {
                let held = rows::litres_on_hand_with(tx, &locked, &holder)?
                    .iter()
                    .map(|l| store::decimal(l))
                    .sum::<Result<Decimal, waste_store::StoreError>>()?;
                std.sites
                    .check_quantity(
                        &std.storage,
                        waste_core::site::SiteKind::StoragePoint,
                        std.containers.kg_of_litres(held),
                        std.containers.kg(cmd.quantity),
                    )
                    .map_err(|e| AppError::rule("storage_point_full", &e))?;
            }
        }
    }
    let hazards =
        container::merge_hazards(&hazards_of(&row.hazards), &classification.hazardous.hazards);
    let hazard_text = hazards
        .iter()
        .map(|h| h.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let started = row.started_on.clone().unwrap_or_else(|| today.to_string());
    let digital_id = match (&row.digital_id, &admitted.code) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(code)) => assign_digital_id(tx, &row.organization_id, code, &started)?,
        (None, None) => None,
    };
    let seq = row.additions_count + 1;
    let filled = Filled {
        stream: Some(admitted.accepted.stream.as_str().to_owned()),
        filled_l: after.filled_l.normalize().to_string(),
        holds_liquid: after.holds_liquid,
        code: admitted.code.clone(),
        hazards: hazard_text,
        started_on: Some(started.clone()),
        clock_started_on: Some(row.clock_started_on.clone().unwrap_or(started)),
        digital_id,
        additions_count: seq,
        contents: store::to_text_list(&contents),
    };
    let at = env.clock.stamp();
    let unit = match cmd.quantity.unit {
        Unit::L => "L",
        Unit::Kg => "kg",
    };
    let class_value = serde_json::to_value(&classification).map_err(AppError::internal)?;
    let event = events::prepare(
        head.as_ref(),
        events::Record {
            aggregate: format!("container:{}", row.id),
            kind: "addition",
            actor: actor.actor(),
            at: at.clone(),
            payload: json!({ "seq": seq, "quantity": cmd.quantity.amount.to_string(), "unit": unit, "litres": admitted.accepted.adding_l.to_string(),
                "stream": admitted.accepted.stream.as_str(), "code": class_value["hazardous"]["code"], "substances": cas, "filled_liters": filled.filled_l }),
        },
    )?;
    // The container, the addition and its event in one write (one round trip on PostgreSQL).
    store::additions::record(
        tx,
        &store::additions::Recorded {
            container_id: &row.id,
            before: row.additions_count,
            filled: &filled,
            addition: &store::additions::NewAddition {
                id: env.clock.new_id(),
                container_id: row.id.clone(),
                seq,
                waste: waste_json,
                classification: class_value.to_string(),
                substances: store::to_text_list(&cas),
                quantity: cmd.quantity.amount.to_string(),
                unit: unit.into(),
                litres: admitted.accepted.adding_l.to_string(),
                added_by: actor.id.clone(),
                added_at: at,
            },
            event: &event,
        },
    )?;
    // The answer is built from the values just written, not read back.
    let updated = Row {
        stream: filled.stream,
        filled_l: filled.filled_l,
        holds_liquid: filled.holds_liquid,
        code: filled.code,
        hazards: filled.hazards,
        started_on: filled.started_on,
        clock_started_on: filled.clock_started_on,
        digital_id: filled.digital_id,
        additions_count: seq,
        contents: filled.contents,
        ..locked.row
    };
    Ok(Added {
        container: state_of(tx, std, updated, today)?,
        classification,
    })
}

/// Sequence 1–999 per organisation, waste code and start date (the labels.toml digital-id layout), drawn with
/// one atomic upsert so that concurrent first additions never get the same number.
fn assign_digital_id(
    tx: &mut Tx,
    org: &str,
    code: &str,
    started: &str,
) -> Result<Option<String>, AppError> {
    let credit = organizations::credit_code(tx, org)?;
    let (Some(credit), Ok(hw), Some(date)) =
        (credit, HwCode::parse(code), store::parse_date(started))
    else {
        return Ok(None);
    };
    let seq = sequences::next_digital_id(tx, org, code, started)?;
    match DigitalId::new(&credit, &hw, date, u32::try_from(seq).unwrap_or(u32::MAX)) {
        Ok(d) => Ok(Some(d.as_str().to_owned())),
        // The 1000th container of a code started on one day cannot be given an id, and a container without one
        // can never be labelled or shipped: refused now (nothing is written), so it is started another day.
        Err(e @ waste_core::label::DigitalIdError::Sequence(_)) => Err(AppError::refused(
            "digital_ids_exhausted",
            format!("{e}; start this container on another day"),
            json!({ "code": code, "day": started, "sequence": seq, "citation": "HJ 1276-2022" }),
        )),
        Err(_) => Ok(None),
    }
}

/// Seals a container: no more additions; it can then be picked up or shipped.
pub fn seal(tx: &mut Tx, env: &Env, actor: &Actor, id: &str) -> Result<ContainerState, AppError> {
    let today = env.clock.today();
    may_fill(actor, Some(today))?;
    rows::lock(tx, id)?;
    let mut row = visible(tx, actor, id)?;
    let status = row.status()?;
    let sealed = status.after(Step::Seal).map_err(|_| {
        AppError::refused(
            "container_sealed",
            "the container is already sealed",
            json!({ "status": row.status }),
        )
    })?;
    if row.additions_count == 0 {
        return Err(AppError::refused(
            "container_empty",
            "an empty container is not sealed",
            json!({}),
        ));
    }
    let at = env.clock.stamp();
    rows::set_status(tx, id, status, sealed, None, Some(&at))?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("container:{id}"),
            kind: "sealed",
            actor: actor.actor(),
            at: at.clone(),
            payload: json!({ "filled_liters": row.filled_l, "code": row.code, "digital_id": row.digital_id }),
        },
    )?;
    row.status = sealed.as_str().to_owned();
    row.sealed_at = Some(at);
    state_of(tx, env.std, row, today)
}

/// A container the actor's organisation owns or holds.
pub fn get(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<ContainerState, AppError> {
    let row = visible(conn, actor, id)?;
    state_of(conn, env.std, row, env.clock.today())
}

/// The actor's organisation's containers, oldest first.
pub fn list(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    actor: &Actor,
    status: Option<Status>,
    page: &Keyset,
) -> Result<Page<ContainerState>, AppError> {
    let today = env.clock.today();
    let rows = rows::list(conn, &actor.org_id, status, page)?;
    page.page(rows, |r| r.id.clone())
        .try_map(|r| state_of(conn, env.std, r, today))
}

/// The label as SVG; refused as `label_incomplete`, naming the missing fields, while it cannot be printed.
pub fn label_svg(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<String, AppError> {
    let row = visible(conn, actor, id)?;
    let generator = organizations::summary(conn, &row.organization_id)?.name;
    let label = label_of(env.std, &row, &generator)?;
    waste_core::label::render_svg(&label, &env.std.labels)
        .map_err(|e| AppError::rule("label_incomplete", &e))
}

/// The container's custody chain.
pub fn events(
    conn: &mut crate::db::AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<Vec<Event>, AppError> {
    visible(conn, actor, id)?;
    Ok(events::chain(conn, &format!("container:{id}"))?)
}

/// Containers due soon or overdue, and the quantity on hand.
#[derive(Debug, Clone)]
pub struct StorageAlerts {
    pub as_of: Date,
    pub alerts: Page<ContainerState>,
    /// A school's quantity on hand against the storage-point ceiling; None for other holders.
    pub on_hand: Option<OnHand>,
}

/// The containers the actor's organisation holds whose storage is due soon or overdue (on the holder's own
/// clock: a transfer station's from the pickup, Solid Waste Law Art.81), oldest clock first; and a school's
/// quantity on hand. The cursor is `<clock start>|<container id>` of the last container scanned.
pub fn storage_alerts(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    actor: &Actor,
    page: &Keyset,
) -> Result<StorageAlerts, AppError> {
    storage_alerts_of(conn, env, &actor.org_id, actor.org_kind, page)
}

/// `storage_alerts` of organisation `org` (of kind `kind`): the webhooks' scan asks the same.
pub fn storage_alerts_of(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    org: &str,
    kind: OrgKind,
    page: &Keyset,
) -> Result<StorageAlerts, AppError> {
    if let Some(a) = &page.after
        && !a
            .split_once('|')
            // Only the shape: the cursor is compared as text, so a date that is no day is harmless.
            .is_some_and(|(d, id)| {
                let b = d.as_bytes();
                b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
                    && !id.is_empty()
            })
    {
        return Err(AppError::invalid(
            "after",
            "not a cursor returned as next_after",
        ));
    }
    let std = env.std;
    let today = env.clock.today();
    // A container runs on the clock of the site it stands at (`clock_site`): scan up to the latest horizon of any
    // clock; the exact status of each comes from its own site below.
    let cutoff = [
        SiteKind::Lab,
        SiteKind::StoragePoint,
        SiteKind::TransferStation,
    ]
    .into_iter()
    .map(|k| std.storage.alert_horizon(k, today))
    .max()
    .unwrap_or(today)
    .to_string();
    let rows = rows::clocks_started_by(conn, org, &cutoff, page)?;
    let scanned = page.page(rows, |r| {
        format!(
            "{}|{}",
            r.clock_started_on.as_deref().unwrap_or_default(),
            r.id
        )
    });
    let mut states = Vec::new();
    for r in scanned.items {
        let s = state_of(conn, std, r, today)?;
        if s.storage
            .as_ref()
            .is_some_and(|s| s.clock.status != waste_core::storage::StorageStatus::Ok)
        {
            states.push(s);
        }
    }
    let on_hand = match kind {
        OrgKind::School => {
            let held = rows::litres_on_hand(conn, org)?
                .iter()
                .map(|l| store::decimal(l))
                .sum::<Result<Decimal, waste_store::StoreError>>()?;
            Some(std.storage.on_hand(std.containers.kg_of_litres(held)))
        }
        OrgKind::TransferStation
        | OrgKind::DisposalFirm
        | OrgKind::Carrier
        | OrgKind::Authority => None,
    };
    Ok(StorageAlerts {
        as_of: today,
        alerts: Page {
            items: states,
            next_after: scanned.next_after,
        },
        on_hand,
    })
}
