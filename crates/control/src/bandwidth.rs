//! Bought bandwidth between regions (seeds 000 and 002): bandwidth packages with their term,
//! payment and binding to a hub; inter-region bandwidths taken from a bound package, whose sum
//! never exceeds it; cross-border permits, without an approved one of which no package joins
//! the Chinese mainland with another area; and the operator's clock, which terms are measured
//! on, so that a test can move a month ahead.
//!
//! A package's status is computed from its term whenever it is read (Normal until `expires_at`,
//! then renewed for another term when auto-renewal is on, else Expired) and written back by the
//! next change that touches it, so that nothing depends on a background job having run.

use base64::Engine;
use sha2::{Digest, Sha256};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::Tx;

use crate::ops::{Deleted, changeable, description, idempotency, list_filter, page, remember, replayed, visible};
use crate::{Audited, Caller, Control, new_id, now};

/// The most documents one permit application carries.
pub const MAX_DOCUMENTS: usize = 10;

macro_rules! audited {
    ($($t:ty),*) => {$(
        impl Audited for $t {
            fn audited_id(&self) -> Option<String> {
                Some(self.id.to_string())
            }
        }
    )*};
}
audited!(BandwidthPackage, InterRegionBandwidth, Permit);

macro_rules! owned {
    ($($t:ty => $id:ty),*) => {$(
        impl crate::ops::Owned for $t {
            const KIND: &'static str = <$id>::KIND;
            fn owner(&self) -> &AccountId {
                &self.account_id
            }
        }
    )*};
}
owned!(InterRegionBandwidth => InterRegionBandwidthId, Permit => PermitId);

impl Audited for Clock {
    fn audited_id(&self) -> Option<String> {
        None
    }
}

