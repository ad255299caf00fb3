//! The use cases, one function each, called by every front door (the JSON API, the web pages).
//!
//! A writing use case has the shape `fn(tx: &mut Tx, env: &Env, actor: &Actor, command) -> Result<Outcome,
//! AppError>`: it runs inside the one write transaction `tx` (open one with `store::write_tx`, or through
//! `body::idempotent` for a creating POST), asks `waste-core` for every decision and the store for every row,
//! and returns a typed outcome or a refusal. A reading use case takes a plain connection. No HTTP types here.

pub mod admin;
pub mod attempts;
pub mod audit;
pub mod chain;
mod container_state;
pub mod containers;
pub mod coverage;
mod error;
mod manifest_commands;
pub mod manifests;
pub mod oversight;
pub mod paper;
pub mod parties;
pub mod passwords;
pub mod pickup_requests;
pub mod pickups;
pub mod pin;
pub mod records;
pub mod returns;
pub mod revisions;
pub mod road_links;
pub mod serials;
pub mod shelf;
pub mod sites;
pub mod webhooks;
pub mod weighings;

pub use error::AppError;

// The store's modules under the paths the use cases name them by (`crate::store::…`, `crate::db::…`).
use waste_store::{db, ids, store};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::{Date, OffsetDateTime};
use waste_core::Standards;
use waste_core::access::{self, Action};
use waste_core::calendar::Zone;
use waste_core::party::{OrgKind, Role};

/// What every use case needs besides the database: the rules and the clock.
#[derive(Clone)]
pub struct Env {
    pub std: &'static Standards,
    pub clock: Clock,
    /// Open manifest drafts an organisation may hold (`WASTE_MAX_OPEN_DRAFTS`).
    pub max_open_drafts: u32,
    /// The training dates accepted (`WASTE_TRAINING_EARLIEST`, `_LATEST`, `_YEARS_AHEAD`).
    pub training: waste_core::party::TrainingBounds,
    /// Serials an organisation may spend on manifests cancelled before dispatch (`WASTE_MAX_CANCELLED_SERIALS`).
    pub max_cancelled_serials: u32,
}

/// The service's clock: the system's, moved by an offset that tests set (`Running::clock`), so that a storage
/// deadline is reached by moving time rather than by back-dating rows; and the deployment's time zone
/// (`WASTE_TIME_ZONE`), in which every date the rules read is taken (`waste_core::calendar`).
#[derive(Clone, Default)]
pub struct Clock {
    offset_s: Arc<AtomicI64>,
    zone: Zone,
}

impl Clock {
    /// The clock of a deployment in `zone`.
    pub fn in_zone(zone: Zone) -> Clock {
        Clock {
            offset_s: Arc::default(),
            zone,
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset_s.load(Ordering::Relaxed))
    }

    /// Today's local date: the date the rules read (generation dates, storage clocks, batch codes, reports).
    pub fn today(&self) -> Date {
        self.zone.date_of(self.now())
    }

    /// The deployment's time zone: local dates of stored instants, and times as people read them.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The local date of a stored instant (RFC 3339); None when the text is not one.
    pub fn date_of_stamp(&self, stamp: &str) -> Option<Date> {
        OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| self.zone.date_of(t))
    }

    /// Now as stored: RFC 3339 UTC with microseconds.
    pub fn stamp(&self) -> String {
        waste_core::custody::format_at(self.now())
    }

    /// A new record id (UUID v7) at this clock's reading, never below an id issued before (`crate::ids`).
    pub fn new_id(&self) -> String {
        crate::ids::new_id_at(self.now())
    }

    /// Moves the clock by `by` (tests).
    pub fn advance(&self, by: time::Duration) {
        self.offset_s
            .fetch_add(by.whole_seconds(), Ordering::Relaxed);
    }

    /// Sets the clock to `at` (tests: 07:30 and 23:30 local time).
    pub fn set(&self, at: OffsetDateTime) {
        // Whole seconds, rounded up: the clock then reads `at` or up to a second after it, never before.
        let d = at - OffsetDateTime::now_utc();
        let by = d.whole_seconds() + i64::from(d.subsec_nanoseconds() > 0);
        self.offset_s.store(by, Ordering::Relaxed);
    }
}

