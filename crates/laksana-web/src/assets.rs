//! Front-end assets compiled into the binary: offices have poor connections and no CDN is used.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::AppState;

const HTMX: &str = include_str!("../static/htmx.min.js");
const APP_JS: &str = include_str!("../static/app.js");
const CSS: &str = include_str!("../static/app.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/htmx.min.js",
            get(|| asset(HTMX, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/app.js",
            get(|| asset(APP_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/app.css",
            get(|| asset(CSS, "text/css; charset=utf-8")),
        )
}

async fn asset(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}