/// The service's time: the real clock plus the operator's offset, read in the transaction.
pub(crate) async fn clock(tx: &mut Tx) -> Result<Timestamp> {
    Ok(Timestamp::from_millis(now().millis() + tx.clock_offset().await?))
}

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
    let (PackageStatus::Normal, Some(paid), Some(end)) = (p.status, p.paid_at, p.expires_at) else {
        return p;
    };
    if end > at {
        return p;
    }
    if !p.auto_renew {
        p.status = PackageStatus::Expired;
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

/// How far the operator may move the clock ahead, in all: fifty years.
const MAX_CLOCK_OFFSET_MS: i64 = 50 * 366 * 86_400 * 1000;

/// Whether `a` and `b` need a cross-border permit: one is an area that requires it for
/// bandwidth to any other, and they differ.
fn crosses_border(control: &Control, a: &str, b: &str) -> bool {
    a != b && [a, b].iter().any(|x| control.catalog().area(x).is_some_and(|area| area.cross_border_permit))
}

fn whole(field: &str, v: i64, min: i64, max: i64) -> Result<u32> {
    if (min..=max).contains(&v) {
        Ok(v as u32)
    } else {
        Err(Error::invalid(field, format_args!("{v} is out of range: use {min} to {max}")))
    }
}

/// A package of the caller's, as it stands now.
async fn own_package(tx: &mut Tx, caller: &Caller, id: &BandwidthPackageId) -> Result<BandwidthPackage> {
    let at = clock(tx).await?;
    let p = changeable(caller, tx.bandwidth_package_get(id).await?, |p| &p.account_id, BandwidthPackageId::KIND, id)?;
    Ok(effective(p, at))
}

/// Refuses binding `p` to `hub` when another Normal package with the same area pair is bound.
async fn check_slot(tx: &mut Tx, p: &BandwidthPackage, hub: &HubId, at: Timestamp) -> Result<()> {
    for other in tx.bandwidth_package_list_by_hub(hub).await? {
        let other = effective(other, at);
        if other.id != p.id && other.status == PackageStatus::Normal && other.area_pair() == p.area_pair() {
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
    // ---- the clock ----

    pub async fn clock_get(&self, _caller: &Caller) -> Result<Clock> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                let offset_ms = tx.clock_offset().await?;
                Ok(Clock { now: Timestamp::from_millis(now().millis() + offset_ms), offset_ms })
            })
        })
        .await
    }

    /// Operator only: moves the clock ahead; it never goes back.
    pub async fn clock_advance(&self, caller: &Caller, req: ClockAdvanceRequest) -> Result<Clock> {
        let input = (|| -> Result<_> {
            if caller.account.kind != AccountKind::Operator {
                return Err(Error::Forbidden { message: "only the operator moves the clock".into() });
            }
            Ok(whole("seconds", req.seconds, 1, 10 * 366 * 86_400)? as i64)
        })();
        self.mutate(caller, "clock_advance", input, |tx, seconds| {
            Box::pin(async move {
                let offset_ms = tx.clock_offset().await? + seconds * 1000;
                if offset_ms > MAX_CLOCK_OFFSET_MS {
                    return Err(Error::invalid("seconds", "the clock moves at most fifty years ahead in all"));
                }
                tx.clock_set(offset_ms).await?;
                Ok(Clock { now: Timestamp::from_millis(now().millis() + offset_ms), offset_ms })
            })
        })
        .await
    }

    // ---- bandwidth packages ----

    /// Buys a package. Across the border of the Chinese mainland, only with an approved
    /// permit of the caller's.
    pub async fn bandwidth_package_create(
        &self,
        caller: &Caller,
        req: BandwidthPackageCreateRequest,
    ) -> Result<BandwidthPackage> {
        let who = caller.clone();
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
                status: PackageStatus::PendingPayment,
                hub_id: None,
                hub_on_payment: hub,
                created_at: now(),
                paid_at: None,
                expires_at: None,
            };
            Ok((package, permit, idem))
        })();
        self.mutate(caller, "bandwidth_package_create", input, move |tx, (package, permit, idem)| {
            let caller = who.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, &caller, "bandwidth_package_create", &idem).await? {
                    let id = BandwidthPackageId::from_trusted(id);
                    return tx
                        .bandwidth_package_get(&id)
                        .await?
                        .ok_or_else(|| Error::not_found(BandwidthPackageId::KIND, &id));
                }
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
                    changeable(&caller, tx.hub_get(hub).await?, |h| &h.account_id, HubId::KIND, hub)?;
                }
                tx.bandwidth_package_insert(&package).await?;
                remember(tx, &caller, "bandwidth_package_create", &idem, package.id.as_str()).await?;
                Ok(package)
            })
        })
        .await
    }

    pub async fn bandwidth_package_get(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let id = BandwidthPackageId::parse("bandwidth_package_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(async move {
                let at = clock(tx).await?;
                let p = visible(
                    &who,
                    tx.bandwidth_package_get(&id).await?,
                    |p| &p.account_id,
                    BandwidthPackageId::KIND,
                    &id,
                )?;
                Ok(effective(p, at))
            })
        })
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
            .read(f, |tx, f| {
                Box::pin(async move {
                    let at = clock(tx).await?;
                    let mut rows = tx.bandwidth_package_list(&f).await?;
                    rows.items = rows.items.into_iter().map(|p| effective(p, at)).collect();
                    Ok(rows)
                })
            })
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
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let id = BandwidthPackageId::parse("bandwidth_package_id", id)?;
            let name = req.name.as_deref().map(|n| Name::parse("name", n)).transpose()?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id, name, description, req.auto_renew))
        })();
        self.mutate(caller, "bandwidth_package_modify", input, move |tx, (id, name, description, auto_renew)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut p = own_package(tx, &caller, &id).await?;
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
                    if r && p.status != PackageStatus::Normal {
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
            })
        })
        .await
    }

    /// Pays for a package: Normal from now until the end of its term, and bound to the hub it
    /// was bought for, if any (refused, unpaid, if that hub already has a package for its
    /// areas).
    pub async fn bandwidth_package_pay(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let who = caller.clone();
        let input = BandwidthPackageId::parse("bandwidth_package_id", id);
        self.mutate(caller, "bandwidth_package_pay", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                let mut p = own_package(tx, &caller, &id).await?;
                if p.status != PackageStatus::PendingPayment {
                    return Err(Error::conflict(
                        "BandwidthPackage.AlreadyPaid",
                        format_args!("package {id} is {}: only a package pending payment is paid", p.status),
                    ));
                }
                let at = clock(tx).await?;
                if let Some(hub) = p.hub_on_payment.take() {
                    changeable(&caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                    check_slot(tx, &p, &hub, at).await?;
                    p.hub_id = Some(hub);
                }
                p.status = PackageStatus::Normal;
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
            })
        })
        .await
    }

    /// Binds a Normal package to one of the caller's hubs: one per hub for each area pair.
    pub async fn bandwidth_package_bind(
        &self,
        caller: &Caller,
        id: &str,
        req: BandwidthPackageBindRequest,
    ) -> Result<BandwidthPackage> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            Ok((BandwidthPackageId::parse("bandwidth_package_id", id)?, HubId::parse("hub_id", &req.hub_id)?))
        })();
        self.mutate(caller, "bandwidth_package_bind", input, move |tx, (id, hub)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut p = own_package(tx, &caller, &id).await?;
                changeable(&caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                if p.status != PackageStatus::Normal {
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
            })
        })
        .await
    }

    /// Unbinds a package from its hub; refused while inter-region bandwidths use it.
    pub async fn bandwidth_package_unbind(&self, caller: &Caller, id: &str) -> Result<BandwidthPackage> {
        let who = caller.clone();
        let input = BandwidthPackageId::parse("bandwidth_package_id", id);
        self.mutate(caller, "bandwidth_package_unbind", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                let mut p = own_package(tx, &caller, &id).await?;
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
            })
        })
        .await
    }

    // ---- inter-region bandwidths ----

    /// Assigns bandwidth between two regions of a hub from a package bound to it. The sum on a
    /// package is checked in the same transaction that adds to it, so racing requests cannot
    /// both take the last of it.
    pub async fn inter_region_bandwidth_create(
        &self,
        caller: &Caller,
        req: InterRegionBandwidthCreateRequest,
    ) -> Result<InterRegionBandwidth> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let hub = HubId::parse("hub_id", &req.hub_id)?;
            let package = BandwidthPackageId::parse("bandwidth_package_id", &req.bandwidth_package_id)?;
            let (a, b) = match req.regions.as_slice() {
                [a, b] => (self.catalog().region_id(a)?, self.catalog().region_id(b)?),
                _ => return Err(Error::invalid("regions", "give the two regions to connect")),
            };
            if a == b {
                return Err(Error::invalid("regions", format_args!("{a} twice: give two different regions")));
            }
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let mbps = whole("bandwidth_mbps", req.bandwidth_mbps, 1, 10_000)?;
            Ok((hub, package, a, b, mbps))
        })();
        let catalog = self.catalog().clone();
        self.mutate(caller, "inter_region_bandwidth_create", input, move |tx, (hub, package, a, b, mbps)| {
            let caller = who.clone();
            let catalog = catalog.clone();
            Box::pin(async move {
                changeable(&caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                let p = own_package(tx, &caller, &package).await?;
                if p.status != PackageStatus::Normal {
                    return Err(Error::conflict(
                        "BandwidthPackage.NotNormal",
                        format_args!(
                            "package {package} is {}: only a paid package in its term gives bandwidth",
                            p.status
                        ),
                    ));
                }
                if p.hub_id.as_ref() != Some(&hub) {
                    return Err(Error::rejected(
                        "InterRegionBandwidth.PackageNotBound",
                        format_args!("package {package} is not bound to hub {hub}: bind it first"),
                    ));
                }
                let (area_a, area_b) = (catalog.area_of(&a), catalog.area_of(&b));
                if !p.covers(area_a, area_b) {
                    return Err(Error::rejected(
                        "InterRegionBandwidth.RegionsOutsidePackage",
                        format_args!(
                            "{a} ({area_a}) and {b} ({area_b}) do not lie in package {package}'s areas {} ↔ {}",
                            p.area_a, p.area_b
                        ),
                    ));
                }
                if let Some(same) = tx.inter_region_bandwidth_find(&hub, &a, &b).await? {
                    return Err(Error::conflict(
                        "InterRegionBandwidth.Duplicate",
                        format_args!("{} already assigns {a} ↔ {b} on hub {hub}: modify it instead", same.id),
                    ));
                }
                let (used, _) = tx.inter_region_bandwidth_sum_by_package(&package, None).await?;
                if used + i64::from(mbps) > i64::from(p.bandwidth_mbps) {
                    return Err(Error::conflict(
                        "InterRegionBandwidth.ExceedsPackage",
                        format_args!(
                            "package {package} has {} Mbit/s, {used} of them assigned: {mbps} more would exceed it",
                            p.bandwidth_mbps
                        ),
                    ));
                }
                let irb = InterRegionBandwidth {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    hub_id: hub,
                    bandwidth_package_id: package,
                    region_a: a,
                    region_b: b,
                    bandwidth_mbps: mbps,
                    created_at: now(),
                };
                tx.inter_region_bandwidth_insert(&irb).await?;
                Ok(irb)
            })
        })
        .await
    }

    pub async fn inter_region_bandwidth_get(&self, caller: &Caller, id: &str) -> Result<InterRegionBandwidth> {
        let get: crate::ops::Get<_, _> = |tx, id| Box::pin(tx.inter_region_bandwidth_get(id));
        self.fetch(caller, InterRegionBandwidthId::parse("inter_region_bandwidth_id", id), get).await
    }

    pub async fn inter_region_bandwidth_list(
        &self,
        caller: &Caller,
        q: InterRegionBandwidthListQuery,
    ) -> Result<Page<InterRegionBandwidth>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let hub = q.hub_id.as_deref().map(|h| HubId::parse("hub_id", h)).transpose()?;
        let rows = self
            .read((f, hub), |tx, (f, hub)| {
                Box::pin(async move { tx.inter_region_bandwidth_list(&f, hub.as_ref()).await })
            })
            .await?;
        Ok(page(rows))
    }

    /// Changes an inter-region bandwidth, up or down, within its package.
    pub async fn inter_region_bandwidth_modify(
        &self,
        caller: &Caller,
        id: &str,
        req: InterRegionBandwidthModifyRequest,
    ) -> Result<InterRegionBandwidth> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            Ok((
                InterRegionBandwidthId::parse("inter_region_bandwidth_id", id)?,
                whole("bandwidth_mbps", req.bandwidth_mbps, 1, 10_000)?,
            ))
        })();
        self.mutate(caller, "inter_region_bandwidth_modify", input, move |tx, (id, mbps)| {
            let caller = who.clone();
            Box::pin(async move {
                let found = tx.inter_region_bandwidth_get(&id).await?;
                let mut irb = changeable(&caller, found, |b| &b.account_id, InterRegionBandwidthId::KIND, &id)?;
                let p = own_package(tx, &caller, &irb.bandwidth_package_id).await?;
                if p.status != PackageStatus::Normal {
                    return Err(Error::conflict(
                        "BandwidthPackage.NotNormal",
                        format_args!(
                            "package {} is {}: only a paid package in its term gives bandwidth",
                            p.id, p.status
                        ),
                    ));
                }
                let (used, _) = tx.inter_region_bandwidth_sum_by_package(&p.id, Some(&id)).await?;
                if used + i64::from(mbps) > i64::from(p.bandwidth_mbps) {
                    return Err(Error::conflict(
                        "InterRegionBandwidth.ExceedsPackage",
                        format_args!(
                            "package {} has {} Mbit/s, {used} of them assigned elsewhere: {mbps} would exceed it",
                            p.id, p.bandwidth_mbps
                        ),
                    ));
                }
                irb.bandwidth_mbps = mbps;
                tx.inter_region_bandwidth_update(&irb).await?;
                Ok(irb)
            })
        })
        .await
    }

    pub async fn inter_region_bandwidth_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = InterRegionBandwidthId::parse("inter_region_bandwidth_id", id);
        self.mutate(caller, "inter_region_bandwidth_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                let found = tx.inter_region_bandwidth_get(&id).await?;
                changeable(&caller, found, |b| &b.account_id, InterRegionBandwidthId::KIND, &id)?;
                tx.inter_region_bandwidth_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- cross-border permits ----

    /// Applies for a permit: Pending approval until the operator decides.
    pub async fn permit_create(&self, caller: &Caller, req: PermitCreateRequest) -> Result<Permit> {
        let input = (|| -> Result<_> {
            let text = |field: &str, s: &str, max: usize| -> Result<String> {
                let t = s.trim();
                if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        field,
                        format_args!("give 1 to {max} characters, no control characters"),
                    ));
                }
                Ok(t.to_owned())
            };
            let enterprise = text("enterprise", &req.enterprise, 128)?;
            let representative = text("representative", &req.representative, 64)?;
            if req.documents.is_empty() || req.documents.len() > MAX_DOCUMENTS {
                return Err(Error::invalid(
                    "documents",
                    format_args!("attach 1 to {MAX_DOCUMENTS} signed documents, not {}", req.documents.len()),
                ));
            }
            let mut documents = Vec::new();
            let mut contents = Vec::new();
            for d in &req.documents {
                let name = text("documents.name", &d.name, 128)?;
                let bytes = base64::engine::general_purpose::STANDARD.decode(&d.content_base64).map_err(|_| {
                    Error::invalid("documents.content_base64", format_args!("{name}: not base64 (standard, padded)"))
                })?;
                if bytes.is_empty() {
                    return Err(Error::invalid("documents.content_base64", format_args!("{name} is empty")));
                }
                documents.push(PermitDocument {
                    name,
                    size: bytes.len() as u64,
                    sha256: hex::encode(Sha256::digest(&bytes)),
                });
                contents.push(d.content_base64.clone());
            }
            let permit = Permit {
                id: new_id(),
                account_id: caller.account.id.clone(),
                enterprise,
                representative,
                documents,
                status: PermitStatus::PendingApproval,
                reason: None,
                created_at: now(),
                decided_at: None,
            };
            Ok((permit, contents))
        })();
        self.mutate(caller, "permit_create", input, |tx, (permit, contents)| {
            Box::pin(async move {
                tx.permit_insert(&permit, &contents).await?;
                Ok(permit)
            })
        })
        .await
    }

    pub async fn permit_get(&self, caller: &Caller, id: &str) -> Result<Permit> {
        let get: crate::ops::Get<_, _> = |tx, id| Box::pin(tx.permit_get(id));
        self.fetch(caller, PermitId::parse("permit_id", id), get).await
    }

    /// The caller's applications; the operator's list holds every account's.
    pub async fn permit_list(&self, caller: &Caller, q: PermitListQuery) -> Result<Page<Permit>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.permit_list(&f).await })).await?))
    }

    /// Operator only: approves an application pending approval.
    pub async fn permit_approve(&self, caller: &Caller, id: &str) -> Result<Permit> {
        self.permit_decide(caller, id, None).await
    }

    /// Operator only: rejects an application pending approval, saying why.
    pub async fn permit_reject(&self, caller: &Caller, id: &str, req: PermitRejectRequest) -> Result<Permit> {
        self.permit_decide(caller, id, Some(req)).await
    }

    /// Approval and rejection are one check and one write, told apart by the reason.
    async fn permit_decide(&self, caller: &Caller, id: &str, reject: Option<PermitRejectRequest>) -> Result<Permit> {
        let action = if reject.is_some() { "permit_reject" } else { "permit_approve" };
        let input = (|| -> Result<_> {
            if caller.account.kind != AccountKind::Operator {
                return Err(Error::Forbidden { message: "only the operator approves or rejects permits".into() });
            }
            let id = PermitId::parse("permit_id", id)?;
            let reason = match reject {
                None => None,
                Some(r) if r.reason.trim().is_empty() || r.reason.chars().count() > 255 => {
                    return Err(Error::invalid("reason", "say why, in 1 to 255 characters"));
                }
                Some(r) => Some(r.reason.trim().to_owned()),
            };
            Ok((id, reason))
        })();
        self.mutate(caller, action, input, |tx, (id, reason)| {
            Box::pin(async move {
                let mut p = tx.permit_get(&id).await?.ok_or_else(|| Error::not_found(PermitId::KIND, &id))?;
                if p.status != PermitStatus::PendingApproval {
                    return Err(Error::conflict(
                        "Permit.AlreadyDecided",
                        format_args!("permit {id} is {}: only one pending approval is decided", p.status),
                    ));
                }
                p.status = if reason.is_some() { PermitStatus::Rejected } else { PermitStatus::Approved };
                p.reason = reason;
                p.decided_at = Some(clock(tx).await?);
                tx.permit_update(&p).await?;
                Ok(p)
            })
        })
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
            status: PackageStatus::Normal,
            hub_id: None,
            hub_on_payment: None,
            created_at: at(2026, 11, 22),
            paid_at: Some(at(2026, 11, 22)),
            expires_at: Some(at(2026, 12, 22)),
        };
        assert_eq!(effective(p.clone(), at(2026, 12, 21)).status, PackageStatus::Normal);
        assert_eq!(effective(p.clone(), at(2026, 12, 22)).status, PackageStatus::Expired);
        let renewing = BandwidthPackage { auto_renew: true, ..p };
        let later = effective(renewing, at(2027, 2, 1));
        assert_eq!((later.status, later.expires_at), (PackageStatus::Normal, Some(at(2027, 2, 22))));
    }
}
