//! What the pages of the custody chain read: a manifest with the steps the actor's organisation may take next
//! (the core's state machine decides), the manifest tabs, the station's stock and what it may ship, the
//! contract and licence coverage before submitting, and the printable manifest with every signature.

use super::container_state::{ContainerState, state_of};
use super::coverage::Coverage;
use super::manifests::{self, Manifest};
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::chain as q;
use crate::store::containers as rows;
use crate::store::manifests::{self as store_m, ManifestRow};
use crate::store::organizations::{self, OrgRow};
use crate::store::page::Keyset;
use serde_json::json;
use std::collections::BTreeSet;
use waste_core::access::Action as Access;
use waste_core::container::Step;
use waste_core::custody::Event;
use waste_core::manifest::{Acceptance, Action, ManifestState, Party, transition};
use waste_core::party::OrgKind;

/// The actor's organisation's part in a manifest.
pub fn party(m: &ManifestRow, org: &str) -> Option<Party> {
    m.party_of(org)
}

fn acceptance(m: &ManifestRow) -> Option<Acceptance> {
    m.acceptance
        .as_deref()
        .and_then(|a| serde_json::from_value::<Acceptance>(json!(a)).ok())
}

/// The steps the actor may take next on `m` on `today`: those the core's state machine allows the actor's party
/// from the manifest's state, and the access table (with its training column) allows the actor for that party:
/// what `manifests::step` would accept, so a page never offers a step it then refuses.
pub fn next_steps(m: &ManifestRow, actor: &Actor, today: time::Date) -> Vec<Action> {
    let (Some(p), Ok(state)) = (party(m, &actor.org_id), m.state()) else {
        return Vec::new();
    };
    if actor.may_on(Access::ManifestStep(p), today).is_err() {
        return Vec::new();
    }
    Action::ALL
        .into_iter()
        .filter(|a| transition(state, *a, Some(p), acceptance(m)).is_ok())
        .collect()
}

/// Where a manifest stands for the actor's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Drafts,
    ToAct,
    Following,
    Archive,
}

/// A manifest in a list, with its tab, its next steps and whether containers came back from it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub row: ManifestRow,
    pub tab: Tab,
    pub steps: Vec<Action>,
    /// The receiver rejected at least one container (Art.12): it went back to the shipper.
    pub returns: bool,
    pub party: Option<Party>,
    /// The names of the shipper, the carrier and the receiver.
    pub names: [String; 3],
}

