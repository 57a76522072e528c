//! `GET /`, `/login`, `/assets/…` and `/embed/…`: the web inbox's embedded files, each with
//! its content type and the Content-Security-Policy.

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::error::ApiError;
use crate::response::{self, Body};
use crate::web::assets;

/// The embedded file at `path`, or `404`.
pub fn get(path: &str) -> Result<Response<Body>, ApiError> {
    let asset = assets::find(path).ok_or_else(|| ApiError::NotFound(format!("no file {path}")))?;
    let mut response = response::text(asset.content_type, asset.bytes);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(assets::CONTENT_SECURITY_POLICY),
    );
    // Revalidated on each load, so a new server version's page is never mixed with old scripts.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    debug_assert_eq!(response.status(), StatusCode::OK);
    Ok(response)
}
