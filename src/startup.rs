//! Builds the application, for `main` and the tests alike: database, migrations, bootstrap admin,
//! routes with their OpenAPI document, middleware, and the HTTP server on its listener.

use std::collections::HashSet;
use std::future::ready;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::dev::{Server, Service};
use actix_web::middleware::{Condition, ErrorHandlers, Logger};
use actix_web::{http, web, App, HttpServer};
use futures_util::future::Either;
use rand::RngCore;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::api::http::client_address::TrustedProxies;
use crate::api::http::csv::CsvPaths;
use crate::api::http::fallback::{self, RouteTable};
use crate::api::http::headers::Exposure;
use crate::auth::bootstrap::{self, Outcome};
use crate::auth::token::MIN_SECRET_LEN;
use crate::auth::{LoginThrottle, TokenService};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl, Pool};
use crate::metrics::Metrics;
use crate::openapi::{self, BaseDoc};
use crate::state::AppState;
use crate::webhooks;

/// Longest time to send a request's head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Swagger UI's route.
const SWAGGER_UI: &str = "/swagger-ui/{_:.*}";

/// Every documented route, registered once: the server and the spec both come from here.
/// (A macro because the un-wrapped `App` type is not nameable.)
macro_rules! routes {
    () => {
        App::new()
            .into_utoipa_app()
            .openapi(BaseDoc::openapi())
            .service(scope::scope("/api/v1").configure(api::configure_v1))
            .configure(api::configure_operations)
    };
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi_document() -> OpenApiDoc {
    openapi::complete(routes!().split_for_parts().1)
}

/// Opens the database and applies pending migrations.
pub fn open_database(settings: &Settings) -> Result<(DatabaseUrl, Pool), String> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    let pool = db::pool::build(&url, settings.db_pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot open database {}: {e}", url.redacted()))?;
    let applied = db::migrations::run_pending(&mut conn)
        .map_err(|e| format!("migrations failed on {}: {e}", url.redacted()))?;
    for name in applied {
        log::info!("applied migration {name}");
    }
    Ok((url, pool))
}

/// A running palermo server.
pub struct Application {
    port: u16,
    server: Server,
    /// The webhook worker, stopped when the server's future ends or is dropped.
    worker: Option<webhooks::worker::Worker>,
}

impl Application {
    /// Opens the database, ensures an admin exists and binds the listener (port 0 = random).
    pub fn build(settings: Settings) -> Result<Self, String> {
        let (url, pool) = open_database(&settings)?;
        log::info!("database: {} ({})", url.redacted(), url.backend_name());

        let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
        match bootstrap::ensure_admin(
            &mut conn,
            settings.admin_username.as_deref(),
            settings.admin_password.as_deref(),
        )? {
            Outcome::AdminExists => {
                if settings.admin_username.is_some() {
                    log::info!("an admin exists; PALERMO_ADMIN_USERNAME/PALERMO_ADMIN_PASSWORD are not used");
                }
            }
            Outcome::Created(name) => {
                log::info!("created admin {name:?} from PALERMO_ADMIN_USERNAME")
            }
            Outcome::Generated { username, password } => {
                announce_generated_admin(&username, &password)
            }
        }
        drop(conn);

        let secret = match &settings.jwt_secret {
            Some(s) if s.len() >= MIN_SECRET_LEN => s.as_bytes().to_vec(),
            Some(_) => {
                return Err(format!(
                    "PALERMO_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes"
                ))
            }
            None => {
                log::warn!(
                    "PALERMO_JWT_SECRET is not set: using a random per-process secret; every token dies when palermo restarts. \
                     Set PALERMO_JWT_SECRET (at least {MIN_SECRET_LEN} bytes) in production."
                );
                let mut s = vec![0u8; 48];
                rand::thread_rng().fill_bytes(&mut s);
                s
            }
        };
        let state = AppState {
            pool,
            tokens: TokenService::new(&secret, settings.token_ttl_seconds),
            throttle: Arc::new(LoginThrottle::default()),
            proxies: Arc::new(TrustedProxies::parse(
                settings.trusted_proxies.as_deref().unwrap_or(""),
            )?),
            metrics: Arc::new(Metrics::default()),
            public: Arc::new(api::public::PublicView::new(
                settings.public_min_cell,
                settings.public_rate_per_minute,
            )),
            pages: Arc::new(api::http::page_cache::PageCache::new(
                settings.page_cache_mb as usize * 1024 * 1024,
            )),
            webhook_policy: settings.webhooks.policy(),
        };
        let worker = if settings.webhooks.worker {
            Some(webhooks::worker::start(
                state.pool.clone(),
                &settings.webhooks,
            )?)
        } else {
            None
        };
        let spec = openapi_document();
        let table = RouteTable::from_openapi(&spec);
        // The only route labels of the metrics: documented templates and Swagger UI's.
        let templates: Arc<HashSet<String>> = Arc::new(
            spec.paths
                .paths
                .keys()
                .cloned()
                .chain([SWAGGER_UI.to_string()])
                .collect(),
        );
        let csv_paths = Arc::new(CsvPaths::from_openapi(&spec));
        let cors_origins = settings.cors_origins.clone().unwrap_or_default();

        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let state = web::Data::new(state);
        let table = web::Data::new(table);
        let mut server = HttpServer::new(move || {
            let (app, _) = routes!().split_for_parts();
            let metrics = state.metrics.clone();
            let templates = templates.clone();
            let routes = table.clone();
            app.app_data(state.clone())
                .app_data(table.clone())
                .service(SwaggerUi::new(SWAGGER_UI).url("/api-docs/openapi.json", spec.clone()))
                .default_service(web::to(fallback::unmatched))
                .wrap_fn(
                    move |mut req, srv| match fallback::before_routing(&mut req, &routes) {
                        Err(e) => Either::Left(ready(Ok(req.error_response(e)))),
                        Ok(()) => Either::Right(srv.call(req)),
                    },
                )
                .wrap_fn({
                    let csv_paths = csv_paths.clone();
                    move |mut req, srv| {
                        csv_paths.rewrite(&mut req);
                        srv.call(req)
                    }
                })
                .wrap(Condition::new(
                    !cors_origins.trim().is_empty(),
                    cors(&cors_origins),
                ))
                .wrap(Logger::new("%a \"%r\" %s %b %Dms").exclude("/health/live"))
                .wrap_fn(move |req, srv| {
                    let start = Instant::now();
                    let method = req.method().to_string();
                    let metrics = metrics.clone();
                    let templates = templates.clone();
                    let fut = srv.call(req);
                    async move {
                        let res = fut.await?;
                        let route = res
                            .request()
                            .match_pattern()
                            .filter(|p| templates.contains(p))
                            .unwrap_or_else(|| "unmatched".into());
                        metrics.observe(&method, &route, res.status().as_u16(), start.elapsed());
                        Ok(res)
                    }
                })
                .wrap(ErrorHandlers::new().default_handler(fallback::ensure_problem))
                .wrap_fn(|req, srv| {
                    let exposure = Exposure::of(&req);
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        exposure.apply(&mut res);
                        Ok(res)
                    }
                })
        })
        .shutdown_timeout(10)
        // A request's head must arrive within this time (408), and an idle connection closes.
        .client_request_timeout(HEADER_TIMEOUT)
        .client_disconnect_timeout(Duration::from_secs(2))
        .keep_alive(Duration::from_secs(15))
        .listen(listener)
        .map_err(|e| format!("cannot serve on {}: {e}", settings.bind))?;
        if let Some(n) = settings.workers {
            server = server.workers(n.max(1));
        }
        log::info!(
            "palermo listening on http://{} (Swagger UI at /swagger-ui/)",
            settings.bind.replace(":0", &format!(":{port}"))
        );
        Ok(Self {
            port,
            server: server.run(),
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _worker = self.worker;
        self.server.await
    }
}

fn cors(origins: &str) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            http::header::AUTHORIZATION,
            http::header::CONTENT_TYPE,
            http::header::IF_MATCH,
            http::header::ACCEPT,
            http::header::ACCEPT_LANGUAGE,
            http::header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            http::header::ETAG,
            http::header::LOCATION,
            http::header::LINK,
            http::header::RETRY_AFTER,
            http::header::CONTENT_LANGUAGE,
        ])
        .max_age(3600);
    for origin in origins.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

fn announce_generated_admin(username: &str, password: &str) {
    // Printed once, to the terminal of whoever started the server, never to the log.
    eprintln!(
        "\n================================================================\n\
         palermo: no admin existed, so one was created:\n\n\
         \x20   username: {username}\n\
         \x20   password: {password}\n\n\
         This password is shown only now. Sign in with POST /api/v1/auth/token\n\
         (or Authorize in Swagger UI), then change it with PUT /api/v1/me/password.\n\
         To choose the first admin yourself, set PALERMO_ADMIN_USERNAME and\n\
         PALERMO_ADMIN_PASSWORD on a fresh database, or run `palermo user create`.\n\
         ================================================================\n"
    );
}
