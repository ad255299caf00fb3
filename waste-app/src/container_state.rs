//! A container as the use cases answer it: its row read back into the core's types, its HJ 1276-2022 label,
//! its fill limit and the storage clock of whoever holds it.

use super::AppError;
use crate::store::containers::Row;
use crate::store::{self, organizations};
use rust_decimal::Decimal;
use time::Date;
use waste_core::catalogue::HwCode;
use waste_core::container::{Container, Material, Step};
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, Label};
use waste_core::party::OrgKind;
use waste_core::request::Form;
use waste_core::storage::{SiteKind, StorageClock};
use waste_core::{CasNumber, Standards};

/// A container's storage clock: which site's policy it runs on, and where it stands.
#[derive(Debug, Clone)]
pub struct Storage {
    pub site: SiteKind,
    pub clock: StorageClock,
}

/// A container as the use cases answer it: its row, its label, its fill limit and its clock.
#[derive(Debug, Clone)]
pub struct ContainerState {
    pub row: Row,
    pub label: Label,
    pub fill_limit_l: Decimal,
    pub storage: Option<Storage>,
}

pub fn hazards_of(s: &str) -> Vec<Hazard> {
    s.split(',').filter_map(Hazard::parse).collect()
}

/// The core's view of a row.
pub(super) fn core_container(std: &Standards, row: &Row) -> Result<Container, AppError> {
    let mut c = Container::new(
        store::decimal(&row.capacity_l)?,
        Material::parse(&row.material).ok_or_else(|| AppError::internal("stored material"))?,
    );
    c.sealed = row.status()?.after(Step::AddWaste).is_err();
    c.stream = row.stream.as_deref().and_then(waste_core::Stream::parse);
    c.filled_l = store::decimal(&row.filled_l)?;
    c.holds_liquid = row.holds_liquid;
    c.contents = store::text_list(&row.contents)
        .iter()
        .filter_map(|s| CasNumber::parse(s).ok())
        .filter_map(|k| std.substances.by_cas(&k).map(|s| s.id))
        .collect();
    Ok(c)
}

/// The HJ 1276-2022 label of a container, from its row and its generator's name.
pub(super) fn label_of(std: &Standards, row: &Row, generator: &str) -> Result<Label, AppError> {
    let stream = row.stream.as_deref().and_then(waste_core::Stream::parse);
    let waste_name = stream
        .and_then(|s| std.streams.info(s))
        .map(|i| format!("{} {}", i.name_zh, i.name_en))
        .unwrap_or_default();
    let mut components: Vec<String> = store::text_list(&row.contents)
        .iter()
        .filter_map(|s| CasNumber::parse(s).ok())
        .filter_map(|k| std.substances.by_cas(&k))
        .map(|s| format!("{} {}", s.name_zh, s.name_en))
        .collect();
    // A medical-waste container (a culture, blood, sharps) may hold no chemical: its category is what it holds.
    if components.is_empty()
        && let Some(what) = row
            .code
            .as_deref()
            .and_then(|c| std.medical.label_components(c))
    {
        components.push(what);
    }
    if components.len() > 8 {
        let more = components.len() - 8;
        components.truncate(8);
        components.push(format!("+{more}"));
    }
    Ok(Label {
        waste_name,
        code: row.code.clone(),
        category: row
            .code
            .as_deref()
            .and_then(|c| HwCode::parse(c).ok())
            .map(|c| c.category()),
        form: Some(if row.holds_liquid {
            Form::Liquid
        } else {
            Form::Solid
        }),
        main_components: components,
        hazards: hazards_of(&row.hazards),
        precautions: None,
        generation_date: row.started_on.as_deref().and_then(store::parse_date),
        generator: generator.to_owned(),
        contact: row.contact.clone(),
        digital_id: row
            .digital_id
            .as_deref()
            .and_then(|d| DigitalId::parse(d).ok()),
        weight_kg: None,
        // What a person needs to find the container: its lab, and its number of the day as the digital
        // identification code ends (the code's date and serial), never the database's id.
        remarks: Some(match row.digital_id.as_deref() {
            Some(d) if d.len() > 11 && d.is_char_boundary(d.len() - 11) => {
                let tail = &d[d.len() - 11..];
                format!(
                    "实验室 Lab {} · 容器 Container {}-{}",
                    row.lab,
                    &tail[..8],
                    &tail[8..]
                )
            }
            _ => format!("实验室 Lab {}", row.lab),
        }),
        container_volume_l: store::decimal(&row.capacity_l)?,
    })
}

