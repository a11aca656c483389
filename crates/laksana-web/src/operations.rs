//! Operations endpoints and the request layer around every route: `/healthz` (the process
//! answers), `/readyz` (the database answers in time), `/metrics` (Prometheus text), and a
//! request id per request, carried in the tracing span and echoed in the answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use laksana_store::Store;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use tracing::Instrument;

/// The header a reverse proxy or a client may set; generated when absent.
pub const REQUEST_ID: &str = "x-request-id";

/// How long `/readyz` waits for the database before it says no.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Settings of the operations endpoints.
#[derive(Clone, Debug, Default)]
pub struct OperationsSettings {
    /// Opens `/metrics` to a request that is not from loopback (`Authorization: Bearer …`).
    pub metrics_token: Option<String>,
}

/// The metrics of one application. A registry of its own (not a process-wide recorder), so two
/// applications in one test process count separately.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to answer headers",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(requests.clone()))
            .expect("register once");
        registry
            .register(Box::new(latency.clone()))
            .expect("register once");
        Metrics {
            registry,
            requests,
            latency,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(took.as_secs_f64());
    }

    /// The registry's text plus the gauges read from the database now.
    fn render(&self, outbox_depth: i64, steps_completed: i64) -> String {
        let mut buf = Vec::new();
        let _ = prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        let mut text = String::from_utf8(buf).unwrap_or_default();
        text.push_str(&format!(
            "# HELP laksana_steps_completed_total SOP step runs completed\n\
             # TYPE laksana_steps_completed_total counter\n\
             laksana_steps_completed_total {steps_completed}\n\
             # HELP laksana_outbox_depth Mails waiting in the outbox\n\
             # TYPE laksana_outbox_depth gauge\n\
             laksana_outbox_depth {outbox_depth}\n"
        ));
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

#[derive(Clone)]
struct Ops {
    store: Store,
    metrics: Arc<Metrics>,
    settings: OperationsSettings,
}

/// Adds the operations endpoints to `app` and wraps every route in the request layer.
pub fn with_operations(app: Router, store: Store, settings: OperationsSettings) -> Router {
    let ops = Ops {
        store,
        metrics: Arc::new(Metrics::new()),
        settings,
    };
    let endpoints = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(ops.clone());
    app.merge(endpoints)
        .layer(axum::middleware::from_fn_with_state(ops, request_layer))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(ops): State<Ops>) -> Response {
    let reason = match tokio::time::timeout(READY_TIMEOUT, ops.store.ping()).await {
        Ok(Ok(())) => {
            return (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response()
        }
        Ok(Err(e)) => format!("basis data menolak: {e}"),
        Err(_) => format!(
            "basis data tidak menjawab dalam {} detik",
            READY_TIMEOUT.as_secs()
        ),
    };
    tracing::warn!(%reason, "tidak siap");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({"status": "tidak_siap", "code": "not_ready", "reason": reason})),
    )
        .into_response()
}

async fn metrics(State(ops): State<Ops>, request: Request) -> Response {
    if !metrics_allowed(&request, ops.settings.metrics_token.as_deref()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(serde_json::json!({
                "code": "metrics_forbidden",
                "detail": "/metrics hanya dari loopback atau dengan token (metrics_token)",
            })),
        )
            .into_response();
    }
    let (depth, steps) = match (
        ops.store.outbox_depth().await,
        ops.store.steps_completed_total().await,
    ) {
        (Ok(d), Ok(s)) => (d, s),
        (Err(e), _) | (_, Err(e)) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"code": "not_ready", "detail": e.to_string()})),
            )
                .into_response()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        ops.metrics.render(depth, steps),
    )
        .into_response()
}

/// Loopback without a proxy in between, or the configured bearer token. A request relayed by
/// a reverse proxy on the same host arrives from loopback too, so a forwarding header makes it
/// count as remote.
fn metrics_allowed(request: &Request, token: Option<&str>) -> bool {
    let headers = request.headers();
    if let Some(token) = token {
        let expected = format!("Bearer {token}");
        if headers
            .get(header::AUTHORIZATION)
            .is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()))
        {
            return true;
        }
    }
    let proxied = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    let loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    loopback && !proxied
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A caller's id is kept when it is short printable ASCII (it ends up in logs); otherwise a
/// fresh one is made.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| {
            use rand::Rng;
            hex::encode(rand::thread_rng().gen::<[u8; 12]>())
        })
}

/// Around every request: its id in a span, one log line with status and time, the counters.
async fn request_layer(State(ops): State<Ops>, mut request: Request, next: Next) -> Response {
    let id = request_id(request.headers());
    // The route template, not the path: `/pelatihan/{id}` is one series, not one per training.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "tidak-dikenal".into());
    let method = request.method().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    ops.metrics.observe(&method, &route, status, took);
    span.in_scope(|| tracing::info!(status, ms = took.as_secs_f64() * 1000.0, "jawaban"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callers_request_id_is_kept_only_when_it_is_safe_to_log() {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&h), "abc-123");
        h.insert(REQUEST_ID, HeaderValue::from_static("dua kata"));
        let made = request_id(&h);
        assert_eq!(made.len(), 24);
        assert_ne!(made, request_id(&HeaderMap::new()), "fresh each time");
        h.insert(REQUEST_ID, HeaderValue::from_str(&"x".repeat(200)).unwrap());
        assert_eq!(request_id(&h).len(), 24);
    }

    fn scrape(from: [u8; 4], headers: &[(&str, &str)]) -> Request {
        let mut builder = axum::http::Request::builder().uri("/metrics");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut req = builder.body(axum::body::Body::empty()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((from, 40000))));
        req
    }

    #[test]
    fn metrics_open_to_loopback_without_a_proxy_or_to_the_token() {
        assert!(metrics_allowed(&scrape([127, 0, 0, 1], &[]), None));
        assert!(!metrics_allowed(&scrape([10, 0, 0, 5], &[]), None));
        // Relayed by nginx on the same host: loopback peer, but a remote client.
        let proxied = scrape([127, 0, 0, 1], &[("x-forwarded-for", "203.0.113.9")]);
        assert!(!metrics_allowed(&proxied, None));
        let token = Some("rahasia-metrik");
        let with = scrape([10, 0, 0, 5], &[("authorization", "Bearer rahasia-metrik")]);
        assert!(metrics_allowed(&with, token));
        let wrong = scrape([10, 0, 0, 5], &[("authorization", "Bearer salah")]);
        assert!(!metrics_allowed(&wrong, token));
        // No peer address known (not served with connect info): closed.
        let bare = axum::http::Request::builder()
            .uri("/metrics")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(!metrics_allowed(&bare, None));
    }

    #[test]
    fn the_metrics_text_carries_requests_latency_steps_and_outbox() {
        let m = Metrics::new();
        m.observe("GET", "/pelatihan/{id}", 200, Duration::from_millis(30));
        m.observe("GET", "/pelatihan/{id}", 200, Duration::from_millis(3));
        let text = m.render(4, 17);
        assert!(
            text.contains(
                "http_requests_total{method=\"GET\",route=\"/pelatihan/{id}\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains(
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/pelatihan/{id}\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("laksana_steps_completed_total 17"));
        assert!(text.contains("laksana_outbox_depth 4"));
    }
}
