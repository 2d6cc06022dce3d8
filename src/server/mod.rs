//! The operator's HTTP server (axum): report intake for check Jobs, health endpoints,
//! `/metrics`.

pub mod auth;
pub mod intake;
pub mod listing;
pub mod metrics; // Prometheus exposition (issue 9)
pub mod upload; // external report uploads (issue 11)

use crate::controller::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use std::sync::Arc;

/// Readiness: every cache synced and the API server reachable (issue 9).
pub use crate::reflectors::Readiness;

/// All routes of the operator's server.
pub fn router(ctx: Arc<Context>, readiness: Arc<Readiness>) -> Router {
    // The intake body limit leaves room for gzip framing; the handler enforces the exact one.
    let limit = ctx.settings.max_report_bytes + 64 * 1024;
    // public listing (issue 8)
    let listing_routes = listing::routes_with_reports(
        ctx.caches.listing.clone(),
        ctx.caches.owned_config_maps.clone(),
    );
    let ctx_for_uploads = ctx.clone(); // POST /reports (issue 11)
    let metrics_routes = metrics::routes(ctx.clone()); // issue 9
    let intake = Router::new()
        .route(
            "/v1/runs/{namespace}/{name}/{run}/report",
            post(intake::post_report),
        )
        .route(
            "/v1/runs/{namespace}/{name}/{run}/failure",
            post(intake::post_failure),
        )
        .layer(DefaultBodyLimit::max(limit))
        .with_state(ctx);
    let health = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(readiness);
    intake
        .merge(health)
        .merge(listing_routes)
        .merge(upload::routes(ctx_for_uploads))
        .merge(metrics_routes)
}

async fn readyz(State(readiness): State<Arc<Readiness>>) -> (StatusCode, String) {
    match readiness.not_ready_because() {
        None => (StatusCode::OK, "ready".to_owned()),
        Some(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}
