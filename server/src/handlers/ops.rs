//! Operations routes: `/healthz`, `/metrics`, `/api/openapi.json`.

use hyper::Response;

use crate::error::ApiError;
use crate::response::{self, Body};
use crate::router::Call;

/// The OpenAPI 3.1 document of `API.md`, kept in the repository beside the server.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /healthz` → `200 ok`.
pub async fn health(_call: Call) -> Result<Response<Body>, ApiError> {
    Ok(response::text("text/plain; charset=utf-8", "ok"))
}

/// `GET /metrics` → Prometheus text format; `401` without `--metrics-token` when one is set.
pub async fn metrics(call: Call) -> Result<Response<Body>, ApiError> {
    if !call.state.policy.may_read_metrics(call.req.headers()) {
        return Err(ApiError::Unauthorized);
    }
    Ok(response::text(
        "text/plain; version=0.0.4; charset=utf-8",
        call.state.metrics.render(),
    ))
}

/// `GET /api/openapi.json`.
pub async fn openapi(_call: Call) -> Result<Response<Body>, ApiError> {
    Ok(response::text("application/json", OPENAPI))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::OPENAPI;
    use crate::router::ROUTES;

    /// The document in the repository and the router describe the same routes.
    #[test]
    fn openapi_document_matches_the_routes() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths is an object")
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(method, _)| method.to_uppercase())
                    .filter(|m| ["GET", "PUT", "POST", "DELETE", "PATCH"].contains(&m.as_str()))
                    .map(move |m| (m, path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|route| (route.method.to_string(), route.pattern.to_owned()))
            .collect();
        assert_eq!(documented, routed);
    }
}