/// The label fields a container still lacks (HJ 1276-2022): a container is loaded only with a complete label
/// (HW Transfer Measures Art.13).
pub fn label_missing(
    conn: &mut crate::db::AnyConnection,
    std: &Standards,
    row: &Row,
) -> Result<Vec<waste_core::label::LabelField>, AppError> {
    let generator = organizations::summary(conn, &row.organization_id)?.name;
    Ok(label_of(std, row, &generator)?.missing())
}

/// Which storage clock a container runs on: the core decides (`SiteRules::clock_for`) from the kind of the site it
/// stands at, when that site belongs to whoever holds it now, and the kind of its holder.
pub(super) fn clock_site(
    conn: &mut crate::db::AnyConnection,
    std: &Standards,
    row: &Row,
) -> Result<SiteKind, AppError> {
    let site = match &row.site_id {
        Some(id) => store::sites::get(conn, id)?.map(|s| (s.organization_id, s.kind)),
        None => None,
    };
    clock_of(
        conn,
        std,
        &row.organization_id,
        row.custodian_id.as_deref(),
        site.as_ref().map(|(o, k)| (o.as_str(), k.as_str())),
    )
}

/// `clock_site` from a container's owner, its holder (`None`: the owner) and its site's organisation and kind.
pub(super) fn clock_of(
    conn: &mut crate::db::AnyConnection,
    std: &Standards,
    owner: &str,
    custodian: Option<&str>,
    site: Option<(&str, &str)>,
) -> Result<SiteKind, AppError> {
    let holders_site = match site {
        Some((org, kind)) if org == custodian.unwrap_or(owner) => Some(
            waste_core::site::SiteKind::parse(kind)
                .ok_or_else(|| AppError::internal(format!("stored site kind '{kind}'")))?,
        ),
        _ => None,
    };
    let holder = match custodian {
        Some(h) => organizations::summary(conn, h)?.kind,
        None => OrgKind::School,
    };
    Ok(std.sites.clock_for(holders_site, holder))
}

/// The day a container's storage clock started: its holder's restart (a station's pickup), else its first
/// addition.
pub(super) fn clock_start(
    clock_started_on: Option<&str>,
    started_on: Option<&str>,
) -> Option<Date> {
    clock_started_on.or(started_on).and_then(store::parse_date)
}

/// Label, fill limit and storage clock of a row, as of `today`.
pub(super) fn state_of(
    conn: &mut crate::db::AnyConnection,
    std: &Standards,
    row: Row,
    today: Date,
) -> Result<ContainerState, AppError> {
    let generator = organizations::summary(conn, &row.organization_id)?.name;
    let label = label_of(std, &row, &generator)?;
    // An empty container shows the stricter liquid limit until its first addition says what it holds.
    let liquid = row.holds_liquid || row.stream.is_none();
    let (_, fill_limit_l) = std.containers.fill_limit(label.container_volume_l, liquid);
    let site = clock_site(conn, std, &row)?;
    // A storage clock runs only while the container is held in storage (not in transit, received or disposed).
    let stored = row.status()?.on_hand();
    let storage = clock_start(row.clock_started_on.as_deref(), row.started_on.as_deref())
        .filter(|_| stored)
        .map(|d| Storage {
            site,
            clock: std.storage.clock(site, d, today),
        });
    Ok(ContainerState {
        row,
        label,
        fill_limit_l,
        storage,
    })
}
