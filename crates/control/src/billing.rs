//! The bill. A statement is drawn up from the account's orders (router interface specs,
//! bandwidth packages, shared ports) and its metered data transfer, priced with the operator's
//! price list, whenever it is asked for: the ledger is a function of what was bought and used,
//! so it cannot drift from them. Running charges are prorated to the second up to the service's
//! clock; prepaid package terms are charged in the month each term starts.

use xconnect_model::billing::*;
use xconnect_model::wire::{StatementQuery, UsageReportRequest};
use xconnect_model::*;

use crate::bandwidth_package::{add_months, effective};
use crate::clock::clock;
use crate::{Audited, Caller, Control, now};

const DEFAULT_PRICES_TOML: &str = include_str!("../default-prices.toml");

/// Parses and checks a price list: every spec priced, no negative price.
pub fn parse_prices(text: &str) -> Result<PriceList, String> {
    let p: PriceList = toml::from_str(text).map_err(|e| format!("the price list is not valid TOML: {e}"))?;
    for spec in RouterInterfaceSpec::ALL {
        if !p.router_interface.contains_key(spec.as_str()) {
            return Err(format!("the price list has no price for router interface spec {spec}"));
        }
    }
    let all = p
        .router_interface
        .values()
        .chain([&p.bandwidth_package.default_per_mbps_month, &p.shared_port.per_mbps_month])
        .chain(p.bandwidth_package.pairs.iter().map(|x| &x.per_mbps_month))
        .chain([&p.shared_port.installation, &p.shared_port.vbr, &p.data_transfer.per_gb_out]);
    if all.into_iter().any(|v| *v < 0) {
        return Err("the price list has a negative price".into());
    }
    if p.shared_port.installation != 0 || p.shared_port.vbr != 0 {
        return Err("in shared-port mode there is no port installation fee and no VBR fee: set both to 0".into());
    }
    if let Some(pair) = p.bandwidth_package.pairs.iter().find(|x| x.areas.is_empty() || x.areas.len() > 2) {
        return Err(format!("a package price names {} areas: name one or two", pair.areas.len()));
    }
    Ok(p)
}

/// Checks that every area a price list names is in the catalogue, so that a misspelt area does
/// not fall back to the default price unnoticed.
pub fn check_price_areas(p: &PriceList, catalog: &Catalog) -> Result<(), String> {
    for area in p.bandwidth_package.pairs.iter().flat_map(|x| x.areas.iter()) {
        if catalog.area(area).is_none() {
            return Err(format!("the price list names area {area}, which the catalogue does not have"));
        }
    }
    Ok(())
}

/// The shipped price list.
pub fn default_prices() -> PriceList {
    parse_prices(DEFAULT_PRICES_TOML).expect("the shipped price list is valid")
}

/// `price × num / den`, rounded half up to the cent.
fn prorate(price: i64, num: i64, den: i64) -> i64 {
    ((i128::from(price) * i128::from(num) * 2 + i128::from(den)) / (2 * i128::from(den))) as i64
}

/// The first instant of a `YYYY-MM` month (UTC), and of the next.
fn month_bounds(month: &str) -> Result<(Timestamp, Timestamp)> {
    let bad = || Error::invalid("month", format_args!("'{month}' is not a month: write YYYY-MM, e.g. 2026-11"));
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(1970..=9998).contains(&y) || month.len() != 7 {
        return Err(bad());
    }
    let month = ::time::Month::try_from(m).map_err(|_| bad())?;
    let date = ::time::Date::from_calendar_date(y, month, 1).map_err(|_| bad())?;
    let start = Timestamp::from_offset_date_time(date.midnight().assume_utc());
    Ok((start, add_months(start, 1)))
}

impl Audited for UsageRecord {
    fn audited_id(&self) -> Option<String> {
        Some(format!("{}@{}", self.counter_id, self.window_start.millis()))
    }
}

impl Control {
    pub fn prices(&self) -> &PriceList {
        &self.inner.prices
    }

