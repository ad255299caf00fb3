//! Storage sites (GB 18597-2023): register a site, place and move containers there, read a site with its
//! checks, record self-inspections and follow-ups, print its HJ 1276-2022 signs; and the bureau's summary per
//! school. Every decision is the core's (`waste_core::site`, `waste_core::sign`).

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::page::{Keyset, Page};
use crate::store::sites::{self as rows, FindingRow, InspectionRow, Placed, SignRow, SiteRow};
use crate::store::{self, Tx, events, organizations};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use time::Date;
use waste_core::access::Action;
use waste_core::hazard::Hazard;
use waste_core::party::OrgKind;
use waste_core::sign::{self, FacilitySign, SignRecord, SignState, SignType, ZoneSign, ZoneWaste};
use waste_core::site::{
    Admission, Answer, FindingInput, InspectionDue, PlacedContainer, Site, SiteKind, SiteStatus,
    TodoItem,
};
use waste_core::{CasNumber, Standards};

mod edit;
mod inspections;
mod signs;

pub use edit::{EditSite, update};
pub use inspections::{FollowUpCmd, Inspect, Inspected, follow_up, inspect};
pub use signs::{SignSvg, record_sign, sign_svg};
use signs::{needed_signs, sign_type};

/// Register a storage site.
#[derive(Debug, Clone)]
pub struct CreateSite {
    pub organization_id: Option<String>,
    pub kind: SiteKind,
    pub name: String,
    pub location: String,
    pub containment_l: Option<Decimal>,
    pub responsible: String,
    pub contact: String,
    pub facility_code: Option<String>,
    pub zones: Vec<String>,
}

fn text(field: &str, s: &str, max: usize) -> Result<String, AppError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::invalid(field, format!("1 to {max} characters")));
    }
    Ok(t.to_owned())
}

impl CreateSite {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        organization_id: Option<String>,
        kind: &str,
        name: &str,
        location: &str,
        containment_liters: Option<&str>,
        responsible: &str,
        contact: &str,
        facility_code: Option<&str>,
        zones: Option<Vec<String>>,
    ) -> Result<Self, AppError> {
        let kind = SiteKind::parse(kind.trim()).ok_or_else(|| {
            let all: Vec<&str> = SiteKind::ALL.iter().map(|k| k.as_str()).collect();
            AppError::invalid("kind", format!("'{kind}' is not one of {}", all.join(", ")))
        })?;
        let containment_l = match containment_liters {
            None => None,
            Some(s) => {
                let d: Decimal = s.trim().parse().map_err(|_| {
                    AppError::invalid(
                        "containment_liters",
                        format!("'{s}' is not a decimal number"),
                    )
                })?;
                if d < Decimal::ZERO || d > Decimal::from(1_000_000) {
                    return Err(AppError::invalid(
                        "containment_liters",
                        "must be 0 to 1000000 L",
                    ));
                }
                Some(d.normalize())
            }
        };
        let mut zs: Vec<String> = Vec::new();
        for (i, z) in zones.unwrap_or_default().iter().enumerate() {
            let z = text(&format!("zones[{i}]"), z, 40)?;
            if zs.contains(&z) {
                return Err(AppError::invalid(
                    format!("zones[{i}]"),
                    format!("zone '{z}' twice"),
                ));
            }
            zs.push(z);
        }
        if zs.len() > 26 {
            return Err(AppError::invalid("zones", "at most 26 zones"));
        }
        let facility_code = facility_code
            .map(|c| text("facility_code", c, 60))
            .transpose()?;
        Ok(CreateSite {
            organization_id,
            kind,
            name: text("name", name, 100)?,
            location: text("location", location, 200)?,
            containment_l,
            responsible: text("responsible", responsible, 100)?,
            contact: text("contact", contact, 100)?,
            facility_code,
            zones: zs,
        })
    }
}

/// A container standing at a site, as answered.
#[derive(Debug, Clone)]
pub struct PlacedState {
    pub row: Placed,
    pub mass_kg: Decimal,
}