/// Every manifest the actor's organisation is a party to (at most 5 000, newest first), with its tab.
pub fn listed(
    conn: &mut AnyConnection,
    actor: &Actor,
    today: time::Date,
) -> Result<Vec<Listed>, AppError> {
    let mut page = Keyset {
        limit: 500,
        after: None,
    };
    let mut out = Vec::new();
    for _ in 0..10 {
        let found = manifests::list(conn, actor, None, &page)?;
        let next = found.next_after.clone();
        for row in found.items {
            let state = row.state()?;
            // The cancel step is offered on the manifest page, but does not by itself make a manifest one to act on.
            let steps = next_steps(&row, actor, today);
            let acting = steps.iter().any(|a| *a != Action::Cancel);
            let tab = if state == ManifestState::Draft {
                Tab::Drafts
            } else if state.is_closed() {
                Tab::Archive
            } else if acting {
                Tab::ToAct
            } else {
                Tab::Following
            };
            let returns = matches!(
                acceptance(&row),
                Some(Acceptance::Rejected | Acceptance::PartiallyRejected)
            );
            let names = [
                organizations::summary(conn, &row.shipper_id)?.name,
                organizations::summary(conn, &row.carrier_id)?.name,
                organizations::summary(conn, &row.receiver_id)?.name,
            ];
            out.push(Listed {
                names,
                party: party(&row, &actor.org_id),
                row,
                tab,
                steps,
                returns,
            });
        }
        match next {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

/// A manifest opened by its number (what its printed QR code holds) or its id, with its chain and next steps.
pub struct Opened {
    pub manifest: Manifest,
    pub events: Vec<Event>,
    pub steps: Vec<Action>,
    pub party: Option<Party>,
    pub parties: [Option<OrgRow>; 3],
}

pub fn open(
    conn: &mut AnyConnection,
    actor: &Actor,
    key: &str,
    today: time::Date,
) -> Result<Opened, AppError> {
    let id = store_m::id_by_number(conn, key)?.unwrap_or_else(|| key.to_owned());
    let manifest = manifests::get(conn, actor, &id)?;
    let events = manifests::events(conn, actor, &id)?;
    let steps = next_steps(&manifest.row, actor, today);
    let party = party(&manifest.row, &actor.org_id);
    let parties = [
        organizations::by_id(conn, &manifest.row.shipper_id)?,
        organizations::by_id(conn, &manifest.row.carrier_id)?,
        organizations::by_id(conn, &manifest.row.receiver_id)?,
    ];
    Ok(Opened {
        manifest,
        events,
        steps,
        party,
        parties,
    })
}

/// The containers the actor's organisation holds (on hand, with a storage clock), oldest clock first, with
/// their clocks against the holder's limit (a transfer station's 12 months from the pickup, Solid Waste Law
/// Art.81).
pub fn held(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
) -> Result<Vec<ContainerState>, AppError> {
    let today = env.clock.today();
    let mut page = Keyset {
        limit: 500,
        after: None,
    };
    let mut out = Vec::new();
    for _ in 0..10 {
        let found = rows::clocks_started_by(conn, &actor.org_id, "9999-12-31", &page)?;
        let full = found.len() as i64 == page.limit;
        page.after = found.last().map(|r| {
            format!(
                "{}|{}",
                r.clock_started_on.as_deref().unwrap_or_default(),
                r.id
            )
        });
        for r in found {
            out.push(state_of(conn, env.std, r, today)?);
        }
        if !full {
            break;
        }
    }
    Ok(out)
}

/// Whether a held container may go on a new manifest, as the draft use case checks it (sealed, with its code,
/// on no open manifest).
pub fn shippable(conn: &mut AnyConnection, s: &ContainerState) -> Result<bool, AppError> {
    Ok(s.row.status()?.after(Step::Ship).is_ok()
        && s.row.code.is_some()
        && !store_m::container_on_open_manifest(conn, &s.row.id)?)
}

/// The organisations a shipper chooses among when drafting: disposal firms (with their licences) and carriers.
pub struct Choices {
    pub firms: Vec<OrgRow>,
    pub carriers: Vec<OrgRow>,
}

pub fn choices(conn: &mut AnyConnection, actor: &Actor) -> Result<Choices, AppError> {
    manifests::may_draft(actor)?;
    Ok(Choices {
        firms: q::of_kind(conn, OrgKind::DisposalFirm.as_str())?,
        carriers: q::of_kind(conn, OrgKind::Carrier.as_str())?,
    })
}

/// `coverage::covered` for the actor's organisation as shipper, today, shown before it submits.
pub fn coverage(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    firm_id: &str,
    codes: &BTreeSet<String>,
) -> Result<Coverage, AppError> {
    manifests::may_draft(actor)?;
    super::coverage::covered(conn, &actor.org_id, firm_id, codes, env.clock.today())
}

/// The containers the actor's organisation holds that could be moved to `site_id`: open or sealed, on hand,
/// not already there; as a scanning form names them (with the site each stands at now).
pub fn movable(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    site_id: &str,
) -> Result<Vec<Brief>, AppError> {
    use waste_core::container::Status;
    let mut out = Vec::new();
    for s in held(conn, env, actor)? {
        let row = s.row;
        let holder = row.custodian_id.as_deref().unwrap_or(&row.organization_id);
        if holder != actor.org_id
            || !matches!(row.status(), Ok(Status::Open | Status::Sealed))
            || row.site_id.as_deref() == Some(site_id)
        {
            continue;
        }
        let (site, zone) = (row.site_id.clone(), row.zone.clone());
        out.push(Brief::of(row).placed(conn, site.as_deref(), zone.as_deref())?);
    }
    Ok(out)
}

/// One signature of a printed manifest: the step, when, and who (name and roles).
pub struct Signature {
    pub kind: String,
    pub at: String,
    pub name: String,
    pub roles: Vec<String>,
}

/// One line of a printed manifest, with the container's hazards and stream.
pub struct PrintLine {
    pub line: crate::store::manifests::LineRow,
    pub hazards: Vec<String>,
    pub stream: Option<String>,
    pub digital_id: Option<String>,
}

/// Everything the printed manifest shows.
pub struct Sheet {
    pub opened: Opened,
    pub lines: Vec<PrintLine>,
    pub signatures: Vec<Signature>,
    /// The vehicle as recorded at dispatch (Transfer Measures Art.11), when it was.
    pub vehicle: Option<String>,
    /// Its corrections (Transfer Measures Art.29), oldest first.
    pub revisions: Vec<super::revisions::Revision>,
}

pub fn sheet(
    conn: &mut AnyConnection,
    actor: &Actor,
    key: &str,
    today: time::Date,
) -> Result<Sheet, AppError> {
    let opened = open(conn, actor, key, today)?;
    sheet_from(conn, opened)
}

/// The sheet of a manifest a roadside link shows (the link is the permission): no party, no steps.
pub fn sheet_of(conn: &mut AnyConnection, manifest: Manifest) -> Result<Sheet, AppError> {
    let events = crate::store::events::chain(conn, &format!("manifest:{}", manifest.row.id))?;
    let parties = [
        organizations::by_id(conn, &manifest.row.shipper_id)?,
        organizations::by_id(conn, &manifest.row.carrier_id)?,
        organizations::by_id(conn, &manifest.row.receiver_id)?,
    ];
    sheet_from(
        conn,
        Opened {
            manifest,
            events,
            steps: Vec::new(),
            party: None,
            parties,
        },
    )
}

fn sheet_from(conn: &mut AnyConnection, opened: Opened) -> Result<Sheet, AppError> {
    let mut lines = Vec::new();
    for l in &opened.manifest.lines {
        let row = rows::by_id(conn, &l.container_id)?;
        lines.push(PrintLine {
            line: l.clone(),
            hazards: row
                .as_ref()
                .map(|r| {
                    r.hazards
                        .split(',')
                        .filter(|h| !h.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            stream: row.as_ref().and_then(|r| r.stream.clone()),
            digital_id: row.and_then(|r| r.digital_id),
        });
    }
    let ids: Vec<String> = opened
        .events
        .iter()
        .filter_map(|e| e.actor.strip_prefix("user:").map(str::to_owned))
        .collect();
    let signers = q::signers(conn, &ids)?;
    let signatures = opened
        .events
        .iter()
        .map(|e| {
            let who = e
                .actor
                .strip_prefix("user:")
                .and_then(|id| signers.iter().find(|s| s.id == id));
            Signature {
                kind: e.kind.clone(),
                at: e.at.clone(),
                name: who
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| e.actor.clone()),
                roles: who
                    .map(|s| {
                        s.roles
                            .split(',')
                            .filter(|r| !r.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let vehicle = vehicle(&opened.manifest.row);
    let revisions = super::revisions::of_manifest(conn, &opened.manifest.row.id)?;
    Ok(Sheet {
        opened,
        lines,
        signatures,
        vehicle,
        revisions,
    })
}

/// The vehicle as recorded at dispatch: plate and transport permit number.
fn vehicle(m: &ManifestRow) -> Option<String> {
    match (&m.vehicle_plate, &m.transport_permit_no) {
        (None, None) => None,
        (p, n) => Some(format!(
            "{} / {}",
            p.as_deref().unwrap_or("—"),
            n.as_deref().unwrap_or("—")
        )),
    }
}

/// What a scanner read, as container ids: a label's digital identification code becomes its container's id;
/// anything else stays as read (so the load check names it as an extra container).
pub fn scanned_ids(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<BTreeSet<String>, AppError> {
    let known = q::ids_by_digital_id(conn, codes)?;
    Ok(codes
        .iter()
        .map(|c| {
            known
                .iter()
                .find(|(d, _)| d == c)
                .map(|(_, id)| id.clone())
                .unwrap_or_else(|| c.clone())
        })
        .collect())
}

/// Container ids of what a form lists: a digital identification code becomes its container's id.
pub fn container_ids(conn: &mut AnyConnection, keys: &[String]) -> Result<Vec<String>, AppError> {
    let known = q::ids_by_digital_id(conn, keys)?;
    Ok(keys
        .iter()
        .map(|k| {
            known
                .iter()
                .find(|(d, _)| d == k)
                .map(|(_, id)| id.clone())
                .unwrap_or_else(|| k.clone())
        })
        .collect())
}

/// What a scanning form shows of one container: enough to recognise it in the hand (its stream, waste code,
/// hazards and lab), not only the code on its label.
pub struct Brief {
    pub id: String,
    pub digital_id: String,
    pub code: String,
    pub stream: Option<String>,
    pub hazards: Vec<String>,
    pub lab: String,
    /// The storage site it stands at (its name, and zone), when it stands at one.
    pub site: Option<String>,
}

impl Brief {
    pub fn of(row: rows::Row) -> Self {
        Self {
            hazards: row
                .hazards
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
            id: row.id,
            digital_id: row.digital_id.unwrap_or_default(),
            code: row.code.unwrap_or_default(),
            stream: row.stream,
            lab: row.lab,
            site: None,
        }
    }

    /// With the name of the storage site it stands at.
    pub(crate) fn placed(
        mut self,
        conn: &mut AnyConnection,
        site_id: Option<&str>,
        zone: Option<&str>,
    ) -> Result<Self, AppError> {
        if let Some(id) = site_id {
            self.site = crate::store::sites::get(conn, id)?.map(|s| match zone {
                Some(z) if !z.is_empty() => format!("{} · {z}", s.name),
                _ => s.name,
            });
        }
        Ok(self)
    }
}

/// Each container of `ids`, in order, as a scanning form shows it (collection).
pub fn briefs(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Brief>, AppError> {
    ids.iter()
        .map(|id| {
            let row = rows::by_id(conn, id)?.ok_or(AppError::NotFound("container"))?;
            let (site, zone) = (row.site_id.clone(), row.zone.clone());
            Brief::of(row).placed(conn, site.as_deref(), zone.as_deref())
        })
        .collect()
}

/// What a code scanned into a form names, when it is not one of the form's own containers.
pub enum Sighting {
    /// No container carries this code.
    Unknown,
    /// A container the actor's organisation holds or owns.
    Ours(Brief),
    /// A container of another organisation.
    Elsewhere,
}

/// Looks a scanned code up for a form that did not expect it, so the person is told at once which of the three
/// it is (unknown, another organisation's, or one of theirs that is not on this form).
pub fn sighting(conn: &mut AnyConnection, actor: &Actor, code: &str) -> Result<Sighting, AppError> {
    let found = q::ids_by_digital_id(conn, &[code.to_owned()])?;
    let Some((_, id)) = found.into_iter().next() else {
        return Ok(Sighting::Unknown);
    };
    Ok(match rows::visible(conn, &id, &actor.org_id)? {
        Some(row) => Sighting::Ours(Brief::of(row)),
        None => Sighting::Elsewhere,
    })
}

/// The safety officers of a school, who confirm a hand-over with their PIN on the collecting operator's phone.
pub fn officers(
    conn: &mut AnyConnection,
    actor: &Actor,
    school_id: &str,
) -> Result<Vec<q::Signer>, AppError> {
    actor.may(Access::PickUp)?;
    Ok(q::of_org(conn, school_id)?
        .into_iter()
        .filter(|s| s.roles.split(',').any(|r| r == "safety_officer"))
        .collect())
}
