//! The operator's HTTP server (axum): report intake for check Jobs, health endpoints.

pub mod auth;
pub mod intake;
pub mod listing;
pub mod upload; // external report uploads (issue 11)

use crate::controller::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Readiness flag: set once the caches have synced.
#[derive(Default)]
pub struct Readiness(AtomicBool);

impl Readiness {
    /// Marks the operator ready.
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether the operator is ready.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

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
}

async fn readyz(State(readiness): State<Arc<Readiness>>) -> (StatusCode, &'static str) {
    if readiness.is_ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "caches not synced yet")
    }
}
