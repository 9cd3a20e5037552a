//! Small helpers for the OpenAPI schemas of the model's string-like types, so each newtype
//! describes itself once, beside its parser.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema restricted by a regular expression.
pub fn string_with_pattern(pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).into()
}

/// A string schema with a format hint and a description.
pub fn string_with_format(format: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom(format.to_owned())))
        .description(Some(description))
        .into()
}
