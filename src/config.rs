//! Settings of `palermo serve`, from flags or the environment.

use clap::Args;

/// How the server runs. Every setting is a flag and an environment variable.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: a SQLite file path (default) or a `postgres://user:password@host:port/db` URL
    /// (libpq parameters such as `?sslmode=require` are honoured).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "palermo.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "PALERMO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Secret for signing access tokens (HS256), at least 32 bytes. When unset, a random
    /// per-process secret is used and every token dies on restart.
    #[arg(long, env = "PALERMO_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of access tokens, in seconds (60 to 86400).
    #[arg(long, env = "PALERMO_TOKEN_TTL_SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(i64).range(60..=86400))]
    pub token_ttl_seconds: i64,

    /// Username of the admin to create at start when the database has none.
    #[arg(long, env = "PALERMO_ADMIN_USERNAME")]
    pub admin_username: Option<String>,

    /// Password of that admin (at least 12 characters). Prefer the environment variable.
    #[arg(long, env = "PALERMO_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Comma-separated browser origins allowed by CORS (e.g. `https://dashboard.example.org`);
    /// `*` allows any origin. Unset: no cross-origin access.
    #[arg(long, env = "PALERMO_CORS_ORIGINS")]
    pub cors_origins: Option<String>,

    /// Size of the database connection pool.
    #[arg(long, env = "PALERMO_DB_POOL_SIZE", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub db_pool_size: u32,

    /// Comma-separated addresses or networks (`10.0.0.0/8`) of reverse proxies whose
    /// `X-Forwarded-For` / `Forwarded` headers name the client, for sign-in throttling.
    /// Unset: the socket's peer is the client.
    #[arg(long, env = "PALERMO_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,

    /// Smallest count the public view (`/api/v1/public/...`) shows: counts from 1 to this minus
    /// one are withheld, with the cells that would let anyone recompute them.
    #[arg(long, env = "PALERMO_PUBLIC_MIN_CELL", default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub public_min_cell: i64,

    /// Requests per minute each client address may make to the public view (bursts up to as
    /// many), counted by each process; past it 429 with `Retry-After`.
    #[arg(long, env = "PALERMO_PUBLIC_RATE_PER_MINUTE", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub public_rate_per_minute: u32,

    /// Memory for value pages kept between writes (MiB, per process); `0` keeps none. Pages
    /// are still read at every request until kept, and dropped by any write.
    #[arg(long, env = "PALERMO_PAGE_CACHE_MB", default_value_t = 32, value_parser = clap::value_parser!(u32).range(0..=4096))]
    pub page_cache_mb: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "PALERMO_WORKERS")]
    pub workers: Option<usize>,

    #[command(flatten)]
    pub webhooks: crate::webhooks::WebhookSettings,
}

impl Settings {
    /// Settings for tests and tools: a given database, a random port on loopback, fixed secret.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_string(),
            bind: "127.0.0.1:0".into(),
            jwt_secret: None,
            token_ttl_seconds: 3600,
            admin_username: None,
            admin_password: None,
            cors_origins: None,
            db_pool_size: 8,
            trusted_proxies: None,
            public_min_cell: 5,
            public_rate_per_minute: 120,
            page_cache_mb: 32,
            workers: Some(2),
            webhooks: crate::webhooks::WebhookSettings::default(),
        }
    }
}
