//! Bandwidth packages (seeds 000 and 002): bought bandwidth between two areas, with its term,
//! payment and binding to a hub. A package that joins the Chinese mainland with another area
//! needs an approved permit (`permit.rs`); inter-region bandwidths are taken from a bound one.
//!
//! A package's status is computed from its term whenever it is read (Normal until `expires_at`,
//! then renewed for another term when auto-renewal is on, else Expired) and written back by the
//! next change that touches it, so that nothing depends on a background job having run.

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::Tx;

use crate::clock::clock;
use crate::op::{Get, changeable, description, idempotency, list_filter, page, quota, visible};
use crate::{Caller, Control, new_id, now};

/// `t` moved `months` calendar months ahead (the day clamped to the month's length).
pub(crate) fn add_months(t: Timestamp, months: u32) -> Timestamp {
    let at = t.to_offset_date_time();
    let total = at.month() as i32 - 1 + months as i32;
    let year = at.year() + total.div_euclid(12);
    let month = ::time::Month::try_from((total.rem_euclid(12) + 1) as u8).expect("1 to 12");
    let day = at.day().min(::time::util::days_in_month(month, year));
    let date = ::time::Date::from_calendar_date(year, month, day).expect("a valid day");
    Timestamp::from_offset_date_time(at.replace_date(date))
}

/// The package as it stands at `at`: a term that ended is renewed (auto-renewal) or expired.
/// Terms are counted from the payment, so that renewals do not drift with short months.
pub(crate) fn effective(mut p: BandwidthPackage, at: Timestamp) -> BandwidthPackage {
    let (BandwidthPackageStatus::Normal, Some(paid), Some(end)) = (p.status, p.paid_at, p.expires_at) else {
        return p;
    };
    if end > at {
        return p;
    }
    if !p.auto_renew {
        p.status = BandwidthPackageStatus::Expired;
        return p;
    }
    let term = p.billing_mode.months(p.period);
    let mut terms = 1;
    while add_months(paid, term * terms) <= at {
        terms += 1;
    }
    p.expires_at = Some(add_months(paid, term * terms));
    p
}

/// Whether `a` and `b` need a cross-border permit: one is an area that requires it for
/// bandwidth to any other, and they differ.
fn crosses_border(control: &Control, a: &str, b: &str) -> bool {
    a != b && [a, b].iter().any(|x| control.catalog().area(x).is_some_and(|area| area.cross_border_permit))
}

pub(crate) fn whole(field: &str, v: i64, min: i64, max: i64) -> Result<u32> {
    if (min..=max).contains(&v) {
        Ok(v as u32)
    } else {
        Err(Error::invalid(field, format_args!("{v} is out of range: use {min} to {max}")))
    }
}

/// A package of the caller's, as it stands now.
pub(crate) async fn own_package(tx: &mut Tx, caller: &Caller, id: &BandwidthPackageId) -> Result<BandwidthPackage> {
    let at = clock(tx).await?;
    let p = changeable(caller, tx.bandwidth_package_get(id).await?, |p| &p.account_id, BandwidthPackageId::KIND, id)?;
    Ok(effective(p, at))
}

/// Refuses binding `p` to `hub` when another Normal package with the same area pair is bound.
async fn check_slot(tx: &mut Tx, p: &BandwidthPackage, hub: &HubId, at: Timestamp) -> Result<()> {
    for other in tx.bandwidth_package_list_by_hub(hub).await? {
        let other = effective(other, at);
        if other.id != p.id && other.status == BandwidthPackageStatus::Normal && other.area_pair() == p.area_pair() {
            return Err(Error::conflict(
                "BandwidthPackage.AreaPairTaken",
                format_args!(
                    "hub {hub} already has package {} for {} ↔ {}: one package per hub for each area pair",
                    other.id, p.area_a, p.area_b
                ),
            ));
        }
    }
    Ok(())
}

