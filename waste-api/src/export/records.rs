//! The HJ 1259-2022 ledger and the annual report as tables (headings as the standard's ledger tables name the
//! fields, English beside them).

use super::{Cell, Column, Table};
use waste_core::container::Unit;
use waste_core::party::OrgKind;
use waste_core::records::annual::AnnualReport;
use waste_core::records::ledger::{Amount, LedgerRecord};
use waste_core::records::rules::Stage;

const fn col(zh: &'static str, en: &'static str) -> Column {
    Column { zh, en }
}

pub const LEDGER_COLUMNS: &[Column] = &[
    col("记录类型", "stage"),
    col("批次编码", "batch code"),
    col("日期", "date"),
    col("时间", "time"),
    col("危险废物名称", "waste name"),
    col("危险废物类别", "category"),
    col("危险废物代码", "code"),
    col("危险特性", "hazards"),
    col("数量（吨）", "quantity (t)"),
    col("原始数量及单位", "recorded quantity"),
    col("换算说明", "conversion"),
    col("容器/包装编码", "container code"),
    col("容器/包装类型", "container type"),
    col("容器/包装数量", "container count"),
    col("产生单位", "generator"),
    col("产生部门", "lab"),
    col("设施", "facility"),
    col("经办人", "handler"),
    col("前序批次编码", "previous batch"),
    col("去向/来源单位", "destination / source"),
    col("接收单位类型", "receiver type"),
    col("危险废物经营许可证编号", "licence number"),
    col("联单编号", "manifest number"),
    col("利用/处置方式", "method"),
    col("纸质联单补录", "back-filled from paper"),
    col("备注", "note"),
];

pub fn stage_zh(s: Stage) -> &'static str {
    match s {
        Stage::Generation => "产生",
        Stage::StorageIn => "入库",
        Stage::StorageOut => "出库",
        Stage::OwnUtilisation => "自行利用",
        Stage::OwnDisposal => "自行处置",
        Stage::OffsiteUtilisation => "委外利用",
        Stage::OffsiteDisposal => "委外处置",
    }
}

fn kind_zh(k: OrgKind) -> &'static str {
    match k {
        OrgKind::School => "学校（产生单位）",
        OrgKind::TransferStation => "收集单位（中转站）",
        OrgKind::DisposalFirm => "利用/处置单位",
        OrgKind::Carrier => "运输单位",
        OrgKind::Authority => "主管部门",
    }
}

