//! `seed_scale DATABASE_URL [--schools 1000] [--containers 1000000] [--manifests 100000]`
//!
//! Seeds a large, realistic store directly (batched multi-row INSERTs in transactions): schools of one city, a
//! transfer station, a carrier, a licensed disposal firm, an education bureau, containers spread over two years,
//! manifests with one line each, and for each container and manifest the chain of custody events its state says it
//! went through (2–6 events each), with its chain head (anchored when `WASTE_AUDIT_KEY` is set), so that
//! `/audit/verify` finds the store intact. Users get known tokens for the read benchmark: `scale-staff` (school 0),
//! `scale-operator`, `scale-bureau`.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;
use waste_api::db::{self, write_tx};
use waste_core::custody;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn token_hash(t: &str) -> String {
    hex::encode(Sha256::digest(t.as_bytes()))
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Appends the chain of `steps` on `aggregate` to `evs` (event rows) and its head to `heads`; returns its length.
fn chain_rows(
    aggregate: &str,
    actor: &str,
    at: &str,
    steps: Vec<(&str, serde_json::Value)>,
    key: Option<&[u8]>,
    evs: &mut Vec<String>,
    heads: &mut Vec<String>,
) -> usize {
    let mut last: Option<custody::Event> = None;
    for (kind, payload) in steps {
        let e = custody::chain(
            last.as_ref(),
            custody::NewEvent {
                aggregate: aggregate.into(),
                kind: kind.into(),
                actor: actor.into(),
                at: at.into(),
                payload,
            },
        );
        let mut p = String::new();
        custody::canonical_json(&e.payload, &mut p);
        evs.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {})",
            q(&e.aggregate),
            e.seq,
            q(&e.kind),
            q(&e.actor),
            q(&e.at),
            q(&p),
            q(&e.prev_hash),
            q(&e.hash)
        ));
        last = Some(e);
    }
    let Some(e) = last else { return 0 };
    let head = custody::Head::after(&e);
    let anchor = key.map_or("NULL".to_owned(), |k| q(&head.anchor(k)));
    heads.push(format!(
        "({}, {}, {}, {anchor})",
        q(&head.aggregate),
        head.count,
        q(&head.last_hash)
    ));
    usize::try_from(e.seq).unwrap_or(0)
}

