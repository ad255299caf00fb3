//! A site's HJ 1276-2022 signs: the SVG to print, and the record that a printed sign is posted.

use super::*;

/// The wastes of one zone (None: the undivided site) as its sign lists them.
fn zone_wastes(std: &Standards, placed: &[Placed], zone: Option<&str>) -> Vec<ZoneWaste> {
    ZoneWaste::collect(
        placed
            .iter()
            .filter(|p| p.zone.as_deref() == zone && p.stream.is_some())
            .map(|p| {
                let name = p
                    .stream
                    .as_deref()
                    .and_then(waste_core::Stream::parse)
                    .and_then(|s| std.streams.info(s))
                    .map(|i| format!("{} {}", i.name_zh, i.name_en))
                    .unwrap_or_else(|| "危险废物 hazardous waste".into());
                ZoneWaste {
                    name,
                    code: p.code.clone(),
                    hazards: p.hazards.split(',').filter_map(Hazard::parse).collect(),
                }
            }),
    )
}

fn facility_sign(std: &Standards, row: &SiteRow, kind: SiteKind, unit: &str) -> FacilitySign {
    let k = std.sites.kind(kind);
    FacilitySign {
        title_zh: k.facility_title_zh.clone(),
        title_en: k.facility_title_en.clone(),
        unit_name: unit.to_owned(),
        facility_name: row.name.clone(),
        facility_code: row.facility_code.clone(),
        responsible: row.responsible.clone(),
        contact: row.contact.clone(),
        location: Some(row.location.clone()),
    }
}

fn zone_sign(
    std: &Standards,
    row: &SiteRow,
    zones: &[String],
    placed: &[Placed],
    zone: Option<&str>,
) -> ZoneSign {
    ZoneSign {
        facility_name: row.name.clone(),
        zone_name: zone.map(str::to_owned).unwrap_or_else(|| row.name.clone()),
        zones: zones.to_vec(),
        wastes: zone_wastes(std, placed, zone),
        emergency: None,
        responsible: row.responsible.clone(),
        contact: row.contact.clone(),
    }
}

/// The signs the site needs now: the facility sign, and a zone sign for every zone holding waste.
pub(super) fn needed_signs(
    std: &Standards,
    row: &SiteRow,
    zones: &[String],
    placed: &[Placed],
    unit: &str,
) -> Result<Vec<SignRecord>, AppError> {
    let kind = kind_of(row)?;
    let mut out = vec![SignRecord {
        sign: SignType::Facility,
        zone: None,
        digest: facility_sign(std, row, kind, unit).digest(),
    }];
    let zone_keys: Vec<Option<&str>> = if zones.is_empty() {
        vec![None]
    } else {
        zones.iter().map(|z| Some(z.as_str())).collect()
    };
    for z in zone_keys {
        let s = zone_sign(std, row, zones, placed, z);
        if !s.wastes.is_empty() {
            out.push(SignRecord {
                sign: SignType::Zone,
                zone: z.map(str::to_owned),
                digest: s.digest(),
            });
        }
    }
    Ok(out)
}

pub(super) fn sign_type(s: &str) -> Option<SignType> {
    SignType::parse(s)
}

/// A sign as SVG with its content digest.
pub struct SignSvg {
    pub svg: String,
    pub digest: String,
}

pub fn sign_svg(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    site_id: &str,
    sign_type: SignType,
    zone: Option<&str>,
    distance_m: Option<Decimal>,
) -> Result<SignSvg, AppError> {
    let std = env.std;
    let row = visible(conn, actor, site_id)?;
    let kind = kind_of(&row)?;
    let unit = organizations::summary(conn, &row.organization_id)?.name;
    match sign_type {
        SignType::Facility => {
            let s = facility_sign(std, &row, kind, &unit);
            let svg = sign::render_facility(&s, &std.signs, distance_m)
                .map_err(|e| AppError::rule("sign_incomplete", &e))?;
            Ok(SignSvg {
                svg,
                digest: s.digest(),
            })
        }
        SignType::Zone => {
            let zones = store::text_list(&row.zones);
            let zone = zone_for(&row, zone)?;
            let placed = rows::placed(conn, &row.id)?;
            let s = zone_sign(std, &row, &zones, &placed, zone.as_deref());
            let svg = sign::render_zone(&s, &std.signs, distance_m)
                .map_err(|e| AppError::rule("sign_incomplete", &e))?;
            Ok(SignSvg {
                svg,
                digest: s.digest(),
            })
        }
    }
}

/// Records that a sign was printed and posted; refused when the digest is not the one the site needs now.
pub fn record_sign(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    site_id: &str,
    sign_type: SignType,
    zone: Option<&str>,
    digest: &str,
) -> Result<SignRow, AppError> {
    actor.may(Action::ManageSites)?;
    let std = env.std;
    let row = own(tx, actor, site_id)?;
    let zones = store::text_list(&row.zones);
    let zone = match sign_type {
        SignType::Facility => None,
        SignType::Zone => zone_for(&row, zone)?,
    };
    let placed = rows::placed(tx, &row.id)?;
    let unit = organizations::summary(tx, &row.organization_id)?.name;
    let needed = needed_signs(std, &row, &zones, &placed, &unit)?;
    let current = needed
        .iter()
        .find(|n| n.sign == sign_type && n.zone == zone);
    match current {
        Some(n) if n.digest == digest => {}
        Some(n) => {
            return Err(AppError::refused(
                "sign_outdated",
                "this is not the sign the site needs now: print it again",
                json!({ "current_digest": n.digest }),
            ));
        }
        None => {
            return Err(AppError::refused(
                "sign_not_needed",
                "this zone holds no waste: it needs no sign yet",
                json!({}),
            ));
        }
    }
    let s = SignRow {
        id: env.clock.new_id(),
        site_id: row.id.clone(),
        sign: sign_type.as_str().to_owned(),
        zone,
        digest: digest.to_owned(),
        printed_by: actor.id.clone(),
        printed_at: env.clock.stamp(),
    };
    rows::insert_sign(tx, &s)?;
    Ok(s)
}