/// `2 L; 0.5 kg`
pub fn original_text(a: &Amount) -> String {
    a.original
        .iter()
        .map(|o| {
            let unit = match o.unit {
                Unit::L => "L",
                Unit::Kg => "kg",
            };
            format!("{} {unit}", o.quantity)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The ledger as a table; times local to `zone` with their offset (`2026-12-07T07:30:00+08:00`).
pub fn ledger_table(zone: &waste_core::calendar::Zone, records: &[LedgerRecord]) -> Table {
    let rows = records
        .iter()
        .map(|r| {
            let receiver_kind = match r.stage {
                Stage::StorageOut | Stage::OffsiteUtilisation | Stage::OffsiteDisposal => {
                    r.counterparty.as_ref().map(|p| kind_zh(p.kind).to_owned())
                }
                Stage::Generation
                | Stage::StorageIn
                | Stage::OwnUtilisation
                | Stage::OwnDisposal => None,
            };
            vec![
                Cell::from(format!("{} {}", stage_zh(r.stage), r.stage.as_str())),
                r.batch_code.clone().into(),
                r.date.clone().into(),
                zone.rfc3339_stamp(&r.at).into(),
                r.waste.name.clone().into(),
                r.waste.category.clone().into(),
                r.waste.code.clone().into(),
                r.waste.hazards.join("/").into(),
                r.amount.tonnes.into(),
                original_text(&r.amount).into(),
                r.amount.conversion.clone().into(),
                r.digital_id
                    .clone()
                    .unwrap_or_else(|| r.container_id.clone())
                    .into(),
                r.container.material.clone().into(),
                r.container_count.into(),
                r.generator.clone().into(),
                r.lab.clone().into(),
                r.facility.clone().into(),
                r.handler.clone().into(),
                r.previous_batch.clone().into(),
                r.counterparty.as_ref().map(|p| p.name.clone()).into(),
                receiver_kind.into(),
                r.counterparty
                    .as_ref()
                    .and_then(|p| p.licence_number.clone())
                    .into(),
                r.manifest_number.clone().into(),
                r.method.clone().into(),
                (if r.back_filled { "是 yes" } else { "否 no" }).into(),
                r.note.clone().into(),
            ]
        })
        .collect();
    Table {
        name: "管理台账 ledger",
        columns: LEDGER_COLUMNS,
        rows,
    }
}

pub const BY_CODE_COLUMNS: &[Column] = &[
    col("危险废物代码", "code"),
    col("危险废物类别", "category"),
    col("产生量（吨）", "generated (t)"),
    col("年末贮存量（吨）", "in storage at year end (t)"),
    col("转移量（吨）", "shipped (t)"),
    col("委外利用量（吨）", "utilised off site (t)"),
    col("委外处置量（吨）", "disposed of off site (t)"),
];

pub const RECEIVER_COLUMNS: &[Column] = &[
    col("接收单位名称", "receiver"),
    col("接收单位类型", "receiver type"),
    col("危险废物经营许可证编号", "licence number"),
    col("容器/包装数量", "containers"),
    col("数量（吨）", "quantity (t)"),
];

pub const MANIFEST_COLUMNS: &[Column] = &[
    col("联单编号", "manifest number"),
    col("接收单位名称", "receiver"),
    col("危险废物经营许可证编号", "licence number"),
    col("出库日期", "dispatched on"),
    col("容器/包装数量", "containers"),
    col("数量（吨）", "quantity (t)"),
    col("纸质联单补录", "back-filled from paper"),
];

/// Which part of the annual report a CSV holds (an XLSX holds all three, one sheet each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnualPart {
    ByCode,
    Receivers,
    Manifests,
}

impl AnnualPart {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "by_code" => Some(Self::ByCode),
            "receivers" => Some(Self::Receivers),
            "manifests" => Some(Self::Manifests),
            _ => None,
        }
    }
}

pub fn annual_table(r: &AnnualReport, part: AnnualPart) -> Table {
    match part {
        AnnualPart::ByCode => Table {
            name: "按代码 by code",
            columns: BY_CODE_COLUMNS,
            rows: r
                .by_code
                .iter()
                .map(|t| {
                    vec![
                        t.code.clone().into(),
                        t.category.clone().into(),
                        t.generated_t.into(),
                        t.in_storage_at_year_end_t.into(),
                        t.shipped_t.into(),
                        t.utilised_t.into(),
                        t.disposed_t.into(),
                    ]
                })
                .collect(),
        },
        AnnualPart::Receivers => Table {
            name: "接收单位 receivers",
            columns: RECEIVER_COLUMNS,
            rows: r
                .receivers
                .iter()
                .map(|t| {
                    vec![
                        t.receiver.name.clone().into(),
                        kind_zh(t.receiver.kind).into(),
                        t.receiver.licence_number.clone().into(),
                        t.containers.into(),
                        t.tonnes.into(),
                    ]
                })
                .collect(),
        },
        AnnualPart::Manifests => Table {
            name: "联单 manifests",
            columns: MANIFEST_COLUMNS,
            rows: r
                .manifests
                .iter()
                .map(|m| {
                    vec![
                        m.number.clone().into(),
                        m.receiver.clone().into(),
                        m.receiver_licence_number.clone().into(),
                        m.dispatched_on.clone().into(),
                        m.containers.into(),
                        m.tonnes.into(),
                        (if m.back_filled { "是 yes" } else { "否 no" }).into(),
                    ]
                })
                .collect(),
        },
    }
}
