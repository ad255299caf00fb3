//! SQLite's one write connection, with group commit: writes that wait for the connection while another runs join
//! its transaction, each inside a savepoint of its own, and one `COMMIT` ends the group.
//!
//! Why: on SQLite one writer at a time is the design, and an addition spent about a third of its hold on its own
//! `COMMIT` (writing the WAL frames of the pages it touched; bench/RESULTS.md "What limits additions, measured").
//! Requests of one group touch mostly the same pages (the right edge of each index, the same table leaves), so
//! one `COMMIT` writes each page once for the whole group, and the transaction's snapshot is taken once.
//!
//! The guarantees, each tested below:
//! - A request's answer is given only after the `COMMIT` that made its writes durable (`synchronous = NORMAL` in
//!   WAL mode: a process crash loses nothing committed; the crash test kills the server mid-load).
//! - A request whose closure fails (or panics) rolls back its own savepoint: nothing of it is kept, and the other
//!   requests of its group commit normally.
//! - A failing `COMMIT` fails every request of its group that had succeeded, and none of their writes is kept.
//! - A group closes when no other write is waiting, or at `MAX_GROUP` requests, or `MAX_GROUP_AGE` after its
//!   first request was done, so no answer waits long for others.
//!
//! Inside a group, `db::write_tx` takes a savepoint instead of `BEGIN IMMEDIATE … COMMIT` (it asks `in_group`),
//! so use cases run unchanged on a `Tx` that is a savepoint.

use crate::db::AnyConnection;
use diesel::connection::SimpleConnection;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// At most this many requests share one transaction.
pub const MAX_GROUP: usize = 32;
/// A group takes no new request once its first request has waited this long for it to end.
pub const MAX_GROUP_AGE: Duration = Duration::from_millis(10);

