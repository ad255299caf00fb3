//! Writes a sample storage-facility sign and storage-zone sign (HJ 1276-2022) as SVG, to look at or print:
//! `cargo run -p waste-core --example signs -- OUT_DIR`.

use waste_core::Standards;
use waste_core::hazard::Hazard;
use waste_core::sign::{FacilitySign, ZoneSign, ZoneWaste, render_facility, render_zone};
use waste_core::site::SiteKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let std = Standards::embedded();
    let kind = std.sites.kind(SiteKind::StoragePoint);
    let facility = FacilitySign {
        title_zh: kind.facility_title_zh.clone(),
        title_en: kind.facility_title_en.clone(),
        unit_name: "长春市第一中学".into(),
        facility_name: "实验楼危险废物贮存点".into(),
        facility_code: "91350100M000100Y43-ZC001".into(),
        responsible: "王老师".into(),
        contact: "138-0000-0000".into(),
        location: Some("实验楼 B 座一层 B-104".into()),
    };
    let zone = ZoneSign {
        facility_name: "实验楼危险废物贮存点".into(),
        zone_name: "B 酸性废液".into(),
        zones: vec![
            "A 有机废液".into(),
            "B 酸性废液".into(),
            "C 含氰废液".into(),
            "D 固体废物".into(),
        ],
        wastes: vec![
            ZoneWaste {
                name: "废酸 waste acids".into(),
                code: Some("900-047-49".into()),
                hazards: vec![Hazard::C, Hazard::T],
            },
            ZoneWaste {
                name: "含重金属废液 heavy-metal liquids".into(),
                code: Some("900-047-49".into()),
                hazards: vec![Hazard::T],
            },
        ],
        emergency: Some("门口左侧: 吸附棉、灭火器".into()),
        responsible: "王老师".into(),
        contact: "138-0000-0000".into(),
    };
    std::fs::write(
        format!("{out}/facility-sign.svg"),
        render_facility(&facility, &std.signs, None)?,
    )?;
    std::fs::write(
        format!("{out}/zone-sign.svg"),
        render_zone(&zone, &std.signs, None)?,
    )?;
    Ok(())
}
