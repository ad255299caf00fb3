//! SQLite's one write connection, with group commit: a thread of its own owns the connection and runs the
//! writes sent to it one after another; writes that arrive while a group is open join its transaction, each in a
//! savepoint of its own, and one `COMMIT` ends the group.
//!
//! Why: on SQLite one writer at a time is the design, and an addition spent about a third of its hold on its own
//! `COMMIT` (bench/RESULTS.md "What limits additions, measured"). Requests of one group touch mostly the same
//! pages (the right edge of each index, the same table leaves), so one `COMMIT` writes each page once for the
//! whole group. Why a thread: when each request ran its write on a blocking-pool thread of its own, taking turns
//! on a mutex, every write cost a thread switch and the holder could be descheduled while holding the
//! connection (on two cores, 16 requests in flight); the writer thread runs the queued writes back to back and
//! wakes each caller once, with its answer.
//!
//! The guarantees, each tested below:
//! - A request's answer is given only after the `COMMIT` that made its writes durable (`synchronous = NORMAL` in
//!   WAL mode: a process crash loses nothing committed; the crash test kills the server mid-load).
//! - A request whose closure fails (or panics) rolls back its own savepoint: nothing of it is kept, it is
//!   answered at once, and the other requests of its group commit normally.
//! - A failing `COMMIT` fails every request of its group that had succeeded, and none of their writes is kept.
//! - A group closes when no other write is waiting, or at `MAX_GROUP` requests, or `MAX_GROUP_AGE` after its
//!   first request was done, so no answer waits long for others.
//!
//! Inside a group, `db::write_tx` takes a savepoint instead of `BEGIN IMMEDIATE … COMMIT` (it asks `in_group`),
//! so use cases run unchanged on a `Tx` that is a savepoint.

use crate::conn::AnyConnection;
use crate::tx::control;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// At most this many requests share one transaction.
pub const MAX_GROUP: usize = 32;
/// A group takes no new request once its first request has waited this long for it to end.
pub const MAX_GROUP_AGE: Duration = Duration::from_millis(10);

pub use crate::tx::in_group;

/// What the write path costs, for /metrics and the load benchmark: how long writers queued for their
/// connection and how long they held it. On SQLite the hold time over wall time is how busy the one writer is,
/// which bounds the write rate.
#[derive(Debug, Default)]
pub struct WriteStats {
    writes: AtomicU64,
    wait_ns: AtomicU64,
    hold_ns: AtomicU64,
    /// Transactions ended: on SQLite one per group of writes, so writes / commits is the mean group size.
    commits: AtomicU64,
}

impl WriteStats {
    /// Writes run, seconds spent queued, seconds spent holding the connection.
    pub fn totals(&self) -> (u64, f64, f64) {
        let s = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e9;
        (
            self.writes.load(Ordering::Relaxed),
            s(&self.wait_ns),
            s(&self.hold_ns),
        )
    }

    /// Transactions ended (see `commits` above).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    pub(crate) fn record(&self, queued: Instant, started: Instant, released: Instant) {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.wait_ns
            .fetch_add(ns(started - queued), Ordering::Relaxed);
        self.hold_ns
            .fetch_add(ns(released - started), Ordering::Relaxed);
    }

    /// A transaction ended (committed, or rolled back as a whole): on SQLite the writer's group, whether or not
    /// any of its writes was kept.
    pub(crate) fn ended_transaction(&self) {
        self.commits.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a write gives back besides its result: when it was queued, when the writer started it and when it was
/// done with it.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub queued: Instant,
    pub started: Instant,
    pub released: Instant,
}

/// A write's outcome: `Err` when its closure panicked, with the panic's payload.
pub type Outcome<T, E> = std::thread::Result<Result<T, E>>;

/// Answers a write's caller once its group has ended, given the group's failure if it failed.
type Answer = Box<dyn FnOnce(Option<&str>, Held) + Send>;
/// A queued write: run on the connection (or told it cannot run), it says whether it succeeded and gives the
/// answer to send when its group ends.
type Job =
    Box<dyn FnOnce(Result<&mut AnyConnection, diesel::result::Error>) -> (bool, Answer) + Send>;

struct Queued {
    job: Job,
    queued: Instant,
}

/// The write connection's thread and its queue. Dropping the writer ends the thread once the queue is empty.
pub struct Writer {
    jobs: mpsc::Sender<Queued>,
    /// Writes sent and not started yet.
    queued: Arc<AtomicUsize>,
}