/// A site as answered: its row, the containers there, the core's checks, inspections, signs and to-do list.
#[derive(Debug, Clone)]
pub struct SiteState {
    pub row: SiteRow,
    pub kind: SiteKind,
    pub zones: Vec<String>,
    pub containers: Vec<PlacedState>,
    pub status: SiteStatus,
    pub inspection_due: InspectionDue,
    pub last_inspection: Option<InspectionRow>,
    pub open_findings: Vec<FindingRow>,
    pub signs: Vec<(SignRecord, SignState)>,
    pub todo: Vec<TodoItem>,
}

fn kind_of(row: &SiteRow) -> Result<SiteKind, AppError> {
    SiteKind::parse(&row.kind)
        .ok_or_else(|| AppError::internal(format!("stored site kind '{}'", row.kind)))
}

fn contents(std: &Standards, json_list: &str) -> Vec<waste_core::substance::SubstanceId> {
    store::text_list(json_list)
        .iter()
        .filter_map(|s| CasNumber::parse(s).ok())
        .filter_map(|k| std.substances.by_cas(&k).map(|s| s.id))
        .collect()
}

fn core_placed(std: &Standards, p: &Placed) -> Result<PlacedContainer, AppError> {
    let filled = store::decimal(&p.filled_l)?;
    Ok(PlacedContainer {
        id: p.digital_id.clone().unwrap_or_else(|| p.id.clone()),
        zone: p.zone.clone(),
        capacity_l: store::decimal(&p.capacity_l)?,
        liquid: p.holds_liquid,
        filled_l: filled,
        mass_kg: std.containers.kg_of_litres(filled),
        contents: contents(std, &p.contents),
    })
}

fn core_site(std: &Standards, row: &SiteRow, placed: &[Placed]) -> Result<Site, AppError> {
    Ok(Site {
        kind: kind_of(row)?,
        containment_l: row
            .containment_l
            .as_deref()
            .map(store::decimal)
            .transpose()?,
        containers: placed
            .iter()
            .map(|p| core_placed(std, p))
            .collect::<Result<_, _>>()?,
    })
}

