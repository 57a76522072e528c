//! `server/API.md`, the human-readable reference, lists exactly the routes of
//! `server/openapi.json` (which `tests/api/ops.rs` keeps equal to the router's table).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

const REFERENCE: &str = include_str!("../API.md");
const OPENAPI: &str = include_str!("../openapi.json");

/// `"METHOD /path"` for every row of the reference's "Every route" table.
fn reference_routes() -> BTreeSet<String> {
    let section = REFERENCE
        .split("## Every route")
        .nth(1)
        .expect("API.md has a section \"Every route\"");
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            format!("{} {}", cells[1], cells[2].trim_matches('`'))
        })
        .collect()
}

/// `"METHOD /path"` for every operation of the OpenAPI document.
fn openapi_routes() -> BTreeSet<String> {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let methods = ["get", "put", "post", "delete", "patch", "head", "options"];
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in methods {
            if item.get(method).is_some() {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

#[test]
fn the_reference_lists_exactly_the_routes_of_the_openapi_document() {
    let reference = reference_routes();
    let openapi = openapi_routes();
    assert!(!reference.is_empty(), "no rows read from API.md");
    let missing: Vec<_> = openapi.difference(&reference).collect();
    let extra: Vec<_> = reference.difference(&openapi).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "server/API.md lacks {missing:?} and lists {extra:?} that server/openapi.json has not"
    );
}
