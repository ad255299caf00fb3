//! What one container addition costs PostgreSQL: the statements it sends, counted with diesel's instrumentation
//! (each is a round trip), and how its long values are stored. The write transaction of an addition to a school's
//! container at no site is BEGIN, the id floor read (ids that never go backwards, issue 28), the container locked
//! and read with its chain's head and the school's quantity on hand, the four writes as one statement, the id floor
//! raised, the log's own head read and moved (issue 29), COMMIT: eight round trips, where it was four before those
//! two guards (a cost to measure and fold, not yet folded).

use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use waste_e2e::world::{self, add, container, cyanide};
use waste_e2e::{Backend, TestApp};

static RECORDING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn instrument() -> Option<Box<dyn diesel::connection::Instrumentation>> {
    Some(Box::new(
        |event: diesel::connection::InstrumentationEvent<'_>| {
            if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event
                && RECORDING.load(Ordering::SeqCst)
            {
                let sql = query.to_string();
                let sql = sql
                    .split(" -- binds")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                if let Ok(mut s) = STATEMENTS.lock() {
                    s.push(sql);
                }
            }
        },
    ))
}

/// The statements of the last write transaction recorded: from its BEGIN to its COMMIT.
fn last_transaction(all: &[String]) -> Vec<String> {
    let end = all.iter().rposition(|s| s == "COMMIT").expect("a COMMIT");
    let begin = all[..end]
        .iter()
        .rposition(|s| s.starts_with("BEGIN"))
        .expect("a BEGIN");
    all[begin..=end].to_vec()
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn an_addition_is_four_round_trips_on_postgres() {
    diesel::connection::set_default_instrumentation(instrument).expect("instrumentation");
    let app = TestApp::start(Backend::Postgres);
    let w = world::world(&app, 9100);
    let id = container(&app, &w.staff, "2000");
    // The first addition also draws the container's digital identification code; the second is the common case.
    assert_eq!(add(&app, &w.staff, &id, cyanide(), "0.01").0, 201);
    RECORDING.store(true, Ordering::SeqCst);
    let (status, body): (u16, Value) = add(&app, &w.staff, &id, cyanide(), "0.01");
    RECORDING.store(false, Ordering::SeqCst);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["additions_count"], 2);
    let all = STATEMENTS.lock().map(|s| s.clone()).unwrap_or_default();
    let tx = last_transaction(&all);
    eprintln!(
        "one addition, {} statements in all ({} in its write transaction):\n{}",
        all.len(),
        tx.len(),
        all.join("\n")
    );
    assert_eq!(tx.len(), 8, "{tx:#?}");
    assert!(tx[1].contains("FROM id_floor"), "{}", tx[1]);
    assert!(
        tx[2].contains("FOR UPDATE")
            && tx[2].contains("chain_heads")
            && tx[2].contains("others_on_hand"),
        "{}",
        tx[2]
    );
    assert!(
        tx[3].starts_with("WITH c AS (UPDATE containers"),
        "{}",
        tx[3]
    );
    assert!(tx[4].starts_with("INSERT INTO id_floor"), "{}", tx[4]);
    assert!(
        tx[5].contains("log_head") && tx[5].contains("FOR UPDATE"),
        "{}",
        tx[5]
    );
    assert!(tx[6].contains("UPDATE \"log_head\""), "{}", tx[6]);
}

/// An addition's decision (about 2 KB of JSON) takes its row past PostgreSQL's compression threshold: it is
/// stored compressed with lz4, not the slower default pglz (migration `addition_compression`).
#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn an_additions_decision_is_stored_compressed_with_lz4_on_postgres() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        method: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        length: i32,
    }
    let app = TestApp::start(Backend::Postgres);
    let w = world::world(&app, 9200);
    let id = container(&app, &w.staff, "2000");
    assert_eq!(add(&app, &w.staff, &id, cyanide(), "0.01").0, 201);
    let mut c = app.db();
    let stored: Stored = diesel::sql_query(
        "SELECT pg_column_compression(classification) AS method, length(classification) AS length \
         FROM additions WHERE container_id = $1",
    )
    .bind::<diesel::sql_types::Text, _>(&id)
    .get_result(&mut *c)
    .expect("the addition's row");
    assert!(stored.length > 1500, "{} characters", stored.length);
    assert_eq!(stored.method.as_deref(), Some("lz4"));
}
