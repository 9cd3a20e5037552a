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

    /// The values of a flattened list, `Name.1`, `Name.2`, ..., in the order of their numbers.
    pub fn list(&self, name: &str) -> Vec<&str> {
        let mut out: Vec<(u32, &str)> = self
            .pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| match numbered(k, name)? {
                (n, None) => Some((n, v.as_str())),
                (_, Some(_)) => None,
            })
            .collect();
        out.sort_by_key(|(n, _)| *n);
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// The items of a flattened list of objects, `Name.1.Field`, `Name.2.Field`, ..., each as
    /// parameters of its own (`Field`), in the order of their numbers.
    pub fn items(&self, name: &str) -> Vec<Params> {
        let mut out: std::collections::BTreeMap<u32, Params> = Default::default();
        for (k, v) in &self.pairs {
            if let Some((n, Some(field))) = numbered(k, name) {
                out.entry(n).or_default().pairs.push((field.to_owned(), v.clone()));
            }
        }
        out.into_values().collect()
    }

    /// A list sent as one JSON array of strings (`["sg-1","sg-2"]`), as some Alibaba actions
    /// take ids; none when not sent.
    pub fn json_list(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        self.get(name)
            .map(|v| {
                serde_json::from_str::<Vec<String>>(v).map_err(|_| {
                    Error::invalid(
                        name,
                        format_args!("'{v}' is not a JSON array of strings such as [\"id-1\",\"id-2\"]"),
                    )
                })
            })
            .transpose()
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
        Paging::read_with(p, 10, 50)
    }

    /// With the page size an action takes: `default` when not sent, at most `max`.
    pub fn read_with(p: &Params, default: u32, max: u32) -> Result<Paging, Error> {
        Ok(Paging { number: p.integer("PageNumber", 1, 1, u32::MAX)?, size: p.integer("PageSize", default, 1, max)? })
    }

    /// The page of `items` this paging asks for (empty past the end).
    pub fn of<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let total = items.len();
        let start = (self.number as usize - 1).saturating_mul(self.size as usize).min(total);
        &items[start..start.saturating_add(self.size as usize).min(total)]
    }
}

/// `Name.N` -> (N, None) and `Name.N.Field` -> (N, Some(Field)) for a key of the list `name`.
fn numbered<'k>(key: &'k str, name: &str) -> Option<(u32, Option<&'k str>)> {
    let rest = key.strip_prefix(name)?.strip_prefix('.')?;
    let (n, field) = match rest.split_once('.') {
        Some((n, f)) => (n, Some(f)),
        None => (rest, None),
    };
    Some((n.parse().ok()?, field))
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

/// The `Filter.N.Key` / `Filter.N.Value.M` of a Describe action: an item passes when each filter
/// has one of its values among the item's values for its key (Alibaba's AND of keys and OR of a
/// key's values; `IsOrKey=true`, which DescribeCens takes, ORs the keys too). A key the action
/// does not know is refused rather than ignored, and a filter sent without values holds for
/// every item.
pub struct Filters {
    filters: Vec<(String, Vec<String>)>,
    any: bool,
}

impl Filters {
    pub fn read(p: &Params, known: &[&str]) -> Result<Filters, Error> {
        let mut filters = Vec::new();
        for f in p.items("Filter") {
            let key = f.required("Key")?.to_owned();
            if !known.contains(&key.as_str()) {
                return Err(Error::invalid(
                    "Filter.N.Key",
                    format_args!("'{key}' is not a filter of this action: use one of {}", known.join(", ")),
                ));
            }
            filters.push((key, f.list("Value").into_iter().map(str::to_owned).collect()));
        }
        let any = p.get("IsOrKey").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Ok(Filters { filters, any })
    }

    /// Whether an item passes, `values(key)` giving its values for a key (none when it has none).
    pub fn pass(&self, values: impl Fn(&str) -> Vec<String>) -> bool {
        let holds = |(key, wanted): &(String, Vec<String>)| {
            let have = values(key);
            if wanted.is_empty() { !have.is_empty() } else { have.iter().any(|v| wanted.contains(v)) }
        };
        match (self.filters.is_empty(), self.any) {
            (true, _) => true,
            (false, true) => self.filters.iter().any(holds),
            (false, false) => self.filters.iter().all(holds),
        }
    }

    /// Keeps the answer's items that pass, each item's values being its fields of the key's name.
    pub fn keep(&self, items: &mut Vec<serde_json::Map<String, serde_json::Value>>) {
        items.retain(|item| {
            self.pass(|key| match item.get(key) {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Null) | None => vec![],
                Some(v) => vec![v.to_string()],
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Params {
        let uri: Uri = format!("/?{query}").parse().unwrap();
        Params::read(&uri, &HeaderMap::new(), b"").unwrap()
    }

    #[test]
    fn filters_and_their_keys_or_any_key_with_iskey() {
        let item = |key: &str| match key {
            "CenId" => vec!["cen-1".to_owned()],
            "Name" => vec!["a".to_owned()],
            _ => vec![],
        };
        let read = |q: &str| Filters::read(&params(q), &["CenId", "Name"]);
        assert!(read("").unwrap().pass(item), "no filter holds for every item");
        assert!(read("Filter.1.Key=CenId&Filter.1.Value.1=cen-2&Filter.1.Value.2=cen-1").unwrap().pass(item));
        let both = "Filter.1.Key=CenId&Filter.1.Value.1=cen-1&Filter.2.Key=Name&Filter.2.Value.1=b";
        assert!(!read(both).unwrap().pass(item), "keys AND");
        assert!(read(&format!("{both}&IsOrKey=true")).unwrap().pass(item), "IsOrKey ORs the keys");
        assert!(read("Filter.1.Key=Name").unwrap().pass(item), "a filter without values holds");
        assert!(read("Filter.1.Key=Colour&Filter.1.Value.1=red").is_err(), "an unknown key is refused");
    }

    #[test]
    fn flattened_lists_are_read_in_the_order_of_their_numbers() {
        let p = params(
            "SecurityGroupIds.2=sg-b&SecurityGroupIds.1=sg-a&SecurityGroupIds.10=sg-c&SecurityGroupIdsX.1=no\
             &Permissions.2.IpProtocol=TCP&Permissions.1.IpProtocol=ICMP&Permissions.1.SourceCidrIp=10.0.0.0%2F8\
             &Permissions.x.IpProtocol=no",
        );
        assert_eq!(p.list("SecurityGroupIds"), ["sg-a", "sg-b", "sg-c"]);
        let items = p.items("Permissions");
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].get("IpProtocol"), items[0].get("SourceCidrIp")), (Some("ICMP"), Some("10.0.0.0/8")));
        assert_eq!((items[1].get("IpProtocol"), items[1].get("SourceCidrIp")), (Some("TCP"), None));
        assert!(p.list("Permissions").is_empty(), "objects are not values");
    }

    #[test]
    fn json_lists_are_arrays_of_strings() {
        let p = params("InstanceIds=%5B%22i-1%22%2C%22i-2%22%5D&Bad=i-1");
        assert_eq!(p.json_list("InstanceIds").unwrap(), Some(vec!["i-1".to_owned(), "i-2".to_owned()]));
        assert_eq!(p.json_list("Missing").unwrap(), None);
        assert!(p.json_list("Bad").unwrap_err().to_string().starts_with("Bad"));
    }
}
