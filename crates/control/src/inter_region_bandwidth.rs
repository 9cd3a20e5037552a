//! Inter-region bandwidths between a hub's regions, taken from a bound package, whose sum never
//! exceeds it.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::bandwidth_package::{own_package, whole};
use crate::op::{Deleted, changeable, list_filter, page};
use crate::{Caller, Control, new_id, now};

impl Control {
    /// Assigns bandwidth between two regions of a hub from a package bound to it. The sum on a
    /// package is checked in the same transaction that adds to it, so racing requests cannot
    /// both take the last of it.
    pub async fn inter_region_bandwidth_create(
        &self,
        caller: &Caller,
        req: InterRegionBandwidthCreateRequest,
    ) -> Result<InterRegionBandwidth> {
        let input = (|| -> Result<_> {
            let hub = HubId::parse("hub_id", &req.hub_id)?;
            let package = BandwidthPackageId::parse("bandwidth_package_id", &req.bandwidth_package_id)?;
            let (a, b) = match req.regions.as_slice() {
                [a, b] => (self.catalog().region_id(a)?, self.catalog().region_id(b)?),
                _ => return Err(Error::invalid("regions", "give the two regions to connect")),
            };
            if a == b {
                // Two names of one region pass the document's uniqueness; which names one region is
                // the catalogue's to say.
                return Err(Error::rejected(
                    "InterRegionBandwidth.SameRegion",
                    format_args!("regions: {a} twice: give two different regions"),
                ));
            }
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let mbps = whole("bandwidth_mbps", req.bandwidth_mbps, 1, 10_000)?;
            Ok((hub, package, a, b, mbps))
        })();
        let catalog = self.catalog().clone();
        self.mutate(caller, "inter_region_bandwidth_create", input, move |tx, caller, (hub, package, a, b, mbps)| {
            let catalog = catalog.clone();
            Box::pin(async move {
                changeable(caller, tx.hub_get(&hub).await?, |h| &h.account_id, HubId::KIND, &hub)?;
                let p = own_package(tx, caller, &package).await?;
                if p.status != BandwidthPackageStatus::Normal {
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
        let get: crate::op::Get<_, _> = |tx, id| Box::pin(tx.inter_region_bandwidth_get(id));
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
        let rows =
            self.read((f, hub), tx!(|tx, (f, hub)| tx.inter_region_bandwidth_list(&f, hub.as_ref()).await)).await?;
        Ok(page(rows))
    }

    /// Changes an inter-region bandwidth, up or down, within its package.
    pub async fn inter_region_bandwidth_modify(
        &self,
        caller: &Caller,
        id: &str,
        req: InterRegionBandwidthModifyRequest,
    ) -> Result<InterRegionBandwidth> {
        let input = (|| -> Result<_> {
            Ok((
                InterRegionBandwidthId::parse("inter_region_bandwidth_id", id)?,
                whole("bandwidth_mbps", req.bandwidth_mbps, 1, 10_000)?,
            ))
        })();
        self.mutate(
            caller,
            "inter_region_bandwidth_modify",
            input,
            tx!(|tx, caller, (id, mbps)| {
                let found = tx.inter_region_bandwidth_get(&id).await?;
                let mut irb = changeable(caller, found, |b| &b.account_id, InterRegionBandwidthId::KIND, &id)?;
                let p = own_package(tx, caller, &irb.bandwidth_package_id).await?;
                if p.status != BandwidthPackageStatus::Normal {
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
            }),
        )
        .await
    }

    pub async fn inter_region_bandwidth_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = InterRegionBandwidthId::parse("inter_region_bandwidth_id", id);
        self.mutate(
            caller,
            "inter_region_bandwidth_delete",
            input,
            tx!(|tx, caller, id| {
                let found = tx.inter_region_bandwidth_get(&id).await?;
                changeable(caller, found, |b| &b.account_id, InterRegionBandwidthId::KIND, &id)?;
                tx.inter_region_bandwidth_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
