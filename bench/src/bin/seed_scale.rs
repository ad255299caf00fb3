//! `seed_scale DATABASE_URL [--schools 1000] [--containers 1000000] [--manifests 100000]`
//!
//! Seeds a large, realistic store directly (batched multi-row INSERTs in transactions): schools of one city, a
//! transfer station, a carrier, a licensed disposal firm, an education bureau, containers spread over two years,
//! manifests with one line each, and one correctly chained custody event per container and per manifest. Users
//! get known tokens for the read benchmark: `scale-staff` (school 0), `scale-operator`, `scale-bureau`.

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
    while done < containers {
        let n = 5000.min(containers - done);
        write_tx(&mut c, |c| {
            let mut rows = Vec::with_capacity(500);
            let mut evs = Vec::with_capacity(500);
            for k in done..done + n {
                let cid = id();
                let school = &school_ids[k % schools];
                let shipped = k < manifests;
                let status = if shipped { "disposed" } else if k % 3 == 0 { "open" } else { "sealed" };
                let custodian = if shipped { &firm } else { school };
                let started = today - time::Duration::days((k * 7919 % 730) as i64);
                rows.push(format!(
                    "({}, {}, 'B-{}', 'contact', '20', 'hdpe', '{status}', 'non_halogenated_organic', '5', TRUE, '900-047-49', 'T,I', '{started}', NULL, 1, '[\"67-64-1\"]', {}, {}, NULL, {})",
                    q(&cid), q(school), k % 50, q(&staff), q(now), q(custodian)
                ));
                let e = custody::chain(None, custody::NewEvent { aggregate: format!("container:{cid}"), kind: "created".into(), actor: format!("user:{staff}"), at: now.into(), payload: json!({"lab": format!("B-{}", k % 50)}) });
                let mut p = String::new();
                custody::canonical_json(&e.payload, &mut p);
                evs.push(format!("({}, 1, 'created', {}, {}, {}, {}, {})", q(&e.aggregate), q(&e.actor), q(&e.at), q(&p), q(&e.prev_hash), q(&e.hash)));
                container_ids.push(cid);
                if rows.len() == 500 {
                    exec(c, &format!("INSERT INTO containers (id, organization_id, lab, contact, capacity_l, material, status, stream, filled_l, holds_liquid, code, hazards, started_on, digital_id, additions_count, contents, created_by, created_at, sealed_at, custodian_id) VALUES {}", rows.join(",")));
                    exec(c, &format!("INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}", evs.join(",")));
                    rows.clear();
                    evs.clear();
                }
            }
            if !rows.is_empty() {
                exec(c, &format!("INSERT INTO containers (id, organization_id, lab, contact, capacity_l, material, status, stream, filled_l, holds_liquid, code, hazards, started_on, digital_id, additions_count, contents, created_by, created_at, sealed_at, custodian_id) VALUES {}", rows.join(",")));
                exec(c, &format!("INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}", evs.join(",")));
            }
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
            let (mut ms, mut ls, mut evs) = (Vec::new(), Vec::new(), Vec::new());
            for (k, container) in container_ids.iter().enumerate().skip(done).take(n) {
                let mid = id();
                let status = if k % 20 == 0 { "in_transit" } else { "disposed" };
                ms.push(format!("({}, '20262201{:06}', {}, {}, {}, '{status}', 'accepted', 3, {}, {}, {})", q(&mid), k + 1, q(&station), q(&carrier), q(&firm), q(&operator), q(now), q(now)));
                ls.push(format!("({}, {}, '900-047-49', '6.2', '6.2', TRUE, NULL, FALSE)", q(&mid), q(container)));
                let e = custody::chain(None, custody::NewEvent { aggregate: format!("manifest:{mid}"), kind: "drafted".into(), actor: format!("user:{operator}"), at: now.into(), payload: json!({"number": format!("20262201{:06}", k + 1)}) });
                let mut p = String::new();
                custody::canonical_json(&e.payload, &mut p);
                evs.push(format!("({}, 1, 'drafted', {}, {}, {}, {}, {})", q(&e.aggregate), q(&e.actor), q(&e.at), q(&p), q(&e.prev_hash), q(&e.hash)));
                if ms.len() == 500 {
                    exec(c, &format!("INSERT INTO manifests (id, number, shipper_id, carrier_id, receiver_id, status, acceptance, version, created_by, created_at, dispatched_at) VALUES {}", ms.join(",")));
                    exec(c, &format!("INSERT INTO manifest_lines (manifest_id, container_id, code, shipped_weight_kg, received_weight_kg, accepted, reason, discrepancy) VALUES {}", ls.join(",")));
                    exec(c, &format!("INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}", evs.join(",")));
                    ms.clear();
                    ls.clear();
                    evs.clear();
                }
            }
            if !ms.is_empty() {
                exec(c, &format!("INSERT INTO manifests (id, number, shipper_id, carrier_id, receiver_id, status, acceptance, version, created_by, created_at, dispatched_at) VALUES {}", ms.join(",")));
                exec(c, &format!("INSERT INTO manifest_lines (manifest_id, container_id, code, shipped_weight_kg, received_weight_kg, accepted, reason, discrepancy) VALUES {}", ls.join(",")));
                exec(c, &format!("INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) VALUES {}", evs.join(",")));
            }
            Ok::<_, diesel::result::Error>(())
        })
        .expect("manifests");
        done += n;
    }
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
        "seed_scale: {schools} schools, {containers} containers, {manifests} manifests, {} events in {:.1} s",
        containers + manifests,
        started.elapsed().as_secs_f64()
    );
}
