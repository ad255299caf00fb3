//! The state tables against the chains: what each chain says a container or manifest row should hold (`Facts`,
//! taken in event by event), and the comparison with the stored rows.

use crate::store::{same_amount, same_opt_amount};
use diesel::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What the state tables should hold for a container, as its chain tells.
#[derive(Debug, Default)]
pub(super) struct ContainerFacts {
    status: Option<&'static str>,
    /// The organisation that registered it (never changes: custody moves, ownership does not).
    org: Option<String>,
    additions: i64,
    filled: Option<String>,
    /// Each addition's quantity as its event gave it, by the addition's number (issue 29, item 8).
    quantities: Vec<(i64, String)>,
    /// The gross weight the station weighed at the last pickup.
    gross: Option<String>,
}

/// What the `users` row should hold, as the user's chain tells: the roles last given.
#[derive(Debug, Default)]
pub(super) struct UserFacts {
    roles: Option<Vec<String>>,
}

/// What the `contracts` row should hold, as the contract's chain tells.
#[derive(Debug, Default)]
pub(super) struct ContractFacts {
    valid_until: Option<String>,
}

/// One line of a manifest as its chain tells.
#[derive(Debug, Default, PartialEq)]
pub(super) struct LineFacts {
    code: String,
    shipped: String,
    received: Option<String>,
    accepted: Option<bool>,
}

/// What the state tables should hold for a manifest, as its chain tells.
#[derive(Debug, Default)]
pub(super) struct ManifestFacts {
    status: Option<String>,
    /// The disposal method, once known (`None` until the disposal is confirmed).
    method: Option<String>,
    number: Option<String>,
    parties: Option<[String; 3]>,
    lines: BTreeMap<String, LineFacts>,
}

#[derive(Debug)]
pub(super) enum Facts {
    Container(ContainerFacts),
    Manifest(ManifestFacts),
    User(UserFacts),
    Contract(ContractFacts),
    Other,
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

impl Facts {
    pub(super) fn start(aggregate: &str) -> Self {
        if aggregate.starts_with("container:") {
            Facts::Container(ContainerFacts::default())
        } else if aggregate.starts_with("manifest:") {
            Facts::Manifest(ManifestFacts::default())
        } else if aggregate.starts_with("user:") {
            Facts::User(UserFacts::default())
        } else if aggregate.starts_with("contract:") {
            Facts::Contract(ContractFacts::default())
        } else {
            Facts::Other
        }
    }