impl Writer {
    /// Starts the writer thread on `conn`; it counts each group's end in `stats`.
    pub fn new(conn: AnyConnection, stats: Arc<WriteStats>) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let waiting = queued.clone();
        std::thread::Builder::new()
            .name("waste-writer".into())
            .spawn(move || serve(conn, &rx, &waiting, &stats))?;
        Ok(Writer { jobs, queued })
    }

    /// Writes waiting for the connection now (tests use it to build a group).
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    /// Queues `f`; `reply` gets its outcome once its group has ended (at once if it failed).
    fn submit<T, E, F, R>(&self, f: F, reply: R)
    where
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        R: FnOnce(Outcome<T, E>, Held) + Send + 'static,
    {
        let job: Job = Box::new(move |conn| {
            let outcome: Outcome<T, E> = match conn {
                Err(e) => Ok(Err(E::from(e))),
                Ok(c) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(c))),
            };
            let ok = matches!(outcome, Ok(Ok(_)));
            let answer: Answer = Box::new(move |failure, held| {
                let outcome = match (outcome, failure) {
                    (Ok(Ok(_)), Some(msg)) => Ok(Err(E::from(group_failed(msg)))),
                    (o, _) => o,
                };
                reply(outcome, held);
            });
            (ok, answer)
        });
        self.queued.fetch_add(1, Ordering::SeqCst);
        let queued = Instant::now();
        if let Err(mpsc::SendError(q)) = self.jobs.send(Queued { job, queued }) {
            // The thread is gone (it never panics: every write runs under `catch_unwind`); say so.
            self.queued.fetch_sub(1, Ordering::SeqCst);
            let (_, answer) = (q.job)(Err(gone()));
            answer(None, now_held(queued));
        }
    }

    /// Runs `f` on the write connection and blocks until its group has ended. A panic in `f` resumes here.
    pub fn run<T, E, F>(&self, f: F) -> (Result<T, E>, Held)
    where
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        let queued = Instant::now();
        self.submit(f, move |o, h| {
            let _ = tx.send((o, h));
        });
        match rx.recv() {
            Ok((Ok(r), held)) => (r, held),
            Ok((Err(panic), _)) => std::panic::resume_unwind(panic),
            Err(_) => (Err(E::from(gone())), now_held(queued)),
        }
    }

    /// Runs `f` on the write connection; the future ends when its group has ended, without holding a thread
    /// meanwhile. A panic in `f` is an error here (no panic reaches a request's worker).
    pub async fn run_async<T, E, F>(&self, f: F) -> (Result<T, E>, Held)
    where
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let queued = Instant::now();
        self.submit(f, move |o, h| {
            let _ = tx.send((o, h));
        });
        match rx.await {
            Ok((Ok(r), held)) => (r, held),
            Ok((Err(panic), held)) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                (
                    Err(E::from(failed(format!("the write panicked: {what}")))),
                    held,
                )
            }
            Err(_) => (Err(E::from(gone())), now_held(queued)),
        }
    }
}

fn failed(msg: String) -> diesel::result::Error {
    diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::Unknown, Box::new(msg))
}

fn group_failed(msg: &str) -> diesel::result::Error {
    failed(format!("the group's commit failed: {msg}"))
}

fn gone() -> diesel::result::Error {
    failed("the write connection's thread is gone".into())
}

fn now_held(queued: Instant) -> Held {
    let now = Instant::now();
    Held {
        queued,
        started: now,
        released: now,
    }
}

/// A write of the open group that succeeded, waiting for the group's end to be answered.
struct Done {
    answer: Answer,
    held: Held,
}

