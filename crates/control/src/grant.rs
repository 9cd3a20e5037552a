//! Grants: a network owner's consent that another account's hub attach its network. A grant is not
//! revoked while it holds an attachment.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::attachment::{either, kind_name, network, network_id};
use crate::op::{Deleted, changeable, list_filter, page, quota};
use crate::{Audited, Caller, Control, new_id, now};

impl Audited for Grant {
    fn audited_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

impl Control {
    /// Lets another account's hub attach one of the caller's VPCs. Nothing about the hub is
    /// checked: it belongs to the grantee, caller attaches under the grant or not at all.
    pub async fn grant_create(&self, caller: &Caller, req: GrantCreateRequest) -> Result<Grant> {
        let limit = self.quotas().grants_per_network;
        let input = (|| -> Result<_> {
            let (kind, id) = network_id(&req.network_type, &req.network_id)?;
            let region = req.region.as_deref().map(|r| self.catalog().region_id(r)).transpose()?;
            let grantee = AccountId::parse("grantee_account_id", &req.grantee_account_id)?;
            let hub = HubId::parse("hub_id", &req.hub_id)?;
            let remarks = Description::parse("remarks", req.remarks.as_deref().unwrap_or(""))?;
            Ok((kind, id, region, grantee, hub, remarks))
        })();
        self.mutate(
            caller,
            "grant_create",
            input,
            tx!(|tx, caller, (kind, id, region, grantee, hub, remarks)| {
                let found = network(tx, kind, &id).await?;
                let net = changeable(caller, found, |n| &n.account_id, kind_name(kind), &id)?;
                if let Some(region) = region.filter(|r| r != &net.region) {
                    return Err(Error::rejected(
                        "Grant.RegionMismatch",
                        format_args!("{} {} is in {}, not in {region}", kind_name(kind), net.id, net.region),
                    ));
                }
                if let Some(g) = tx.grant_find(&net.id, &hub).await? {
                    return Err(Error::conflict(
                        "Grant.Duplicate",
                        format_args!("grant {} already lets hub {hub} attach {}", g.id, net.id),
                    ));
                }
                quota(tx.grant_count_by_network(net.id.as_str()).await?, limit, "grants per network")?;
                let grant = Grant {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    network_type: net.kind,
                    network_id: net.id,
                    region: net.region,
                    grantee_account_id: grantee,
                    hub_id: hub,
                    remarks,
                    created_at: now(),
                };
                tx.grant_insert(&grant).await?;
                Ok(grant)
            }),
        )
        .await
    }

    pub async fn grant_get(&self, caller: &Caller, id: &str) -> Result<Grant> {
        let id = GrantId::parse("grant_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                match tx.grant_get(&id).await? {
                    Some(g) if either(caller, &g.account_id, &g.grantee_account_id) => Ok(g),
                    _ => Err(Error::not_found(GrantId::KIND, &id)),
                }
            }),
        )
        .await
    }

    /// The grants the caller gave.
    pub async fn grant_list(&self, caller: &Caller, q: GrantListQuery) -> Result<Page<Grant>> {
        self.grants(caller, q, false).await
    }

    /// The grants other accounts gave to the caller's hubs.
    pub async fn grant_list_received(&self, caller: &Caller, q: GrantListQuery) -> Result<Page<Grant>> {
        self.grants(caller, q, true).await
    }

    async fn grants(&self, caller: &Caller, q: GrantListQuery, received: bool) -> Result<Page<Grant>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.grant_list(&f, received).await)).await?))
    }

    /// Revokes a grant; refused while the network is attached to the hub under it.
    pub async fn grant_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = GrantId::parse("grant_id", id);
        self.mutate(
            caller,
            "grant_delete",
            input,
            tx!(|tx, caller, id| {
                let g = changeable(caller, tx.grant_get(&id).await?, |g| &g.account_id, GrantId::KIND, &id)?;
                if let Some(a) = tx.attachment_by_network(&g.network_id).await?.filter(|a| a.hub_id == g.hub_id) {
                    return Err(Error::conflict(
                        "Grant.InUse",
                        format_args!(
                            "{} is attached to hub {} under this grant (attachment {}): the hub's owner must \
                         detach it first; revoking detaches nothing",
                            g.network_id, g.hub_id, a.id
                        ),
                    ));
                }
                tx.grant_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