    /// Takes in one event of the chain (its payload parsed only for the kinds that change a state row).
    pub(super) fn observe(&mut self, kind: &str, payload: &str) {
        let parse = || serde_json::from_str::<Value>(payload).unwrap_or(Value::Null);
        match self {
            Facts::Container(c) => {
                let status = match kind {
                    "created" => Some("open"),
                    "sealed" => Some("sealed"),
                    "picked_up" => Some("picked_up"),
                    "dispatched" => Some("in_transit"),
                    "received" => Some("received"),
                    "returned" => Some("returned"),
                    "handed_back" => Some("sealed"),
                    "disposed" => Some("disposed"),
                    _ => None,
                };
                if status.is_some() {
                    c.status = status;
                }
                if kind == "created" {
                    c.org = text(&parse()["organization_id"]);
                }
                if kind == "addition" {
                    /// The one field an addition's payload gives the state check (read without building the
                    /// whole payload: additions are most of the log).
                    #[derive(serde::Deserialize)]
                    struct Addition {
                        filled_liters: Option<String>,
                        quantity: Option<String>,
                        seq: Option<i64>,
                    }
                    c.additions += 1;
                    let a = serde_json::from_str::<Addition>(payload).ok();
                    if let Some(Addition {
                        quantity: Some(q),
                        seq: Some(seq),
                        ..
                    }) = &a
                    {
                        c.quantities.push((*seq, q.clone()));
                    }
                    c.filled = a.and_then(|a| a.filled_liters);
                }
                if kind == "picked_up" {
                    c.gross = text(&parse()["gross_weight_kg"]);
                }
            }
            Facts::Manifest(m) => {
                let p = parse();
                match kind {
                    "drafted" | "back_filled" => {
                        m.number = text(&p["number"]);
                        m.parties = Some(
                            ["shipper_id", "carrier_id", "receiver_id"]
                                .map(|k| text(&p[k]).unwrap_or_default()),
                        );
                        m.status = if kind == "drafted" {
                            Some("draft".into())
                        } else {
                            text(&p["status"])
                        };
                        m.method = text(&p["method"]);
                        for l in p["lines"].as_array().into_iter().flatten() {
                            m.lines.insert(
                                text(&l["container_id"]).unwrap_or_default(),
                                LineFacts {
                                    code: text(&l["code"]).unwrap_or_default(),
                                    shipped: text(&l["shipped_weight_kg"]).unwrap_or_default(),
                                    received: text(&l["received_weight_kg"]),
                                    accepted: l["accepted"].as_bool(),
                                },
                            );
                        }
                    }
                    // A correction applied (Transfer Measures Art.29): the lines hold its new values from here on.
                    "revision_applied" => {
                        for c in p["changes"].as_array().into_iter().flatten() {
                            if c["field"] == "disposal_method" {
                                m.method = text(&c["new"]).or(m.method.take());
                                continue;
                            }
                            let id = text(&c["container_id"]).unwrap_or_default();
                            if let (Some(l), Some(new)) = (m.lines.get_mut(&id), text(&c["new"])) {
                                match c["field"].as_str() {
                                    Some("shipped_weight_kg") => l.shipped = new,
                                    Some("received_weight_kg") => l.received = Some(new),
                                    Some("code") => l.code = new,
                                    _ => {}
                                }
                            }
                        }
                    }
                    _ => {
                        if let Some(to) = text(&p["to"]) {
                            m.status = Some(to);
                        }
                        if let Some(n) = text(&p["number"]) {
                            m.number = Some(n);
                        }
                        if kind == "confirm-disposal" {
                            m.method = text(&p["method"]);
                        }
                        if kind == "receive" {
                            for l in p["lines"].as_array().into_iter().flatten() {
                                let id = text(&l["container_id"]).unwrap_or_default();
                                let line = m.lines.entry(id).or_default();
                                line.received = text(&l["received_weight_kg"]);
                                line.accepted = l["accepted"].as_bool();
                            }
                        }
                    }
                }
            }
            Facts::User(u) => {
                if matches!(kind, "user_created" | "user_changed") {
                    let p = parse();
                    if let Some(roles) = p["roles"].as_array() {
                        let mut r: Vec<String> = roles.iter().filter_map(text).collect();
                        r.sort();
                        u.roles = Some(r);
                    }
                }
            }
            Facts::Contract(c) => {
                if kind == "contract_recorded" {
                    c.valid_until = text(&parse()["valid_until"]);
                }
            }
            Facts::Other => {}
        }
    }
}

/// A state row that disagrees with its chain.
fn state_break(aggregate: &str, table: &str, field: &str, chain: Value, stored: Value) -> Value {
    json!({ "aggregate": aggregate, "kind": "state", "table": table, "field": field,
            "chain_says": chain, "stored": stored })
}
#[derive(Queryable)]
pub(super) struct ContainerState {
    pub(super) id: String,
    pub(super) status: String,
    pub(super) additions_count: i32,
    pub(super) filled_l: String,
    pub(super) organization_id: String,
}

#[derive(Queryable)]
pub(super) struct ManifestState {
    pub(super) id: String,
    pub(super) number: String,
    pub(super) status: String,
    pub(super) shipper_id: String,
    pub(super) carrier_id: String,
    pub(super) receiver_id: String,
    pub(super) disposal_method: Option<String>,
}

#[derive(Queryable)]
pub(super) struct LineState {
    pub(super) manifest_id: String,
    pub(super) container_id: String,
    pub(super) code: String,
    pub(super) shipped_weight_kg: String,
    pub(super) received_weight_kg: Option<String>,
    pub(super) accepted: Option<bool>,
}

/// An `additions` row as the audit reads it.
#[derive(Queryable)]
pub(super) struct AdditionState {
    pub(super) container_id: String,
    pub(super) seq: i32,
    pub(super) quantity: String,
}

/// A container's additions and pickup line against its chain: every addition the chain tells of has its row with
/// the quantity its event gave, no other row; the pickup line holds the weight the pickup's event gave.
pub(super) fn compare_container_rows(
    agg: &str,
    c: &ContainerFacts,
    additions: &[AdditionState],
    gross: Option<&String>,
) -> Option<Value> {
    let row_break = |table: &str, field: &str, seq: Option<i64>, chain: Value, stored: Value| {
        let mut b = state_break(agg, table, field, chain, stored);
        if let Some(seq) = seq {
            b["seq"] = json!(seq);
        }
        Some(b)
    };
    for a in additions {
        let seq = i64::from(a.seq);
        match c.quantities.iter().find(|(s, _)| *s == seq) {
            None if c.quantities.len() as i64 == c.additions => {
                return row_break("additions", "seq", Some(seq), Value::Null, json!(seq));
            }
            None => {}
            Some((_, q)) if !same_amount(q, &a.quantity) => {
                return row_break(
                    "additions",
                    "quantity",
                    Some(seq),
                    json!(q),
                    json!(a.quantity),
                );
            }
            Some(_) => {}
        }
    }
    if let Some((seq, _)) = c
        .quantities
        .iter()
        .find(|(s, _)| !additions.iter().any(|a| i64::from(a.seq) == *s))
    {
        return row_break("additions", "seq", Some(*seq), json!(seq), Value::Null);
    }
    if !same_opt_amount(&c.gross, &gross.cloned()) {
        return row_break(
            "pickup_lines",
            "gross_weight_kg",
            None,
            json!(c.gross),
            json!(gross),
        );
    }
    None
}

/// A user's roles against their chain (a user created before chains were kept has none to compare).
pub(super) fn compare_user(agg: &str, u: &UserFacts, roles: Option<&String>) -> Option<Value> {
    let chain = u.roles.as_ref()?;
    let Some(stored) = roles else {
        return Some(state_break(agg, "users", "id", json!(agg), Value::Null));
    };
    let mut s: Vec<String> = stored
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    s.sort();
    (&s != chain).then(|| state_break(agg, "users", "roles", json!(chain), json!(stored)))
}

/// A contract's end date against its chain.
pub(super) fn compare_contract(
    agg: &str,
    c: &ContractFacts,
    valid_until: Option<&String>,
) -> Option<Value> {
    let chain = c.valid_until.as_ref()?;
    let Some(stored) = valid_until else {
        return Some(state_break(agg, "contracts", "id", json!(agg), Value::Null));
    };
    (stored != chain)
        .then(|| state_break(agg, "contracts", "valid_until", json!(chain), json!(stored)))
}

pub(super) fn compare_container(
    agg: &str,
    c: &ContainerFacts,
    row: Option<&ContainerState>,
) -> Option<Value> {
    let Some(row) = row else {
        return Some(state_break(
            agg,
            "containers",
            "id",
            json!(agg),
            Value::Null,
        ));
    };
    if let Some(s) = c.status
        && s != row.status
    {
        return Some(state_break(
            agg,
            "containers",
            "status",
            json!(s),
            json!(row.status),
        ));
    }
    if let Some(org) = &c.org
        && org != &row.organization_id
    {
        return Some(state_break(
            agg,
            "containers",
            "organization_id",
            json!(org),
            json!(row.organization_id),
        ));
    }
    if c.additions != i64::from(row.additions_count) {
        return Some(state_break(
            agg,
            "containers",
            "additions_count",
            json!(c.additions),
            json!(row.additions_count),
        ));
    }
    if let Some(filled) = &c.filled
        && !same_amount(filled, &row.filled_l)
    {
        return Some(state_break(
            agg,
            "containers",
            "filled_l",
            json!(filled),
            json!(row.filled_l),
        ));
    }
    None
}

pub(super) fn compare_manifest(
    agg: &str,
    m: &ManifestFacts,
    row: Option<&ManifestState>,
    lines: &[LineState],
) -> Option<Value> {
    let Some(row) = row else {
        return Some(state_break(agg, "manifests", "id", json!(agg), Value::Null));
    };
    let fields = [
        ("status", m.status.as_deref(), row.status.as_str()),
        ("number", m.number.as_deref(), row.number.as_str()),
    ];
    for (field, chain, stored) in fields {
        if let Some(chain) = chain
            && chain != stored
        {
            return Some(state_break(
                agg,
                "manifests",
                field,
                json!(chain),
                json!(stored),
            ));
        }
    }
    // Known from the draft on (none) and from the disposal's confirmation (its method).
    if m.parties.is_some() && m.method != row.disposal_method {
        return Some(state_break(
            agg,
            "manifests",
            "disposal_method",
            json!(m.method),
            json!(row.disposal_method),
        ));
    }
    if let Some(parties) = &m.parties {
        let stored = [&row.shipper_id, &row.carrier_id, &row.receiver_id];
        for (i, field) in ["shipper_id", "carrier_id", "receiver_id"]
            .iter()
            .enumerate()
        {
            if &parties[i] != stored[i] {
                return Some(state_break(
                    agg,
                    "manifests",
                    field,
                    json!(parties[i]),
                    json!(stored[i]),
                ));
            }
        }
        // Lines are known from the draft (or the paper entry): the stored ones must be exactly these.
        let line_break = |cid: &str, field: &str, chain: Value, stored: Value| {
            let mut b = state_break(agg, "manifest_lines", field, chain, stored);
            b["container_id"] = json!(cid);
            Some(b)
        };
        for l in lines {
            let Some(f) = m.lines.get(&l.container_id) else {
                return line_break(
                    &l.container_id,
                    "container_id",
                    Value::Null,
                    json!(l.container_id),
                );
            };
            if f.code != l.code {
                return line_break(&l.container_id, "code", json!(f.code), json!(l.code));
            }
            if !same_amount(&f.shipped, &l.shipped_weight_kg) {
                return line_break(
                    &l.container_id,
                    "shipped_weight_kg",
                    json!(f.shipped),
                    json!(l.shipped_weight_kg),
                );
            }
            if !same_opt_amount(&f.received, &l.received_weight_kg) {
                return line_break(
                    &l.container_id,
                    "received_weight_kg",
                    json!(f.received),
                    json!(l.received_weight_kg),
                );
            }
            if f.accepted != l.accepted {
                return line_break(
                    &l.container_id,
                    "accepted",
                    json!(f.accepted),
                    json!(l.accepted),
                );
            }
        }
        if let Some(missing) = m
            .lines
            .keys()
            .find(|cid| !lines.iter().any(|l| &&l.container_id == cid))
        {
            return line_break(missing, "container_id", json!(missing), Value::Null);
        }
    }
    None
}
