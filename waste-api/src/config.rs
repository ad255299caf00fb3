//! Settings from the environment (docs/rules.md "API conventions"). Secrets are never logged.

pub struct Settings {
    pub bind: String,
    pub database_url: String,
    pub bootstrap_token: Option<String>,
    pub workers: usize,
    pub pool_size: u32,
    pub guards: Guards,
}

/// What keeps the service's own surfaces from the public: settings, so tests and benchmarks use the same paths.
#[derive(Clone, Debug)]
pub struct Guards {
    /// `WASTE_METRICS_TOKEN`: when set, `/metrics` answers only to `Authorization: Bearer <it>` (401 otherwise),
    /// so a public listener does not publish the service's traffic. Unset, `/metrics` is open (bind the service
    /// on a private address then).
    pub metrics_token: Option<String>,
    /// `WASTE_AUDIT_KEY` (no default): the key that anchors each custody chain's head (an HMAC kept beside the
    /// head). It is never written to the database. Unset, heads are kept but not anchored, and the audit cannot
    /// tell a chain whose hashes were all recomputed by someone with write access from an intact one.
    pub audit_key: Option<String>,
    /// Tests only: an audit run waits for this lock before it reads (to hold a run open).
    pub audit_gate: Option<std::sync::Arc<std::sync::Mutex<()>>>,
    /// Request rate limits (README, "Rate limits").
    pub limits: Limits,
    /// `WASTE_BODY_TIMEOUT_SECS` (default 10): how long a request body may take to arrive, and how long a
    /// request head may take (actix `client_request_timeout`); a slower client gets 408.
    pub body_timeout: std::time::Duration,
    /// `WASTE_MAX_OPEN_DRAFTS` (default 100): manifest drafts one organisation may hold open; one more is refused
    /// (409 `too_many_drafts`) until one is submitted or cancelled.
    pub max_open_drafts: u32,
    /// HTTPS (`WASTE_TLS_CERT` + `WASTE_TLS_KEY`, or `WASTE_TLS_SELF_SIGNED`; see `tls::from_env`, which `serve`
    /// calls so that half a setting refuses to start). None: plain HTTP.
    pub tls: Option<crate::tls::TlsSource>,
    /// Webhook delivery (README, "Webhooks").
    pub webhooks: Webhooks,
    /// `WASTE_TIME_ZONE` (default `Asia/Shanghai`): the IANA time zone whose dates the rules read and whose
    /// time the pages show. A name the bundled time zone database does not know stops the start.
    pub time_zone: String,
    /// Scheduled backups of the SQLite database (`WASTE_BACKUP_DIR`, `_EVERY`, `_KEEP`; README, "Backups").
    pub backups: Option<crate::ops::backup::Schedule>,
    /// `WASTE_TRAINING_EARLIEST` (default 2000-01-01), `WASTE_TRAINING_LATEST` (default 2099-12-31) and
    /// `WASTE_TRAINING_YEARS_AHEAD` (default none): the training dates accepted
    /// (`waste_core::party::TrainingBounds`).
    pub training: waste_core::party::TrainingBounds,
    /// `WASTE_MAX_CANCELLED_SERIALS` (default 50, 0: no limit): manifest numbers one organisation may spend in a
    /// year on manifests it cancels before dispatch; past it, cancelling a submitted manifest is refused (409
    /// `too_many_cancelled_serials`), so that a shipper cannot spend its city's 999,999 yearly serials.
    pub max_cancelled_serials: u32,
}

/// Webhook delivery settings (environment; README, "Webhooks"). No standard fixes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhooks {
    /// `WASTE_WEBHOOK_TIMEOUT_MS` (default 5000): how long one attempt may take, connection to answer.
    pub timeout: std::time::Duration,
    /// `WASTE_WEBHOOK_BACKOFF_BASE_MS` (default 2000) and `WASTE_WEBHOOK_BACKOFF_MAX_MS` (default 3600000): the
    /// wait after failed attempt n is base × 2^(n-1), at most the maximum.
    pub backoff_base: std::time::Duration,
    pub backoff_max: std::time::Duration,
    /// `WASTE_WEBHOOK_MAX_ATTEMPTS` (default 12): attempts before a delivery is given up (`failed`).
    pub max_attempts: u32,
    /// `WASTE_WEBHOOK_POLL_MS` (default 1000): how often the worker looks for due deliveries when no commit woke it.
    pub poll: std::time::Duration,
    /// `WASTE_WEBHOOK_SCAN_SECS` (default 300): how often storage deadlines and late receipts are scanned.
    pub scan: std::time::Duration,
    /// `WASTE_WEBHOOK_ALLOW_LOCAL` (default off): allow receivers on loopback, private and link-local addresses
    /// and `localhost` (tests, a receiver on the same host). Off, such URLs are refused when subscribing and
    /// are not sent to.
    pub allow_local: bool,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks {
            timeout: std::time::Duration::from_millis(5000),
            backoff_base: std::time::Duration::from_millis(2000),
            backoff_max: std::time::Duration::from_millis(3_600_000),
            max_attempts: 12,
            poll: std::time::Duration::from_millis(1000),
            scan: std::time::Duration::from_secs(300),
            allow_local: false,
        }
    }
}

