//! Settings from the environment (docs/rules.md "API conventions"). Secrets are never logged.

pub struct Settings {
    pub bind: String,
    pub database_url: String,
    pub bootstrap_token: Option<String>,
    pub workers: usize,
    pub pool_size: u32,
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
        }
    }
}