fn main() {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: seed_scale DATABASE_URL [--schools N] [--containers N] [--manifests N]");
        std::process::exit(2);
    };
    let (schools, containers, manifests) = (
        arg("--schools", 1000),
        arg("--containers", 1_000_000),
        arg("--manifests", 100_000),
    );
    let pool = db::connect(&url, 2).map(|d| d.pool).unwrap_or_else(|e| {
        eprintln!("seed_scale: {e}");
        std::process::exit(1)
    });
    let mut c = pool.get().expect("connection");
    let started = Instant::now();
    let now = "2026-11-28T00:00:00.000000Z";
    let today = time::OffsetDateTime::now_utc().date();
    let id = || uuid::Uuid::now_v7().to_string();
    let credit = |n: usize| {
        waste_core::party::credit_code_with_check(&format!("91220101MB{n:07}"))
            .expect("credit code")
    };

    let (bureau, station, carrier, firm) = (id(), id(), id(), id());
    let school_ids: Vec<String> = (0..schools).map(|_| id()).collect();
    let (staff, operator, bureau_user) = (id(), id(), id());
    let exec = |c: &mut db::AnyConnection, sql: &str| {
        c.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(200)]))
    };
    write_tx(&mut c, |c| {
        let mut orgs = vec![
            format!("({}, 'authority', '吉林省长春市教育局', {}, '220100', NULL, NULL, NULL, {})", q(&bureau), q(&credit(9_000_001)), q(now)),
            format!("({}, 'transfer_station', '长春中转站', {}, '220104', NULL, NULL, NULL, {})", q(&station), q(&credit(9_000_002)), q(now)),
            format!("({}, 'carrier', '危废运输', {}, '220104', NULL, NULL, NULL, {})", q(&carrier), q(&credit(9_000_003)), q(now)),
            format!("({}, 'disposal_firm', '处置公司', {}, '220112', 'JL-001', '[\"900-047-49\"]', '2099-12-31', {})", q(&firm), q(&credit(9_000_004)), q(now)),
        ];
        for (i, s) in school_ids.iter().enumerate() {
            orgs.push(format!("({}, 'school', 'school {i}', {}, '220102', NULL, NULL, NULL, {})", q(s), q(&credit(i)), q(now)));
        }
        for chunk in orgs.chunks(500) {
            exec(c, &format!("INSERT INTO organizations (id, kind, name, credit_code, region_code, license_number, license_waste_codes, license_valid_until, created_at) VALUES {}", chunk.join(",")));
        }
        exec(
            c,
            &format!(
                "INSERT INTO users (id, organization_id, name, roles, trained_until, token_hash, created_at) VALUES ({}, {}, 'staff', 'lab_staff,safety_officer', '2099-12-31', {}, {}), ({}, {}, 'operator', 'station_operator', '2099-12-31', {}, {}), ({}, {}, 'bureau', 'auditor', '2099-12-31', {}, {})",
                q(&staff), q(&school_ids[0]), q(&token_hash("scale-staff")), q(now),
                q(&operator), q(&station), q(&token_hash("scale-operator")), q(now),
                q(&bureau_user), q(&bureau), q(&token_hash("scale-bureau")), q(now)
            ),
        );
        // Recorded by an administrator: confirmed at once (issue 14 item 3); the firm's licence is its first version.
        exec(c, &format!("INSERT INTO contracts (id, shipper_id, disposal_firm_id, valid_from, valid_until, waste_codes, created_at, confirmed_by, confirmed_at) VALUES ({}, {}, {}, '2020-01-01', '2099-12-31', '[\"900-047-49\"]', {}, 'seed', {})", q(&id()), q(&station), q(&firm), q(now), q(now)));
        exec(c, &format!("INSERT INTO licences (id, organization_id, number, waste_codes, valid_from, valid_until, recorded_by, recorded_at) VALUES ({}, {}, 'JL-001', '[\"900-047-49\"]', NULL, '2099-12-31', 'seed', {})", q(&id()), q(&firm), q(now)));
        Ok::<_, diesel::result::Error>(())
    })
    .expect("parties");

    // Containers: school i owns every i-th; the first `manifests` are shipped and disposed, the rest mostly at
    // the school, open or sealed, started on a day of the last two years.
    let mut container_ids = Vec::with_capacity(containers);
    let mut done = 0;
    let key = std::env::var("WASTE_AUDIT_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    let key = key.as_deref().map(|k| k.trim().as_bytes());
    let mut events = 0usize;
    let insert = |c: &mut db::AnyConnection,
                  rows: &mut Vec<String>,
                  evs: &mut Vec<String>,
                  heads: &mut Vec<String>| {
        if !rows.is_empty() {
            exec(
                c,
                &format!(
                    "INSERT INTO containers (id, organization_id, lab, contact, capacity_l, material, status, stream, filled_l, holds_liquid, code, hazards, started_on, digital_id, additions_count, contents, created_by, created_at, sealed_at, custodian_id) VALUES {}",
                    rows.join(",")
                ),
            );
            exec(
                c,
                &format!(
                    "INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}",
                    evs.join(",")
                ),
            );
            exec(
                c,
                &format!(
                    "INSERT INTO chain_heads (aggregate, count, last_hash, anchor) VALUES {}",
                    heads.join(",")
                ),
            );
        }
        rows.clear();
        evs.clear();
        heads.clear();
    };
    while done < containers {
        let n = 5000.min(containers - done);
        write_tx(&mut c, |c| {
            let (mut rows, mut evs, mut heads) = (Vec::with_capacity(500), Vec::new(), Vec::new());
            for k in done..done + n {
                let cid = id();
                let school = &school_ids[k % schools];
                let shipped = k < manifests;
                let in_transit = shipped && k % 20 == 0;
                let status = if in_transit { "in_transit" } else if shipped { "disposed" } else if k % 3 == 0 { "open" } else { "sealed" };
                let custodian = if in_transit { &carrier } else if shipped { &firm } else { school };
                let started = today - time::Duration::days((k * 7919 % 730) as i64);
                rows.push(format!(
                    "({}, {}, 'B-{}', 'contact', '20', 'hdpe', '{status}', 'non_halogenated_organic', '5', TRUE, '900-047-49', 'T,I', '{started}', NULL, 1, '[\"67-64-1\"]', {}, {}, NULL, {})",
                    q(&cid), q(school), k % 50, q(&staff), q(now), q(custodian)
                ));
                let mut steps = vec![
                    ("created", json!({"lab": format!("B-{}", k % 50)})),
                    ("addition", json!({"seq": 1, "quantity": "5", "unit": "L", "litres": "5", "code": "900-047-49", "filled_liters": "5"})),
                ];
                if status != "open" {
                    steps.push(("sealed", json!({"filled_liters": "5", "code": "900-047-49"})));
                }
                if shipped {
                    steps.push(("dispatched", json!({"carrier_id": carrier})));
                }
                if shipped && !in_transit {
                    steps.push(("received", json!({"received_weight_kg": "6.2", "discrepancy": false})));
                    steps.push(("disposed", json!({"method": "D10"})));
                }
                events += chain_rows(&format!("container:{cid}"), &format!("user:{staff}"), now, steps, key, &mut evs, &mut heads);
                container_ids.push(cid);
                if rows.len() == 500 {
                    insert(c, &mut rows, &mut evs, &mut heads);
                }
            }
            insert(c, &mut rows, &mut evs, &mut heads);
            Ok::<_, diesel::result::Error>(())
        })
        .expect("containers");
        done += n;
    }
    eprintln!(
        "seed_scale: {} containers in {:.1} s",
        containers,
        started.elapsed().as_secs_f64()
    );

    let mut done = 0;
    while done < manifests {
        let n = 5000.min(manifests - done);
        write_tx(&mut c, |c| {
            let (mut ms, mut ls, mut evs, mut heads) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let flush = |c: &mut db::AnyConnection, ms: &mut Vec<String>, ls: &mut Vec<String>, evs: &mut Vec<String>, heads: &mut Vec<String>| {
                if !ms.is_empty() {
                    exec(c, &format!("INSERT INTO manifests (id, number, shipper_id, carrier_id, receiver_id, status, acceptance, version, created_by, created_at, dispatched_at) VALUES {}", ms.join(",")));
                    exec(c, &format!("INSERT INTO manifest_lines (manifest_id, container_id, code, shipped_weight_kg, received_weight_kg, accepted, reason, discrepancy) VALUES {}", ls.join(",")));
                    exec(c, &format!("INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}", evs.join(",")));
                    exec(c, &format!("INSERT INTO chain_heads (aggregate, count, last_hash, anchor) VALUES {}", heads.join(",")));
                }
                ms.clear();
                ls.clear();
                evs.clear();
                heads.clear();
            };
            for (k, container) in container_ids.iter().enumerate().skip(done).take(n) {
                let mid = id();
                let in_transit = k % 20 == 0;
                let status = if in_transit { "in_transit" } else { "disposed" };
                let number = format!("20262201{:06}", k + 1);
                ms.push(format!("({}, '{number}', {}, {}, {}, '{status}', 'accepted', 3, {}, {}, {})", q(&mid), q(&station), q(&carrier), q(&firm), q(&operator), q(now), q(now)));
                let received = if in_transit { "NULL, NULL" } else { "'6.2', TRUE" };
                ls.push(format!("({}, {}, '900-047-49', '6.2', {received}, NULL, FALSE)", q(&mid), q(container)));
                let mut steps = vec![
                    ("drafted", json!({"number": null, "shipper_id": station, "carrier_id": carrier, "receiver_id": firm,
                        "lines": [{"container_id": container, "code": "900-047-49", "shipped_weight_kg": "6.2"}]})),
                    ("submit", json!({"from": "draft", "to": "submitted", "number": number})),
                    ("dispatch", json!({"from": "submitted", "to": "in_transit"})),
                ];
                if !in_transit {
                    steps.push(("receive", json!({"from": "in_transit", "to": "received", "acceptance": "accepted",
                        "lines": [{"container_id": container, "accepted": true, "received_weight_kg": "6.2"}]})));
                    steps.push(("confirm-disposal", json!({"from": "received", "to": "disposed", "method": "D10"})));
                }
                events += chain_rows(&format!("manifest:{mid}"), &format!("user:{operator}"), now, steps, key, &mut evs, &mut heads);
                if ms.len() == 500 {
                    flush(c, &mut ms, &mut ls, &mut evs, &mut heads);
                }
            }
            flush(c, &mut ms, &mut ls, &mut evs, &mut heads);
            Ok::<_, diesel::result::Error>(())
        })
        .expect("manifests");
        done += n;
    }
    // The events were written behind the service: its log's head is sealed over them when it starts (issue 29,
    // item 8), as for a database just upgraded.
    diesel::sql_query("UPDATE log_head SET count = -1")
        .execute(&mut *c)
        .expect("log head");
    // Statistics for the planner; on PostgreSQL also the visibility map (what autovacuum would do shortly after a
    // bulk load), so counts can use index-only scans.
    let maintenance = match &mut *c {
        db::AnyConnection::Postgresql(_) => "VACUUM ANALYZE",
        db::AnyConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::sql_query(maintenance)
        .execute(&mut *c)
        .unwrap_or_else(|e| panic!("{maintenance}: {e}"));
    println!(
        "seed_scale: {schools} schools, {containers} containers, {manifests} manifests, {events} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
