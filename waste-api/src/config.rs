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
#[derive(Clone, Debug, Default)]
pub struct Guards {
    /// `WASTE_METRICS_TOKEN`: when set, `/metrics` answers only to `Authorization: Bearer <it>` (401 otherwise),
    /// so a public listener does not publish the service's traffic. Unset, `/metrics` is open (bind the service
    /// on a private address then).
    pub metrics_token: Option<String>,
}

impl Guards {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Guards {
            metrics_token: var("WASTE_METRICS_TOKEN").map(|t| t.trim().to_owned()),
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
