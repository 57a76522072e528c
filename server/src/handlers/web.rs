//! `GET /`, `/login`, `/assets/…` and `/embed/…`: the web inbox's embedded files, each with
//! its content type and the Content-Security-Policy.

use hyper::Response;
use hyper::header::{self, HeaderValue};

use crate::error::ApiError;
use crate::response::{self, Body};
use crate::router::Call;
use crate::web::assets;

/// `GET /` and `GET /login`: the page.
pub async fn page(call: Call) -> Result<Response<Body>, ApiError> {
    serve(call.req.uri().path())
}

/// `GET /assets/{file}` and `GET /embed/{file}`: a script, style or icon of the page.
pub async fn file(call: Call<(), String>) -> Result<Response<Body>, ApiError> {
    serve(call.req.uri().path())
}

/// The embedded file at `path`, or `404`.
fn serve(path: &str) -> Result<Response<Body>, ApiError> {
    let asset = assets::find(path).ok_or_else(|| ApiError::NotFound(format!("no file {path}")))?;
    let mut response = response::text(asset.content_type, asset.bytes);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(assets::CONTENT_SECURITY_POLICY),
    );
    // Revalidated on each load, so that a new server's page never runs with old scripts.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
