//! Collecting what is wrong with a JSON body, field by field, into one `422`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The problems found so far, by field name.
#[derive(Debug, Default)]
pub struct FieldErrors {
    fields: BTreeMap<String, String>,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.fields
            .entry(field.to_owned())
            .or_insert_with(|| problem.into());
    }

    /// A present, non-null string field, checked by `rule`; `None` if absent or null.
    pub fn optional_str<T>(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        rule: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => rule(s).map_err(|p| self.add(name, p)).ok(),
            Some(_) => {
                self.add(name, "must be a string");
                None
            }
        }
    }

    /// A present boolean field, reported under `field`; `None` if absent.
    pub fn optional_bool(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        field: &str,
    ) -> Option<bool> {
        match object.get(name) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.add(field, "must be true or false");
                None
            }
        }
    }

    /// `value` if nothing was wrong, else the `422` listing every problem.
    pub fn into_result<T>(self, value: T) -> Result<T, ApiError> {
        if self.fields.is_empty() {
            return Ok(value);
        }
        let message = self
            .fields
            .iter()
            .map(|(field, problem)| format!("{field} {problem}"))
            .collect::<Vec<_>>()
            .join("; ");
        Err(ApiError::Validation {
            message,
            fields: self.fields,
        })
    }
}