thread_local! {
    /// Whether this thread runs a request inside an open group (`write_tx` then takes a savepoint).
    static IN_GROUP: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread is running a write inside a group's transaction.
pub fn in_group() -> bool {
    IN_GROUP.with(Cell::get)
}

/// Sets `IN_GROUP` for as long as it lives, also when the closure panics.
struct InGroup;

impl InGroup {
    fn enter() -> Self {
        IN_GROUP.with(|g| g.set(true));
        InGroup
    }
}

impl Drop for InGroup {
    fn drop(&mut self) {
        IN_GROUP.with(|g| g.set(false));
    }
}

struct Group {
    id: u64,
    members: usize,
    opened: Instant,
}

struct Slot {
    conn: AnyConnection,
    open: Option<Group>,
    last_id: u64,
}

/// How the groups ended: every group up to `settled` has ended; the failed ones with their error.
#[derive(Default)]
struct Outcomes {
    settled: u64,
    failed: BTreeMap<u64, String>,
}

/// The write connection and its group.
pub struct Writer {
    slot: Mutex<Slot>,
    /// Writes that asked for the connection and do not have it yet.
    queued: AtomicUsize,
    outcomes: Mutex<Outcomes>,
    ended: Condvar,
}

/// What a write gives back besides its result: when it got the connection and when it let it go.
pub struct Held {
    pub queued: Instant,
    pub started: Instant,
    pub released: Instant,
    /// Whether this write ended its group with a `COMMIT` (or a rollback of a broken group).
    pub ended_group: bool,
}

impl Writer {
    pub fn new(conn: AnyConnection) -> Self {
        Writer {
            slot: Mutex::new(Slot {
                conn,
                open: None,
                last_id: 0,
            }),
            queued: AtomicUsize::new(0),
            outcomes: Mutex::default(),
            ended: Condvar::new(),
        }
    }

    /// Writes waiting for the connection now (tests use it to build a group).
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|poisoned| {
            // Nothing panics while holding the slot outside `catch_unwind`; should it, the transaction it had
            // open is ended and its group failed, so no waiter hangs.
            let mut slot = poisoned.into_inner();
            self.slot.clear_poison();
            if let Some(g) = slot.open.take() {
                let _ = slot.conn.batch_execute("ROLLBACK");
                self.settle(g.id, Some("the write connection was poisoned".into()));
            }
            slot
        })
    }

    fn settle(&self, id: u64, failure: Option<String>) {
        let mut o = self
            .outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        o.settled = o.settled.max(id);
        if let Some(f) = failure {
            o.failed.insert(id, f);
        }
        // Keep the failures of the last 1024 groups: a waiter reads its own within microseconds.
        let keep = o.settled.saturating_sub(1024);
        o.failed.retain(|g, _| *g > keep);
        drop(o);
        self.ended.notify_all();
    }

    /// Ends the open group: `COMMIT`, or `ROLLBACK` when its transaction is already broken (`broken`).
    fn end(&self, slot: &mut Slot, broken: Option<String>) -> Option<String> {
        let Some(g) = slot.open.take() else {
            return broken;
        };
        let failure = match broken {
            Some(b) => {
                let _ = slot.conn.batch_execute("ROLLBACK");
                Some(b)
            }
            None => match slot.conn.batch_execute("COMMIT") {
                Ok(()) => None,
                Err(e) => {
                    // A COMMIT refused (a deferred constraint, a full disk) may leave the transaction open.
                    let _ = slot.conn.batch_execute("ROLLBACK");
                    Some(e.to_string())
                }
            },
        };
        self.settle(g.id, failure.clone());
        failure
    }

    /// Blocks until group `id` has ended; its failure, if it failed.
    fn wait(&self, id: u64) -> Option<String> {
        let mut o = self
            .outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while o.settled < id {
            o = self
                .ended
                .wait(o)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        o.failed.get(&id).cloned()
    }

    /// Runs `f` on the write connection inside a group's transaction, in a savepoint of its own; returns once the
    /// group has committed (or at once when `f` failed: nothing of it is kept either way).
    pub fn run<T, E, F>(&self, f: F) -> (Result<T, E>, Held)
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        let queued = Instant::now();
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let started = Instant::now();
        let held = |released, ended_group| Held {
            queued,
            started,
            released,
            ended_group,
        };
        let s: &mut Slot = &mut slot;
        let id = match s.open.as_mut() {
            Some(g) => {
                g.members += 1;
                g.id
            }
            None => {
                if let Err(e) = s.conn.batch_execute("BEGIN IMMEDIATE") {
                    return (Err(e.into()), held(Instant::now(), false));
                }
                s.last_id += 1;
                s.open = Some(Group {
                    id: s.last_id,
                    members: 1,
                    opened: started,
                });
                s.last_id
            }
        };
        let mut broken = None;
        let outcome = match s.conn.batch_execute("SAVEPOINT waste_request") {
            Err(e) => {
                broken = Some(e.to_string());
                Ok(Err(E::from(e)))
            }
            Ok(()) => {
                let r = {
                    let _g = InGroup::enter();
                    let conn = &mut s.conn;
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)))
                };
                let end = match &r {
                    Ok(Ok(_)) => "RELEASE waste_request",
                    _ => "ROLLBACK TO waste_request; RELEASE waste_request",
                };
                if let Err(e) = s.conn.batch_execute(end) {
                    // The transaction is gone (SQLite rolls a transaction back by itself on some errors): every
                    // request of the group so far is lost with it.
                    broken = Some(e.to_string());
                }
                r
            }
        };
        if let Some(g) = s.open.as_mut()
            && g.members == 1
        {
            // The group's age counts from when its first request was done: that one waits the longest.
            g.opened = Instant::now();
        }
        let succeeded = matches!(outcome, Ok(Ok(_)));
        let close = broken.is_some()
            || self.queued.load(Ordering::SeqCst) == 0
            || s.open
                .as_ref()
                .is_some_and(|g| g.members >= MAX_GROUP || g.opened.elapsed() >= MAX_GROUP_AGE);
        let failure = if close { self.end(s, broken) } else { None };
        drop(slot);
        let released = Instant::now();
        let failure = match (close, succeeded) {
            (true, _) => failure,
            // Another request of the group will end it; a success is answered only after its COMMIT.
            (false, true) => self.wait(id),
            (false, false) => None,
        };
        let result = match outcome {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(Ok(v)) => match failure {
                None => Ok(v),
                Some(msg) => Err(E::from(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::Unknown,
                    Box::new(format!("the group's commit failed: {msg}")),
                ))),
            },
            Ok(Err(e)) => Err(e),
        };
        (result, held(released, close))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, Db};
    use diesel::RunQueryDsl;

    fn sqlite(name: &str) -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "waste-group-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let db = db::connect(&format!("sqlite://{}/g.db", dir.display()), 2).expect("database");
        db.write(|c| -> Result<(), crate::error::ApiError> {
            c.batch_execute(
                "CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL);
                 CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL,
                     parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
            )?;
            Ok(())
        })
        .expect("tables");
        (db, dir)
    }

    fn insert(c: &mut AnyConnection, id: &str, parent: Option<&str>) -> diesel::QueryResult<usize> {
        let p = parent.map_or("NULL".to_owned(), |p| format!("'{p}'"));
        diesel::sql_query(format!(
            "INSERT INTO child (id, parent) VALUES ('{id}', {p})"
        ))
        .execute(c)
    }

    /// Whether a row is there, read on a pooled connection (what another request would see).
    fn committed(db: &Db, id: &str) -> bool {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut c = db.pool.get().expect("reader");
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM child WHERE id = '{id}'"))
            .get_result::<N>(&mut *c)
            .map(|r| r.n == 1)
            .expect("count")
    }

    /// Runs `writes` on their own threads as one group: the first holds the connection until the others queue.
    type W = Box<dyn FnOnce(&mut AnyConnection) -> diesel::QueryResult<usize> + Send>;

    fn grouped(db: &Db, writes: Vec<W>) -> Vec<Result<bool, String>> {
        let others = writes.len() - 1;
        std::thread::scope(|s| {
            let hs: Vec<_> = writes
                .into_iter()
                .enumerate()
                .map(|(i, w)| {
                    let db = db.clone();
                    s.spawn(move || {
                        if i > 0 {
                            // Queue behind the first, which is inside the group by now.
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        let r = db.write(|c| -> Result<usize, crate::error::ApiError> {
                            if i == 0 {
                                let until = Instant::now() + Duration::from_secs(5);
                                while db.writes_queued() < others && Instant::now() < until {
                                    std::thread::sleep(Duration::from_millis(1));
                                }
                            }
                            Ok(db::write_tx(c, w)?)
                        });
                        // When the answer is given, what it wrote is visible to everyone.
                        r.map(|_| true).map_err(|e| e.to_string())
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        })
    }

    #[test]
    fn queued_writes_share_one_commit_and_are_answered_after_it() {
        let (db, dir) = sqlite("share");
        let before = db.write_stats().commits();
        let writes: Vec<W> = (0..6)
            .map(|i| Box::new(move |c: &mut AnyConnection| insert(c, &format!("r{i}"), None)) as W)
            .collect();
        let results = grouped(&db, writes);
        assert!(results.iter().all(|r| r == &Ok(true)), "{results:?}");
        assert_eq!(
            db.write_stats().commits() - before,
            1,
            "six writes, one COMMIT"
        );
        for i in 0..6 {
            assert!(committed(&db, &format!("r{i}")));
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_refused_write_in_a_group_leaves_nothing_and_the_others_commit() {
        let (db, dir) = sqlite("refused");
        let writes: Vec<W> = vec![
            Box::new(|c: &mut AnyConnection| insert(c, "a", None)) as W,
            // Writes a row, then fails on a duplicate key: its first row must go too.
            Box::new(|c: &mut AnyConnection| {
                insert(c, "b", None)?;
                insert(c, "a", None)
            }) as W,
            Box::new(|c: &mut AnyConnection| insert(c, "c", None)) as W,
        ];
        let results = grouped(&db, writes);
        assert_eq!(results[0], Ok(true));
        assert!(results[1].is_err(), "{results:?}");
        assert_eq!(results[2], Ok(true));
        assert!(committed(&db, "a") && committed(&db, "c"));
        assert!(
            !committed(&db, "b"),
            "the refused request's own first row is rolled back"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_failing_commit_fails_every_request_of_the_group() {
        let (db, dir) = sqlite("commit");
        // The second request breaks a deferred foreign key: only the COMMIT finds it.
        let writes: Vec<W> = vec![
            Box::new(|c: &mut AnyConnection| insert(c, "x", None)) as W,
            Box::new(|c: &mut AnyConnection| insert(c, "y", Some("nobody"))) as W,
            Box::new(|c: &mut AnyConnection| insert(c, "z", None)) as W,
        ];
        let results = grouped(&db, writes);
        assert!(results.iter().all(Result::is_err), "{results:?}");
        for id in ["x", "y", "z"] {
            assert!(!committed(&db, id), "{id}");
        }
        // The connection is usable again, in a new group.
        let r: Result<usize, crate::error::ApiError> =
            db.write(|c| Ok(db::write_tx(c, |c| insert(c, "after", None))?));
        assert_eq!(r.ok(), Some(1));
        assert!(committed(&db, "after"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