    /// An account's statement for a month: its own, or any account's for the operator.
    pub async fn statement_get(&self, caller: &Caller, q: StatementQuery) -> Result<Statement> {
        let (m0, m1) = month_bounds(&q.month)?;
        let asked = q.account_id.as_deref().map(|a| AccountId::parse("account_id", a)).transpose()?;
        let account = caller.list_scope(asked)?.unwrap_or_else(|| caller.account.id.clone());
        let prices = self.prices().clone();
        let month = q.month.clone();
        self.read(
            account,
            tx!(|tx, account| {
                if tx.account_get(&account).await?.is_none() {
                    return Err(Error::not_found(AccountId::KIND, &account));
                }
                let as_of = clock(tx).await?;
                let mut lines = Vec::new();
                let month_ms = m1.millis() - m0.millis();
                for o in tx.order_list_by_account(&account).await? {
                    match o.product {
                        OrderProduct::RouterInterface | OrderProduct::SharedPort => {
                            // Running charges: the part of the month the order ran, up to now.
                            let from = o.started_at.max(m0);
                            let to = o.ended_at.unwrap_or(as_of).min(m1).min(as_of);
                            if to <= from {
                                continue;
                            }
                            let (unit, item) = match o.product {
                                OrderProduct::RouterInterface => (
                                    prices.router_interface.get(&o.item).copied().unwrap_or(0),
                                    format!("{} spec ({} Mbit/s), initiator", o.item, o.bandwidth_mbps),
                                ),
                                _ => (
                                    prices.shared_port.per_mbps_month * i64::from(o.bandwidth_mbps),
                                    format!(
                                        "shared port usage, {} Mbit/s (no installation or VBR fee)",
                                        o.bandwidth_mbps
                                    ),
                                ),
                            };
                            let ran = to.millis() - from.millis();
                            lines.push(StatementLine {
                                product: o.product.as_str().to_owned(),
                                resource_id: o.resource_id.clone(),
                                item,
                                from,
                                to,
                                quantity: format!("{:.3} h of {} h", ran as f64 / 3_600_000.0, month_ms / 3_600_000),
                                unit_price_cents: unit,
                                amount_cents: prorate(unit, ran, month_ms),
                            });
                        }
                        OrderProduct::BandwidthPackage => {
                            // Prepaid terms: each is charged in the month it starts.
                            let id = BandwidthPackageId::from_trusted(o.resource_id.clone());
                            let Some(p) = tx.bandwidth_package_get(&id).await? else { continue };
                            let p = effective(p, as_of);
                            let Some(paid) = p.paid_at else { continue };
                            let months = p.billing_mode.months(p.period);
                            let per = prices.package_per_mbps_month(&p.area_a, &p.area_b);
                            let unit = per * i64::from(p.bandwidth_mbps);
                            // The terms it had: from payment up to its end as it stands (renewals
                            // are written into expires_at when auto-renewal is switched off).
                            let end = p.expires_at.unwrap_or(paid);
                            for k in 0.. {
                                let start = add_months(paid, months * k);
                                if start >= m1 || start > as_of || (k > 0 && start >= end) {
                                    break;
                                }
                                if start < m0 {
                                    continue;
                                }
                                lines.push(StatementLine {
                                    product: o.product.as_str().to_owned(),
                                    resource_id: o.resource_id.clone(),
                                    item: format!(
                                        "term {} ({}): {} Mbit/s {} <> {}, {} months prepaid",
                                        k + 1,
                                        if k == 0 { "first" } else { "renewal" },
                                        p.bandwidth_mbps,
                                        p.area_a,
                                        p.area_b,
                                        months
                                    ),
                                    from: start,
                                    to: add_months(paid, months * (k + 1)),
                                    quantity: format!("{} Mbit/s x {months} months", p.bandwidth_mbps),
                                    unit_price_cents: unit,
                                    amount_cents: unit * i64::from(months),
                                });
                            }
                        }
                        _ => {}
                    }
                }
                // Outbound data transfer, per resource, by the windows that start this month.
                let mut by_resource: std::collections::BTreeMap<String, (i128, Timestamp, Timestamp)> =
                    Default::default();
                for u in tx.usage_list(&account, m0, m1).await? {
                    let end = Timestamp::from_millis(u.window_start.millis() + u.window_seconds * 1000);
                    let e = by_resource.entry(u.resource_id.clone()).or_insert((0, u.window_start, end));
                    e.0 += i128::from(u.bytes_out);
                    e.1 = e.1.min(u.window_start);
                    e.2 = e.2.max(end);
                }
                for (resource, (bytes, from, to)) in by_resource {
                    let unit = prices.data_transfer.per_gb_out;
                    lines.push(StatementLine {
                        product: "data_transfer".into(),
                        resource_id: resource,
                        item: "outbound data transfer".into(),
                        from,
                        to,
                        quantity: format!("{:.9} GB", bytes as f64 / 1e9),
                        unit_price_cents: unit,
                        // Reports are capped per window, so a month's bytes fit in i128.
                        amount_cents: ((i128::from(unit) * bytes * 2 + 1_000_000_000) / 2_000_000_000) as i64,
                    });
                }
                let total_cents = lines.iter().map(|l| l.amount_cents).sum();
                Ok(Statement {
                    account_id: account,
                    month,
                    currency: prices.currency.clone(),
                    as_of,
                    lines,
                    total_cents,
                })
            }),
        )
        .await
    }

