//! Operations routes: `/healthz`, `/metrics`, `/api/openapi.json`.

use hyper::Response;

use crate::response::{self, Body};
use crate::state::AppState;

/// The OpenAPI 3.1 document of `API.md`, kept in the repository beside the server.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /healthz` → `200 ok`.
pub fn health() -> Response<Body> {
    response::text("text/plain; charset=utf-8", "ok")
}

/// `GET /metrics` → Prometheus text format.
pub fn metrics(state: &AppState) -> Response<Body> {
    response::text(
        "text/plain; version=0.0.4; charset=utf-8",
        state.metrics.render(),
    )
}

/// `GET /api/openapi.json`.
pub fn openapi() -> Response<Body> {
    response::text("application/json", OPENAPI)
}