/// The user a use case acts for, and the organisation they act for. Built from a bearer token by the JSON API
/// or from a session's user id by the web pages (`store::users::actor`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_kind: OrgKind,
    pub roles: Vec<Role>,
    pub trained_until: Option<Date>,
}

impl From<crate::store::users::ActorRecord> for Actor {
    fn from(r: crate::store::users::ActorRecord) -> Self {
        Actor {
            id: r.id,
            name: r.name,
            org_id: r.org_id,
            org_kind: r.org_kind,
            roles: r.roles,
            trained_until: r.trained_until,
        }
    }
}

impl Actor {
    pub fn has(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// The one access table (`waste_core::access`).
    pub fn may(&self, action: Action) -> Result<(), AppError> {
        Ok(access::permits(&self.roles, self.org_kind, action)?)
    }

    /// The governance plan: 100% trained before work (`access::trained_on`).
    pub fn require_training(&self, today: Date) -> Result<(), AppError> {
        if access::trained_on(self.trained_until, today) {
            Ok(())
        } else {
            Err(AppError::TrainingExpired)
        }
    }

    /// The access table on `today`: its row for the actor's roles and kind, then its training column
    /// (`access::training_required`). What a page offers and what a use case accepts both ask this.
    pub fn may_on(&self, action: Action, today: Date) -> Result<(), AppError> {
        self.may(action)?;
        if access::training_required(action, &self.roles) {
            self.require_training(today)?;
        }
        Ok(())
    }

    /// Whose records the actor reads (the access table): an administrator every organisation's, an authority's
    /// auditor those of its division (`party::division_prefix` of its region), anyone else their own.
    pub fn scope(
        &self,
        conn: &mut crate::db::AnyConnection,
    ) -> Result<crate::store::Scope, AppError> {
        use crate::store::Scope;
        if self.may(Action::SeeAll).is_ok() {
            return Ok(Scope::All);
        }
        if self.may(Action::ReadDivision).is_ok() {
            let region = crate::store::organizations::region(conn, &self.org_id)?;
            return Ok(Scope::Division(waste_core::party::division_prefix(&region)));
        }
        Ok(Scope::Org(self.org_id.clone()))
    }

    /// How the custody chain names this actor.
    pub fn actor(&self) -> String {
        format!("user:{}", self.id)
    }
}

/// Appends one custody event of `aggregate` (`kind:id`) in the caller's transaction, by `actor`, at `at`.
pub(crate) fn event(
    tx: &mut store::Tx,
    aggregate: String,
    kind: &str,
    actor: &Actor,
    at: &str,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    store::events::append(
        tx,
        store::events::Record {
            aggregate,
            kind,
            actor: actor.actor(),
            at: at.to_owned(),
            payload,
        },
    )?;
    Ok(())
}

/// The organisation `id` exists and is of `kind`: else 404 naming `what`, or 422 on `field`.
pub(crate) fn expect_kind(
    conn: &mut db::AnyConnection,
    id: &str,
    kind: OrgKind,
    field: &'static str,
    what: &'static str,
) -> Result<(), AppError> {
    match store::organizations::summary(conn, id) {
        Ok(s) if s.kind == kind => Ok(()),
        Ok(_) => Err(AppError::invalid(
            field,
            format!("must be a {}", kind.as_str().replace('_', " ")),
        )),
        Err(waste_store::StoreError::NotFound(_)) => Err(AppError::NotFound(what)),
        Err(e) => Err(e.into()),
    }
}

/// A weight in kg as a form or a JSON body gives it: above 0 and at most 10 000 kg.
pub fn kg(field: &str, s: &str) -> Result<rust_decimal::Decimal, AppError> {
    let d: rust_decimal::Decimal = s
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("'{s}' is not a decimal number of kg")))?;
    if d <= rust_decimal::Decimal::ZERO || d > rust_decimal::Decimal::from(10_000) {
        return Err(AppError::invalid(
            field,
            "must be above 0 and at most 10000 kg",
        ));
    }
    Ok(d.normalize())
}