/// The writer thread: one group after another, each opened by the first write that arrives.
fn serve(
    mut conn: AnyConnection,
    jobs: &mpsc::Receiver<Queued>,
    queued: &AtomicUsize,
    stats: &WriteStats,
) {
    crate::tx::enter_groups();
    while let Ok(first) = jobs.recv() {
        let mut next = Some(first);
        let mut open = false;
        let mut broken: Option<String> = None;
        let mut first_done: Option<Instant> = None;
        let mut done: Vec<Done> = Vec::new();
        while let Some(q) = next.take() {
            queued.fetch_sub(1, Ordering::SeqCst);
            let started = Instant::now();
            let held = || Held {
                queued: q.queued,
                started,
                released: Instant::now(),
            };
            if !open {
                if let Err(e) = control!(&mut conn, "BEGIN IMMEDIATE") {
                    let (_, answer) = (q.job)(Err(e));
                    answer(None, held());
                    next = jobs.try_recv().ok();
                    continue;
                }
                open = true;
            }
            match control!(&mut conn, "SAVEPOINT waste_request") {
                Err(e) => {
                    broken = Some(e.to_string());
                    let (_, answer) = (q.job)(Err(e));
                    answer(None, held());
                }
                Ok(()) => {
                    let (ok, answer) = (q.job)(Ok(&mut conn));
                    let undone = if ok {
                        Ok(())
                    } else {
                        control!(&mut conn, "ROLLBACK TO waste_request")
                    };
                    if let Err(e) =
                        undone.and_then(|()| control!(&mut conn, "RELEASE waste_request"))
                    {
                        // The transaction is gone (SQLite rolls a transaction back by itself on some errors):
                        // every request of the group so far is lost with it.
                        broken = Some(e.to_string());
                    }
                    if ok {
                        done.push(Done {
                            answer,
                            held: held(),
                        });
                    } else {
                        answer(None, held());
                    }
                }
            }
            // The group's age counts from when its first request was done: that one waits the longest.
            let age = first_done.get_or_insert_with(Instant::now).elapsed();
            let full = done.len() >= MAX_GROUP || age >= MAX_GROUP_AGE;
            if broken.is_none() && !full {
                next = jobs.try_recv().ok();
            }
        }
        if !open {
            continue;
        }
        let failure = match broken {
            Some(b) => {
                let _ = control!(&mut conn, "ROLLBACK");
                Some(b)
            }
            None => match control!(&mut conn, "COMMIT") {
                Ok(()) => None,
                Err(e) => {
                    // A COMMIT refused (a deferred constraint, a full disk) may leave the transaction open.
                    let _ = control!(&mut conn, "ROLLBACK");
                    Some(e.to_string())
                }
            },
        };
        // Counted before any answer goes out, so a caller that has its answer sees its group counted.
        stats.ended_transaction();
        let ended = Instant::now();
        let last = done.len().saturating_sub(1);
        for (i, d) in done.into_iter().enumerate() {
            let mut held = d.held;
            if i == last {
                held.released = ended;
            }
            (d.answer)(failure.as_deref(), held);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, Db};
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;

    fn sqlite(name: &str) -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "waste-group-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let db = db::connect(&format!("sqlite://{}/g.db", dir.display()), 2).expect("database");
        db.write(move |c| -> Result<(), crate::StoreError> {
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
                    let probe = db.clone();
                    s.spawn(move || {
                        if i > 0 {
                            // Queue behind the first, which is inside the group by now.
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        let r = db.write(move |c| -> Result<usize, crate::StoreError> {
                            if i == 0 {
                                let until = Instant::now() + Duration::from_secs(5);
                                while probe.writes_queued() < others && Instant::now() < until {
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

    /// A group whose every write was refused still began and ended a transaction: the count of transactions
    /// ended (/metrics, the load report's writes per commit) includes it.
    #[test]
    fn a_group_of_refused_writes_is_counted_as_ended() {
        let (db, dir) = sqlite("all-refused");
        let kept = grouped(
            &db,
            vec![Box::new(|c: &mut AnyConnection| insert(c, "a", None)) as W],
        );
        assert_eq!(kept, vec![Ok(true)]);
        let before = db.write_stats().commits();
        let writes: Vec<W> = (0..3)
            .map(|_| Box::new(|c: &mut AnyConnection| insert(c, "a", None)) as W)
            .collect();
        let results = grouped(&db, writes);
        assert!(results.iter().all(Result::is_err), "{results:?}");
        // A refused write is answered at once, before its group ends: wait for the end.
        let until = Instant::now() + Duration::from_secs(5);
        while db.write_stats().commits() == before && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(db.write_stats().commits() - before, 1, "one group, ended");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// An HTTP handler's write that panics answers with an error (no panic reaches the worker), keeps nothing,
    /// and the writer thread goes on with the next write.
    #[test]
    fn a_panicking_async_write_is_an_error_and_the_writer_goes_on() {
        let (db, dir) = sqlite("panic");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let r: Result<usize, crate::StoreError> = rt.block_on(db.write_async(|c| {
            insert(c, "lost", None)?;
            panic!("a bug inside a write")
        }));
        let e = r.expect_err("an error, not a panic");
        assert!(matches!(e, crate::StoreError::Internal(_)), "{e:?}");
        assert!(!committed(&db, "lost"));
        let r: Result<usize, crate::StoreError> =
            rt.block_on(db.write_async(|c| Ok(db::write_tx(c, |c| insert(c, "next", None))?)));
        assert_eq!(r.ok(), Some(1));
        assert!(committed(&db, "next"));
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
        let r: Result<usize, crate::StoreError> =
            db.write(move |c| Ok(db::write_tx(c, |c| insert(c, "after", None))?));
        assert_eq!(r.ok(), Some(1));
        assert!(committed(&db, "after"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