impl Control {
    /// Buys a package. Across the border of the Chinese mainland, only with an approved
    /// permit of the caller's.
    pub async fn bandwidth_package_create(
        &self,
        caller: &Caller,
        req: BandwidthPackageCreateRequest,
    ) -> Result<BandwidthPackage> {
        let limit = self.quotas().bandwidth_packages_per_account;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let name = Name::parse("name", &req.name)?;
            let description = description(&req.description)?;
            let billing_mode = BillingMode::parse("billing_mode", &req.billing_mode)?;
            let period = match billing_mode {
                BillingMode::Monthly => whole("period", req.period, 1, 11)?,
                BillingMode::Yearly => whole("period", req.period, 1, 3)?,
            };
            let bandwidth = whole("bandwidth_mbps", req.bandwidth_mbps, 1, 10_000)?;
            let (a, b) = match req.areas.as_slice() {
                [a] => (a, a),
                [a, b] => (a, b),
                _ => return Err(Error::invalid("areas", "give one area, or the two areas the package joins")),
            };
            let a = self.catalog().area_named("areas", a)?.id.clone();
            let b = self.catalog().area_named("areas", b)?.id.clone();
            let project = Name::parse("enterprise_project", req.enterprise_project.as_deref().unwrap_or("default"))?;
            let hub = req.hub_id.as_deref().map(|h| HubId::parse("hub_id", h)).transpose()?;
            let permit = crosses_border(self, &a, &b);
            let package = BandwidthPackage {
                id: new_id(),
                account_id: caller.account.id.clone(),
                name,
                description,
                billing_mode,
                period,
                auto_renew: req.auto_renew.unwrap_or(false),
                bandwidth_mbps: bandwidth,
                area_a: a,
                area_b: b,
                enterprise_project: project,
                status: BandwidthPackageStatus::PendingPayment,
                hub_id: None,
                hub_on_payment: hub,
                created_at: now(),
                paid_at: None,
                expires_at: None,
            };
            Ok(((package, permit), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.bandwidth_package_get(id));
        self.create(
            caller,
            "bandwidth_package_create",
            input,
            get,
            tx!(|tx, caller, (package, permit)| {
                quota(tx.bandwidth_package_count(&caller.account.id).await?, limit, "bandwidth packages per account")?;
                if permit {
                    let permits = tx.permit_list_by_account(&caller.account.id).await?;
                    if !permits.iter().any(|p| p.status == PermitStatus::Approved) {
                        let pending = permits.iter().find(|p| p.status == PermitStatus::PendingApproval);
                        return Err(match pending {
                            Some(p) => Error::rejected(
                                "BandwidthPackage.PermitPending",
                                format_args!(
                                    "a package joining {} and {} needs an approved cross-border permit; permit {} \
                                 is still pending approval",
                                    package.area_a, package.area_b, p.id
                                ),
                            ),
                            None => Error::rejected(
                                "BandwidthPackage.PermitRequired",
                                format_args!(
                                    "a package joining {} and {} needs an approved cross-border permit, and this \
                                 account has applied for none: `xconnect permit apply --enterprise ... \
                                 --representative ... --document FILE`",
                                    package.area_a, package.area_b
                                ),
                            ),
                        });
                    }
                }
                if let Some(hub) = &package.hub_on_payment {
                    changeable(caller, tx.hub_get(hub).await?, |h| &h.account_id, HubId::KIND, hub)?;
                }
                tx.bandwidth_package_insert(&package).await?;
                Ok(package)
            }),
        )
        .await
    }

    pub async fn bandwidth_package_get(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let id = BandwidthPackageId::parse("bandwidth_package_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                let at = clock(tx).await?;
                let p = visible(
                    caller,
                    tx.bandwidth_package_get(&id).await?,
                    |p| &p.account_id,
                    BandwidthPackageId::KIND,
                    &id,
                )?;
                Ok(effective(p, at))
            }),
        )
        .await
    }

    pub async fn bandwidth_package_list(
        &self,
        caller: &Caller,
        q: BandwidthPackageListQuery,
    ) -> Result<Page<BandwidthPackage>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let mut rows = self
            .read(
                f,
                tx!(|tx, f| {
                    let at = clock(tx).await?;
                    let mut rows = tx.bandwidth_package_list(&f).await?;
                    rows.items = rows.items.into_iter().map(|p| effective(p, at)).collect();
                    Ok(rows)
                }),
            )
            .await?;
        rows.items.shrink_to_fit();
        Ok(page(rows))
    }

    pub async fn bandwidth_package_modify(
        &self,
        caller: &Caller,
        id: &str,
        req: BandwidthPackageModifyRequest,
    ) -> Result<BandwidthPackage> {
        let input = (|| -> Result<_> {
            let id = BandwidthPackageId::parse("bandwidth_package_id", id)?;
            let name = req.name.as_deref().map(|n| Name::parse("name", n)).transpose()?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id, name, description, req.auto_renew))
        })();
        self.mutate(
            caller,
            "bandwidth_package_modify",
            input,
            tx!(|tx, caller, (id, name, description, auto_renew)| {
                let mut p = own_package(tx, caller, &id).await?;
                if let Some(n) = name {
                    p.name = n;
                }
                if let Some(d) = description {
                    p.description = d;
                }
                if let Some(r) = auto_renew {
                    // The package as it stands has just been read (own_package), so the terms
                    // renewed so far are written into expires_at with this change: switching
                    // renewal off keeps them, and on again renews from the current term's end.
                    if r && p.status != BandwidthPackageStatus::Normal {
                        return Err(Error::conflict(
                            "BandwidthPackage.NotNormal",
                            format_args!(
                                "package {id} is {}: only a package in its term renews; buy a new one",
                                p.status
                            ),
                        ));
                    }
                    p.auto_renew = r;
                }
                tx.bandwidth_package_update(&p).await?;
                Ok(p)
            }),
        )
        .await
    }

    /// Pays for a package: Normal from now until the end of its term, and bound to the hub it
    /// was bought for, if any (refused, unpaid, if that hub already has a package for its
    /// areas).
    pub async fn bandwidth_package_pay(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let input = BandwidthPackageId::parse("bandwidth_package_id", id);
        self.mutate(
            caller,
            "bandwidth_package_pay",
            input,
            tx!(|tx, caller, id| {
                let mut p = own_package(tx, caller, &id).await?;
                if p.status != BandwidthPackageStatus::PendingPayment {
                    return Err(Error::conflict(
                        "BandwidthPackage.AlreadyPaid",
                        format_args!("package {id} is {}: only a package pending payment is paid", p.status),
                    ));
                }
                let at = clock(tx).await?;
                if let Some(hub) = p.hub_on_payment.take() {
                    changeable(caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                    check_slot(tx, &p, &hub, at).await?;
                    p.hub_id = Some(hub);
                }
                p.status = BandwidthPackageStatus::Normal;
                p.paid_at = Some(at);
                p.expires_at = Some(add_months(at, p.billing_mode.months(p.period)));
                tx.bandwidth_package_update(&p).await?;
                // The charge-bearing order: the first term, from payment. Renewals follow from it
                // (terms counted from paid_at) for the bill to price.
                let item = format!("{} {}x{} {}", p.area_pair().0, p.area_pair().1, p.period, p.billing_mode.as_str());
                tx.order_insert(&Order {
                    id: new_id(),
                    account_id: p.account_id.clone(),
                    product: OrderProduct::BandwidthPackage,
                    resource_id: p.id.to_string(),
                    region: None,
                    item,
                    bandwidth_mbps: p.bandwidth_mbps,
                    started_at: at,
                    ended_at: None,
                })
                .await?;
                Ok(p)
            }),
        )
        .await
    }

    /// Binds a Normal package to one of the caller's hubs: one per hub for each area pair.
    pub async fn bandwidth_package_bind(
        &self,
        caller: &Caller,
        id: &str,
        req: BandwidthPackageBindRequest,
    ) -> Result<BandwidthPackage> {
        let input = (|| -> Result<_> {
            Ok((BandwidthPackageId::parse("bandwidth_package_id", id)?, HubId::parse("hub_id", &req.hub_id)?))
        })();
        self.mutate(
            caller,
            "bandwidth_package_bind",
            input,
            tx!(|tx, caller, (id, hub)| {
                let mut p = own_package(tx, caller, &id).await?;
                changeable(caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                if p.status != BandwidthPackageStatus::Normal {
                    return Err(Error::conflict(
                        "BandwidthPackage.NotNormal",
                        format_args!("package {id} is {}: only a paid package in its term is bound", p.status),
                    ));
                }
                if let Some(bound) = &p.hub_id {
                    return Err(Error::conflict(
                        "BandwidthPackage.AlreadyBound",
                        format_args!("package {id} is bound to hub {bound}: unbind it first"),
                    ));
                }
                let at = clock(tx).await?;
                check_slot(tx, &p, &hub, at).await?;
                p.hub_id = Some(hub);
                tx.bandwidth_package_update(&p).await?;
                Ok(p)
            }),
        )
        .await
    }

    /// Unbinds a package from its hub; refused while inter-region bandwidths use it.
    pub async fn bandwidth_package_unbind(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let input = BandwidthPackageId::parse("bandwidth_package_id", id);
        self.mutate(
            caller,
            "bandwidth_package_unbind",
            input,
            tx!(|tx, caller, id| {
                let mut p = own_package(tx, caller, &id).await?;
                if p.hub_id.is_none() {
                    return Err(Error::conflict(
                        "BandwidthPackage.NotBound",
                        format_args!("package {id} is bound to no hub"),
                    ));
                }
                let (used, n) = tx.inter_region_bandwidth_sum_by_package(&id, None).await?;
                if n > 0 {
                    return Err(Error::conflict(
                        "BandwidthPackage.InUse",
                        format_args!("{n} inter-region bandwidths ({used} Mbit/s) use package {id}: delete them first"),
                    ));
                }
                p.hub_id = None;
                tx.bandwidth_package_update(&p).await?;
                Ok(p)
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u8, d: u8) -> Timestamp {
        let date = ::time::Date::from_calendar_date(y, ::time::Month::try_from(m).unwrap(), d).unwrap();
        Timestamp::from_offset_date_time(date.midnight().assume_utc())
    }

    #[test]
    fn terms_run_calendar_months() {
        assert_eq!(add_months(at(2026, 1, 31), 1), at(2026, 2, 28));
        assert_eq!(add_months(at(2026, 11, 22), 2), at(2027, 1, 22));
        assert_eq!(add_months(at(2024, 2, 29), 12), at(2025, 2, 28));
    }

    #[test]
    fn a_term_ends_in_expiry_or_renewal() {
        let p = BandwidthPackage {
            id: BandwidthPackageId::from_entropy(&[1; ID_ENTROPY_BYTES]),
            account_id: AccountId::from_entropy(&[2; ID_ENTROPY_BYTES]),
            name: Name::parse("n", "p").unwrap(),
            description: Description::default(),
            billing_mode: BillingMode::Monthly,
            period: 1,
            auto_renew: false,
            bandwidth_mbps: 50,
            area_a: "chinese-mainland".into(),
            area_b: "chinese-mainland".into(),
            enterprise_project: Name::parse("n", "default").unwrap(),
            status: BandwidthPackageStatus::Normal,
            hub_id: None,
            hub_on_payment: None,
            created_at: at(2026, 11, 22),
            paid_at: Some(at(2026, 11, 22)),
            expires_at: Some(at(2026, 12, 22)),
        };
        assert_eq!(effective(p.clone(), at(2026, 12, 21)).status, BandwidthPackageStatus::Normal);
        assert_eq!(effective(p.clone(), at(2026, 12, 22)).status, BandwidthPackageStatus::Expired);
        let renewing = BandwidthPackage { auto_renew: true, ..p };
        let later = effective(renewing, at(2027, 2, 1));
        assert_eq!((later.status, later.expires_at), (BandwidthPackageStatus::Normal, Some(at(2027, 2, 22))));
    }
}
