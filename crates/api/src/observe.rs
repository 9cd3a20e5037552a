//! What the listener tells its operator: one log line per request (its id, the account, the
//! method, the route, the status and how long it took), and the figures `/metrics` writes in
//! Prometheus' text format: requests by route and status, their latency, requests in flight and
//! refused by throttling, the nonce cache, and the store's commits, batch sizes and retries.
//!
//! A request is labelled by its route template (`/v1/vpcs/{id}`), never its path: a label per
//! id would make a series per resource, and a path the routes do not know is "unmatched", so no
//! client can grow the metrics by asking for paths.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xconnect_metrics::{Counter, Exposition, Family, Gauge, Histogram, Labels, SECONDS};
use xconnect_model::{AccountId, RequestId};

use crate::AppState;

/// The account a request acted for, left on its answer by the signing layer so that the log
/// line (written outside it) can name it.
#[derive(Debug, Clone)]
pub struct ActedFor(pub AccountId);

/// The listener's own figures.
pub struct Metrics {
    /// By method, route and status.
    requests: Family<(Method, Arc<str>, u16), Counter>,
    /// By method and route.
    latency: Family<(Method, Arc<str>), Histogram>,
    in_flight: Gauge,
    pub(crate) throttled: Counter,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            requests: Family::new(Counter::default),
            latency: Family::new(|| Histogram::new(SECONDS)),
            in_flight: Gauge::default(),
            throttled: Counter::default(),
        }
    }
}

impl Metrics {
    /// Requests being answered now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.get()
    }
}

/// Counts and logs every request; runs inside the layer that gives it its id, and after the
/// route was matched (it is added with `Router::layer`), so it knows the route's template.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route: Arc<str> = match req.extensions().get::<MatchedPath>() {
        Some(m) => m.as_str().into(),
        None => "unmatched".into(),
    };
    let id = req.extensions().get::<RequestId>().cloned();
    let metrics = &state.metrics;
    metrics.in_flight.add(1);
    // Decremented by a guard, so a request whose client hangs up (its future dropped) does not
    // stay in flight for ever.
    let _leaving = InFlight(metrics);
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    metrics.requests.get(&(method.clone(), route.clone(), status)).inc();
    metrics.latency.get(&(method.clone(), route.clone())).observe(elapsed.as_secs_f64());
    let account = resp.extensions().get::<ActedFor>().map(|a| a.0.to_string());
    tracing::info!(
        target: "xconnect::request",
        request_id = id.as_ref().map(|i| i.as_str()).unwrap_or("-"),
        account = account.as_deref().unwrap_or("-"),
        %method,
        route = &*route,
        status,
        latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3,
        "answered"
    );
    resp
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.add(-1);
    }
}

/// `GET /metrics`, unsigned like `/healthz`: it names routes and counts, never an account or
/// a resource.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let m = &state.metrics;
    let mut e = Exposition::new();
    e.counters(
        "xconnect_http_requests_total",
        "Requests answered, by method, route template and status.",
        m.requests.members().into_iter().map(|((method, route, status), c)| {
            (labels(&method, &route).into_iter().chain([("status", status.to_string())]).collect(), c.get())
        }),
    );
    let latency = m.latency.members();
    e.histograms(
        "xconnect_http_request_duration_seconds",
        "Time from the request's arrival to its answer, by method and route template.",
        latency.iter().map(|((method, route), h)| (labels(method, route), &**h)),
    );
    e.gauge("xconnect_http_requests_in_flight", "Requests being answered.", m.in_flight.get());
    e.counter(
        "xconnect_http_requests_throttled_total",
        "Requests refused with 429 because their account sent more than its rate.",
        m.throttled.get(),
    );
    e.gauge(
        "xconnect_nonce_cache_entries",
        "Signature nonces remembered to refuse replays (each kept for the 15-minute window).",
        state.replays.remembered() as i64,
    );
    let s = state.control.store().stats();
    e.counter("xconnect_store_commits_total", "Transactions the store committed.", s.commits.get());
    e.counter(
        "xconnect_store_commit_failures_total",
        "Commits the database refused; every operation in them failed.",
        s.commit_failures.get(),
    );
    e.histogram(
        "xconnect_store_commit_batch_size",
        "Operations per SQLite commit (group commit): what queued while the previous commit was on its way to disk.",
        &s.batch_sizes,
    );
    e.counter(
        "xconnect_store_retries_total",
        "PostgreSQL transactions run again after a serialization failure or deadlock.",
        s.retries.get(),
    );
    ([("content-type", xconnect_metrics::CONTENT_TYPE)], e.finish()).into_response()
}

fn labels(method: &Method, route: &str) -> Labels {
    vec![("method", method.to_string()), ("route", route.to_owned())]
}
