//! Every action this front answers: its product, version, name and the control operation it
//! translates to, in one list that dispatch reads and the README's table is made from (a test
//! holds the two together).

use futures_util::future::BoxFuture;
use serde_json::Value;
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::Error;

use crate::params::Params;

/// An action's answer: its fields, beside the `RequestId` dispatch adds.
pub type Fields = serde_json::Map<String, Value>;

/// Runs an action for a caller.
pub type Run = for<'a> fn(&'a AppState, &'a Caller, &'a Params) -> BoxFuture<'a, Result<Fields, Error>>;

pub struct Action {
    /// Alibaba's product: VPC, CBN, ECS, NIS.
    pub product: &'static str,
    /// The API version its SDK sends (`2016-04-28` for VPC).
    pub version: &'static str,
    pub name: &'static str,
    /// The control operations it calls, for the README's table.
    pub operations: &'static str,
    pub run: Run,
}

fn all() -> impl Iterator<Item = &'static Action> {
    // By product (VPC, CBN, ECS, NIS), then resource: the README's table reads in this order.
    crate::vpc::ACTIONS
        .iter()
        .chain(crate::vswitch::ACTIONS)
        .chain(crate::route::ACTIONS)
        .chain(crate::router_interface::ACTIONS)
        .chain(crate::grant::ACTIONS)
        .chain(crate::physical_connection::ACTIONS)
        .chain(crate::vbr::ACTIONS)
        .chain(crate::cen::ACTIONS)
        .chain(crate::cen_bandwidth::ACTIONS)
        .chain(crate::security_group::ACTIONS)
        .chain(crate::instance::ACTIONS)
        .chain(crate::nis::ACTIONS)
}

/// The fields of a JSON object (none for any other value).
pub fn fields(v: Value) -> Fields {
    match v {
        Value::Object(map) => map,
        _ => Fields::new(),
    }
}

/// Alibaba's paging over a whole list: the `PageNumber`th page of `PageSize` items (`default`
/// to `max` a page), with the numbers the answer states.
pub struct Paged<'a, T> {
    pub items: &'a [T],
    pub total: usize,
    pub page_number: u32,
    pub page_size: u32,
}

impl<T> Paged<'_, T> {
    /// A paged Describe's answer: the page's numbers, and `items` (this page's, as shown) under
    /// `{outer: {inner: [...]}}`, as Alibaba nests its lists.
    pub fn answer(&self, outer: &str, inner: &str, items: Vec<Value>) -> Fields {
        let mut out = Fields::new();
        out.insert("TotalCount".into(), self.total.into());
        out.insert("PageNumber".into(), self.page_number.into());
        out.insert("PageSize".into(), self.page_size.into());
        out.insert(outer.into(), serde_json::json!({ inner: items }));
        out
    }
}

pub fn paged<'a, T>(all: &'a [T], p: &Params, default: u32, max: u32) -> Result<Paged<'a, T>, Error> {
    let paging = crate::params::Paging::read_with(p, default, max)?;
    Ok(Paged { items: paging.of(all), total: all.len(), page_number: paging.number, page_size: paging.size })
}

/// The action a request names, if this front answers it.
pub fn find(version: Option<&str>, name: Option<&str>) -> Option<&'static Action> {
    let (version, name) = (version?, name?);
    all().find(|a| a.version == version && a.name == name)
}

/// The supported actions as `(product, version, action, control operations)`, in the order
/// the README's table lists them.
pub fn supported() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    all().map(|a| (a.product, a.version, a.name, a.operations)).collect()
}

/// The README's table of supported actions, made from [`supported`]: a test compares it with
/// the README, so the two cannot drift.
pub fn readme_table() -> String {
    let mut out = String::from("| product | version | action | control operations |\n|---|---|---|---|\n");
    for (product, version, action, operations) in supported() {
        out.push_str(&format!("| {product} | {version} | `{action}` | {operations} |\n"));
    }
    out
}

/// Every item of a control list, read page by page: `fetch` asks for the page after the token it
/// is given (none for the first). Alibaba's lists count and page the whole list themselves.
pub async fn every_page<T, F>(mut fetch: impl FnMut(Option<String>) -> F) -> Result<Vec<T>, Error>
where
    F: std::future::Future<Output = Result<xconnect_model::wire::Page<T>, Error>>,
{
    let mut out = Vec::new();
    let mut next_token = None;
    loop {
        let page = fetch(next_token).await?;
        out.extend(page.items);
        match page.next_token {
            Some(t) => next_token = Some(t),
            None => return Ok(out),
        }
    }
}