    /// Operator only (the data plane): records one counter window's outbound bytes, once.
    pub async fn usage_report(&self, caller: &Caller, req: UsageReportRequest) -> Result<UsageRecord> {
        let input = (|| -> Result<_> {
            if caller.account.kind != AccountKind::Operator {
                return Err(Error::Forbidden { message: "only the operator's data plane reports usage".into() });
            }
            let account = AccountId::parse("account_id", &req.account_id)?;
            let ok = |s: &str| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic());
            if !ok(&req.counter_id) {
                return Err(Error::invalid("counter_id", "use 1 to 128 printable ASCII characters"));
            }
            if !ok(&req.resource_id) {
                return Err(Error::invalid("resource_id", "use 1 to 128 printable ASCII characters"));
            }
            let start = Timestamp::parse("window_start", &req.window_start)?;
            if !(1..=86_400).contains(&req.window_seconds) {
                return Err(Error::invalid("window_seconds", "use 1 to 86400"));
            }
            if start.checked_add_millis(req.window_seconds * 1000).is_none() {
                return Err(Error::rejected(
                    "Usage.WindowOutOfTime",
                    "window_start: the window must end by 9999-12-31T23:59:59Z",
                ));
            }
            // At most 100 Gbit/s for the whole window: more is not a count but a fault.
            let most = req.window_seconds * 12_500_000_000;
            if !(0..=most).contains(&req.bytes_out) {
                return Err(Error::rejected(
                    "Usage.TooManyBytes",
                    format_args!(
                        "bytes_out: {} is out of range for a {} s window: 0 to {most}",
                        req.bytes_out, req.window_seconds
                    ),
                ));
            }
            Ok(UsageRecord {
                account_id: account,
                counter_id: req.counter_id.clone(),
                resource_id: req.resource_id.clone(),
                window_start: start,
                window_seconds: req.window_seconds,
                bytes_out: req.bytes_out,
                recorded_at: now(),
            })
        })();
        self.mutate(caller, "usage_report", input, tx!(|tx, _, u| {
            if tx.account_get(&u.account_id).await?.is_none() {
                return Err(Error::not_found(AccountId::KIND, &u.account_id));
            }
            match tx.usage_get(&u.counter_id, u.window_start).await? {
                // The same report again: recorded once, answered as it was.
                Some(old)
                    if old.bytes_out == u.bytes_out
                        && old.window_seconds == u.window_seconds
                        && old.account_id == u.account_id
                        && old.resource_id == u.resource_id =>
                {
                    Ok(old)
                }
                Some(old) => Err(Error::conflict(
                    "Usage.WindowConflict",
                    format_args!(
                        "counter {} already reported {} bytes for the window starting {}: a window is recorded once",
                        old.counter_id, old.bytes_out, old.window_start
                    ),
                )),
                None => {
                    // Windows of one counter do not overlap: bytes are counted once.
                    if let Some(o) = tx.usage_overlapping(&u.counter_id, u.window_start, u.window_seconds).await? {
                        return Err(Error::conflict(
                            "Usage.WindowOverlap",
                            format_args!(
                                "counter {} already reported the window starting {} ({} s), which overlaps this one",
                                o.counter_id, o.window_start, o.window_seconds
                            ),
                        ));
                    }
                    tx.usage_insert(&u).await?;
                    Ok(u)
                }
            }
        }))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_prices_cover_every_spec() {
        let p = default_prices();
        assert_eq!(p.package_per_mbps_month("north-america", "chinese-mainland"), 9000);
        assert_eq!(p.package_per_mbps_month("chinese-mainland", "chinese-mainland"), 1500);
        assert_eq!(p.package_per_mbps_month("europe", "europe"), p.bandwidth_package.default_per_mbps_month);
        assert!(parse_prices(&DEFAULT_PRICES_TOML.replace("\"Mini.2\" = 1000\n", "")).is_err());
        assert!(parse_prices(&DEFAULT_PRICES_TOML.replace("vbr = 0", "vbr = 100")).is_err(), "no VBR fee");
        check_price_areas(&p, &crate::default_catalog()).unwrap();
    }

    #[test]
    fn months_and_rounding() {
        let (a, b) = month_bounds("2026-11").unwrap();
        assert_eq!(b.millis() - a.millis(), 30 * 86_400_000);
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "9999-12", "0000-01"] {
            assert!(month_bounds(bad).is_err(), "{bad}");
        }
        assert_eq!(prorate(1000, 1, 2), 500);
        assert_eq!(prorate(1, 1, 2), 1, "half a cent rounds up");
        assert_eq!(prorate(8, 1_500_000_000, 1_000_000_000), 12);
    }
}