fn state_of(
    conn: &mut AnyConnection,
    std: &Standards,
    row: SiteRow,
    today: Date,
) -> Result<SiteState, AppError> {
    let kind = kind_of(&row)?;
    let zones = store::text_list(&row.zones);
    let placed = rows::placed(conn, &row.id)?;
    let site = core_site(std, &row, &placed)?;
    let status = std.sites.status(std, &site);
    let last_inspection = rows::last_inspection(conn, &row.id)?;
    let due = std.sites.inspection_due(
        kind,
        last_inspection
            .as_ref()
            .and_then(|i| store::parse_date(&i.inspected_on)),
        today,
    );
    let open_findings = rows::open_findings(conn, &row.id)?;
    let unit = organizations::summary(conn, &row.organization_id)?.name;
    let needed = needed_signs(std, &row, &zones, &placed, &unit)?;
    let printed: Vec<SignRecord> = rows::signs(conn, &row.id)?
        .into_iter()
        .filter_map(|s| {
            Some(SignRecord {
                sign: sign_type(&s.sign)?,
                zone: s.zone,
                digest: s.digest,
            })
        })
        .collect();
    let signs = sign::sign_states(&needed, &printed);
    let todo = std.sites.todo(&status, &due, open_findings.len(), &signs);
    let containers = placed
        .into_iter()
        .map(|p| {
            Ok(PlacedState {
                mass_kg: std.containers.kg_of_litres(store::decimal(&p.filled_l)?),
                row: p,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(SiteState {
        row,
        kind,
        zones,
        containers,
        status,
        inspection_due: due,
        last_inspection,
        open_findings,
        signs,
        todo,
    })
}

/// A site the actor may see: its own organisation's; any for an administrator; its division's for a bureau's
/// auditor.
fn visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<SiteRow, AppError> {
    let row = rows::get(conn, id)?.ok_or(AppError::NotFound("storage site"))?;
    let seen = match actor.scope(conn)? {
        crate::store::Scope::All => true,
        crate::store::Scope::Org(o) => row.organization_id == o,
        crate::store::Scope::Division(p) => {
            crate::store::organizations::region(conn, &row.organization_id)?.starts_with(p.as_str())
        }
    };
    if seen {
        Ok(row)
    } else {
        Err(AppError::NotFound("storage site"))
    }
}

/// A site of the actor's own organisation (an administrator: any), for a change.
fn own(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<SiteRow, AppError> {
    let row = rows::get(conn, id)?.ok_or(AppError::NotFound("storage site"))?;
    if row.organization_id == actor.org_id || actor.is_admin() {
        Ok(row)
    } else {
        Err(AppError::NotFound("storage site"))
    }
}

/// Registers a site in the actor's organisation (an administrator names the organisation).
pub fn create(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: CreateSite,
) -> Result<SiteState, AppError> {
    actor.may(Action::ManageSites)?;
    let org = match (&cmd.organization_id, actor.is_admin()) {
        (Some(o), true) => o.clone(),
        (Some(o), false) if *o == actor.org_id => o.clone(),
        (Some(_), false) => {
            return Err(AppError::Forbidden(
                "a site is registered in one's own organisation".into(),
            ));
        }
        (None, _) => actor.org_id.clone(),
    };
    let summary = organizations::summary(tx, &org)
        .map_err(|_| AppError::invalid("organization_id", "no such organisation"))?;
    if !matches!(summary.kind, OrgKind::School | OrgKind::TransferStation) {
        return Err(AppError::invalid(
            "organization_id",
            "storage sites belong to schools and transfer stations",
        ));
    }
    // A school keeps no station warehouse, a station no laboratory point (sites.toml `kept_by`).
    if !env.std.sites.kinds_for(summary.kind).contains(&cmd.kind) {
        return Err(AppError::invalid(
            "kind",
            format!(
                "a {} is not kept by a {}",
                env.std.sites.kind(cmd.kind).name_en,
                summary.kind.as_str().replace('_', " ")
            ),
        ));
    }
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    let code = cmd
        .facility_code
        .clone()
        .unwrap_or_else(|| format!("HWCC-{}", id.replace('-', "")[24..].to_uppercase()));
    let row = SiteRow {
        id: id.clone(),
        organization_id: org,
        kind: cmd.kind.as_str().to_owned(),
        name: cmd.name,
        location: cmd.location,
        containment_l: cmd.containment_l.map(|d| d.to_string()),
        responsible: cmd.responsible,
        contact: cmd.contact,
        facility_code: code,
        zones: store::to_text_list(&cmd.zones),
        created_by: actor.id.clone(),
        created_at: at.clone(),
    };
    rows::insert(tx, &row)?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("site:{id}"),
            kind: "created",
            actor: actor.actor(),
            at,
            payload: json!({ "organization_id": row.organization_id, "kind": row.kind, "name": row.name, "containment_liters": row.containment_l, "zones": cmd.zones }),
        },
    )?;
    state_of(tx, env.std, row, env.clock.today())
}

pub fn get(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<SiteState, AppError> {
    let row = visible(conn, actor, id)?;
    state_of(conn, env.std, row, env.clock.today())
}

/// The actor's organisation's sites (every site for an administrator, its division's for a bureau's auditor).
pub fn list(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<SiteState>, AppError> {
    let scope = actor.scope(conn)?;
    let found = rows::list(conn, &scope, page)?;
    let today = env.clock.today();
    page.page(found, |r| r.id.clone())
        .try_map(|r| state_of(conn, env.std, r, today))
}

/// The zone a container goes to: one of the site's zones, or none at an undivided site.
fn zone_for(row: &SiteRow, zone: Option<&str>) -> Result<Option<String>, AppError> {
    let zones = store::text_list(&row.zones);
    match (
        zone.map(str::trim).filter(|z| !z.is_empty()),
        zones.is_empty(),
    ) {
        (None, true) => Ok(None),
        (Some(z), false) if zones.iter().any(|x| x == z) => Ok(Some(z.to_owned())),
        (None, false) => Err(AppError::invalid(
            "zone",
            format!("the site has zones: one of {}", zones.join(", ")),
        )),
        (Some(z), false) => Err(AppError::invalid(
            "zone",
            format!("'{z}' is not a zone of the site ({})", zones.join(", ")),
        )),
        (Some(_), true) => Err(AppError::invalid("zone", "the site has no zones")),
    }
}

/// Where a container is going: the site (checked to belong to the container's holder) and its zone.
pub struct Destination {
    pub site: SiteRow,
    pub zone: Option<String>,
}

/// Checks that the site belongs to `holder` and the zone is one of its zones; locks the site for the check that
/// follows.
pub fn destination(
    tx: &mut Tx,
    holder: &str,
    site_id: &str,
    zone: Option<&str>,
) -> Result<Destination, AppError> {
    rows::lock(tx, site_id)?;
    let site = rows::get(tx, site_id)?
        .filter(|s| s.organization_id == holder)
        .ok_or_else(|| {
            AppError::invalid(
                "site_id",
                "no storage site of the container's holder has this id",
            )
        })?;
    let zone = zone_for(&site, zone)?;
    Ok(Destination { site, zone })
}

/// Whether a container (as it will be after the change) may stand at `dest`: refused over the storage-point
/// ceiling (GB 18597-2023 8.3.5, 409 `storage_point_full`), else the admission with its warnings.
pub fn admit(
    tx: &mut Tx,
    std: &Standards,
    dest: &Destination,
    incoming: PlacedContainer,
) -> Result<Admission, AppError> {
    let placed = rows::placed(tx, &dest.site.id)?;
    let site = core_site(std, &dest.site, &placed)?;
    std.sites
        .admit(std, &site, &incoming)
        .map_err(|e| AppError::rule("storage_point_full", &e))
}

/// The core's view of a container row going to a zone, with `filled_l` after the change.
pub fn incoming(
    std: &Standards,
    row: &crate::store::containers::Row,
    zone: Option<String>,
    filled_l: Decimal,
    holds_liquid: bool,
    contents_json: &str,
) -> Result<PlacedContainer, AppError> {
    Ok(PlacedContainer {
        id: row.digital_id.clone().unwrap_or_else(|| row.id.clone()),
        zone,
        capacity_l: store::decimal(&row.capacity_l)?,
        liquid: holds_liquid,
        filled_l,
        mass_kg: std.containers.kg_of_litres(filled_l),
        contents: contents(std, contents_json),
    })
}

/// A container moved to a site: the site's admission (with its warnings).
#[derive(Debug, Clone)]
pub struct Moved {
    pub container_id: String,
    pub site_id: String,
    pub zone: Option<String>,
    pub admission: Admission,
}

/// Moves a container of the actor's organisation to one of its sites (and zone): a custody event.
pub fn move_container(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    site_id: &str,
    zone: Option<&str>,
) -> Result<Moved, AppError> {
    let today = env.clock.today();
    actor.may_on(waste_core::access::Action::FillContainers, today)?;
    crate::store::containers::lock(tx, id)?;
    let row = crate::store::containers::visible(tx, id, &actor.org_id)?
        .ok_or(AppError::NotFound("container"))?;
    let holder = row
        .custodian_id
        .clone()
        .unwrap_or_else(|| row.organization_id.clone());
    if holder != actor.org_id {
        return Err(AppError::refused(
            "not_holder",
            "only the organisation holding the container moves it",
            json!({ "custodian_id": holder }),
        ));
    }
    let status = row.status()?;
    if !matches!(
        status,
        waste_core::container::Status::Open | waste_core::container::Status::Sealed
    ) {
        return Err(AppError::refused(
            "container_not_here",
            format!("a {} container has left its holder's sites", row.status),
            json!({ "status": row.status }),
        ));
    }
    let dest = destination(tx, &holder, site_id, zone)?;
    let filled = store::decimal(&row.filled_l)?;
    let inc = incoming(
        env.std,
        &row,
        dest.zone.clone(),
        filled,
        row.holds_liquid,
        &row.contents,
    )?;
    let admission = admit(tx, env.std, &dest, inc)?;
    rows::place(tx, id, Some(&dest.site.id), dest.zone.as_deref())?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("container:{id}"),
            kind: "moved",
            actor: actor.actor(),
            at: env.clock.stamp(),
            payload: json!({ "from_site": row.site_id, "from_zone": row.zone, "site_id": dest.site.id, "zone": dest.zone,
                "warnings": admission.warnings.iter().map(|w| w.code).collect::<Vec<_>>() }),
        },
    )?;
    Ok(Moved {
        container_id: id.to_owned(),
        site_id: dest.site.id,
        zone: dest.zone,
        admission,
    })
}

/// Moves several containers to one site in one step (a person carrying a tray of them in): all or none, so a
/// refusal (the storage point's ceiling, GB 18597-2023 8.3.5) leaves every container where it was.
pub fn move_many(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    ids: &[String],
    site_id: &str,
    zone: Option<&str>,
) -> Result<Vec<Moved>, AppError> {
    if ids.is_empty() {
        return Err(AppError::invalid(
            "container_ids",
            "choose or scan at least one container to move",
        ));
    }
    ids.iter()
        .map(|id| move_container(tx, env, actor, id, site_id, zone))
        .collect()
}

/// What a bureau sees of one site.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SiteSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub on_hand_kg: Decimal,
    pub share_of_ceiling: Option<Decimal>,
    pub over_warning_share: bool,
    pub containment_short: bool,
    pub last_inspection: Option<String>,
    pub inspection_status: waste_core::site::InspectionStatus,
    pub open_findings: usize,
    pub todo: usize,
}

/// The sites of each school, summarised for the bureau's view.
pub fn school_summaries(
    conn: &mut AnyConnection,
    env: &Env,
    schools: &[String],
) -> Result<BTreeMap<String, Vec<SiteSummary>>, AppError> {
    let today = env.clock.today();
    let mut out: BTreeMap<String, Vec<SiteSummary>> = BTreeMap::new();
    for row in rows::of_organizations(conn, schools)? {
        let org = row.organization_id.clone();
        let s = state_of(conn, env.std, row, today)?;
        out.entry(org).or_default().push(SiteSummary {
            id: s.row.id.clone(),
            name: s.row.name.clone(),
            kind: s.row.kind.clone(),
            on_hand_kg: s.status.quantity.on_hand_kg,
            share_of_ceiling: s.status.quantity.share,
            over_warning_share: matches!(
                s.status.quantity.level,
                waste_core::site::QuantityLevel::NearCeiling
                    | waste_core::site::QuantityLevel::OverCeiling
            ),
            containment_short: s.status.containment.level
                == waste_core::site::ContainmentLevel::Short,
            last_inspection: s.last_inspection.as_ref().map(|i| i.inspected_on.clone()),
            inspection_status: s.inspection_due.status,
            open_findings: s.open_findings.len(),
            todo: s.todo.len(),
        });
    }
    Ok(out)
}

/// The site a container already stands at, locked for the check that follows.
pub fn at_site(tx: &mut Tx, site_id: &str, zone: Option<String>) -> Result<Destination, AppError> {
    rows::lock(tx, site_id)?;
    let site = rows::get(tx, site_id)?
        .ok_or_else(|| AppError::internal(format!("container at a missing site {site_id}")))?;
    Ok(Destination { site, zone })
}
