//! `GET /metrics`: the Prometheus exposition of [`crate::metrics`], computed from the caches
//! at scrape time.

use crate::controller::Context;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

/// Content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The `/metrics` route.
pub fn routes(ctx: Arc<Context>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(ctx)
}

async fn metrics(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    let text = ctx
        .metrics
        .render(&ctx.caches.clouds.state(), &ctx.caches.integrators.state());
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text)
}
