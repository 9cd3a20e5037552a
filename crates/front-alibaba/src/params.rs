//! A request as Alibaba's SDKs send it: parameters in the query string (and in a form body for
//! some legacy calls), flattened (`Filter.1.Key`, `Permissions.1.IpProtocol`), every value a
//! string (`True`, `10`); the action and version in the query, or only in the `x-acs-action` /
//! `x-acs-version` headers (the V3 SDKs).

use axum::http::{HeaderMap, Uri};
use xconnect_model::Error;
use xconnect_sign as sign;

/// The request's parameters, decoded, query first, then the form body.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    action: Option<String>,
    version: Option<String>,
}

impl Params {
    pub fn read(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Params, Error> {
        let mut pairs = sign::parse_query(uri.query().unwrap_or(""))
            .ok_or_else(|| Error::invalid("query", "the query string has a broken %-escape"))?;
        pairs.extend(form(headers, body)?);
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let action = param("Action").or_else(|| header("x-acs-action"));
        let version = param("Version").or_else(|| header("x-acs-version"));
        Ok(Params { pairs, action, version })
    }

    /// The pairs a V1 signature covers: every query and form parameter.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The value of `name`, if sent (an empty value counts as not sent, as Alibaba reads it).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// The value of `name`, which the action cannot do without.
    pub fn required(&self, name: &str) -> Result<&str, Error> {
        self.get(name).ok_or_else(|| {
            Error::rejected(
                "MissingParameter",
                format!("the input parameter \"{name}\" that is mandatory for processing this request is not supplied"),
            )
        })
    }

    /// An integer parameter within `min..=max`, or `default` when not sent.
    pub fn integer(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, Error> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => {
                v.parse::<u32>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                    Error::invalid(name, format_args!("'{v}' is not a whole number from {min} to {max}"))
                })
            }
        }
    }
}

/// Alibaba's paging of a list: `PageNumber` from 1, `PageSize` 1 to 50, 10 by default.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub number: u32,
    pub size: u32,
}

impl Paging {
    pub fn read(p: &Params) -> Result<Paging, Error> {
        Ok(Paging { number: p.integer("PageNumber", 1, 1, u32::MAX)?, size: p.integer("PageSize", 10, 1, 50)? })
    }

    /// The page of `items` this paging asks for (empty past the end).
    pub fn of<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let total = items.len();
        let start = (self.number as usize - 1).saturating_mul(self.size as usize).min(total);
        &items[start..start.saturating_add(self.size as usize).min(total)]
    }
}

/// The pairs of a form body, when the request has one.
fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let is_form = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form || body.is_empty() {
        return Ok(Vec::new());
    }
    let text = std::str::from_utf8(body).map_err(|_| Error::invalid("body", "the form body is not UTF-8"))?;
    sign::parse_query(text).ok_or_else(|| Error::invalid("body", "the form body has a broken %-escape"))
}