impl Webhooks {
    pub fn from_env() -> Self {
        let d = Webhooks::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let ms = |k: &str, default: std::time::Duration| {
            var(k)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
                .map_or(default, std::time::Duration::from_millis)
        };
        Webhooks {
            timeout: ms("WASTE_WEBHOOK_TIMEOUT_MS", d.timeout),
            backoff_base: ms("WASTE_WEBHOOK_BACKOFF_BASE_MS", d.backoff_base),
            backoff_max: ms("WASTE_WEBHOOK_BACKOFF_MAX_MS", d.backoff_max),
            max_attempts: var("WASTE_WEBHOOK_MAX_ATTEMPTS")
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(d.max_attempts),
            poll: ms("WASTE_WEBHOOK_POLL_MS", d.poll),
            scan: var("WASTE_WEBHOOK_SCAN_SECS")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
                .map_or(d.scan, std::time::Duration::from_secs),
            allow_local: var("WASTE_WEBHOOK_ALLOW_LOCAL")
                .is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes")),
        }
    }

    /// The retry schedule of the core's backoff.
    pub fn retry(&self) -> waste_core::webhook::Retry {
        waste_core::webhook::Retry {
            base: self.backoff_base,
            cap: self.backoff_max,
            max_attempts: self.max_attempts,
        }
    }
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            metrics_token: None,
            audit_key: None,
            audit_gate: None,
            limits: Limits::default(),
            body_timeout: std::time::Duration::from_secs(10),
            max_open_drafts: 100,
            tls: None,
            webhooks: Webhooks::default(),
            time_zone: waste_core::calendar::DEFAULT_ZONE.to_owned(),
            backups: None,
            training: waste_core::party::TrainingBounds::default(),
            max_cancelled_serials: 50,
        }
    }
}

/// Requests per minute (0 turns a limit off). Each is a GCRA bucket whose burst is the whole minute's
/// allowance, so a client may spend its minute at once and then gets `limit / 60` per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `WASTE_RATE_PER_TOKEN` (default 6000): requests per minute with one bearer token.
    pub per_token: u32,
    /// `WASTE_RATE_PER_ADDRESS` (default 30000): requests per minute from one client address, whatever they carry.
    pub per_address: u32,
    /// `WASTE_RATE_AUTH_FAILURES` (default 300): failed authentications (401) per minute from one address; past it
    /// every request from that address gets 429 until the bucket refills, so tokens cannot be guessed quickly.
    pub auth_failures: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_token: 6000,
            per_address: 30000,
            auth_failures: 300,
        }
    }
}

impl Guards {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, default: u32| {
            var(k)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default)
        };
        let d = Limits::default();
        Guards {
            metrics_token: var("WASTE_METRICS_TOKEN").map(|t| t.trim().to_owned()),
            audit_key: var("WASTE_AUDIT_KEY").map(|t| t.trim().to_owned()),
            audit_gate: None,
            limits: Limits {
                per_token: num("WASTE_RATE_PER_TOKEN", d.per_token),
                per_address: num("WASTE_RATE_PER_ADDRESS", d.per_address),
                auth_failures: num("WASTE_RATE_AUTH_FAILURES", d.auth_failures),
            },
            body_timeout: std::time::Duration::from_secs(u64::from(num(
                "WASTE_BODY_TIMEOUT_SECS",
                10,
            ))),
            max_open_drafts: num("WASTE_MAX_OPEN_DRAFTS", 100),
            tls: None,
            webhooks: Webhooks::from_env(),
            time_zone: var("WASTE_TIME_ZONE")
                .map(|z| z.trim().to_owned())
                .unwrap_or_else(|| waste_core::calendar::DEFAULT_ZONE.to_owned()),
            // `serve` reads it again and refuses to start on a setting it cannot read.
            backups: crate::ops::backup::Schedule::from_env().ok().flatten(),
            training: {
                let d = waste_core::party::TrainingBounds::default();
                let day = |k: &str| var(k).and_then(|v| crate::store::parse_date(v.trim()));
                waste_core::party::TrainingBounds {
                    earliest: day("WASTE_TRAINING_EARLIEST").unwrap_or(d.earliest),
                    latest: day("WASTE_TRAINING_LATEST").unwrap_or(d.latest),
                    years_ahead: var("WASTE_TRAINING_YEARS_AHEAD")
                        .and_then(|v| v.trim().parse().ok()),
                }
            },
            max_cancelled_serials: num("WASTE_MAX_CANCELLED_SERIALS", 50),
        }
    }
}

impl Settings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let workers = var("WASTE_WORKERS")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
        Self {
            bind: var("WASTE_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/waste.db".into()),
            bootstrap_token: var("WASTE_BOOTSTRAP_TOKEN"),
            workers,
            pool_size: var("WASTE_POOL_SIZE")
                .and_then(|v| v.parse().ok())
                .unwrap_or(8),
            guards: Guards::from_env(),
        }
    }
}
