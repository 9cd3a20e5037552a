//! Reading a row's columns into model values, shared by every resource's row decoding.

use xconnect_model::*;

use crate::list::PageToken;
use crate::sql::Row;

pub(crate) fn text(row: &Row, col: &str) -> Result<String> {
    row.text(col)
}

pub(crate) fn opt_text(row: &Row, col: &str) -> Result<Option<String>> {
    row.opt_text(col)
}

pub(crate) fn int(row: &Row, col: &str) -> Result<i64> {
    row.int(col)
}

pub(crate) fn cidr(row: &Row, col: &str) -> Result<Cidr> {
    Cidr::parse(col, &text(row, col)?).map_err(|e| Error::internal(format!("stored {col}: {e}")))
}

pub(crate) fn ts(row: &Row, col: &str) -> Result<Timestamp> {
    Ok(Timestamp::from_millis(int(row, col)?))
}

pub(crate) fn opt_name(row: &Row) -> Result<Option<Name>> {
    Ok(opt_text(row, "name")?.map(Name::from_trusted))
}

pub(crate) fn desc(row: &Row) -> Result<Description> {
    Ok(Description::from_trusted(text(row, "description")?))
}

/// The integer range of a block the store keeps beside it (IPv4 only, like the blocks it holds).
pub(crate) fn range(c: &Cidr) -> Result<(i64, i64)> {
    c.v4_range().ok_or_else(|| Error::internal(format!("{c}: only IPv4 blocks are stored with ranges")))
}

pub(crate) fn name_value(n: &Option<Name>) -> Option<String> {
    n.as_ref().map(|n| n.to_string())
}

pub(crate) fn enum_from<T: serde::de::DeserializeOwned>(col: &str, s: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| Error::internal(format!("stored {col}: {e}")))
}

pub(crate) fn enum_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("a unit enum serializes as a string, not {other:?}"),
    }
}

pub(crate) fn stored(col: &str) -> impl Fn(Error) -> Error + '_ {
    move |e| Error::internal(format!("stored {col}: {e}"))
}

pub(crate) fn ip(row: &Row, col: &'static str) -> Result<std::net::IpAddr> {
    let s = text(row, col)?;
    s.parse().map_err(|e| Error::internal(format!("stored {col} {s}: {e}")))
}

pub(crate) fn position(created: Timestamp, id: &impl std::fmt::Display) -> PageToken {
    PageToken { created_at: created.millis(), id: id.to_string() }
}
