//! Peering through router interfaces (seeds 001 and 003): each account creates its own side,
//! names the other side, and the initiator connects the pair. Connecting is the one operation
//! that changes two accounts' resources, and so the one place where both sides are checked
//! against each other, in one transaction, with one error code per mismatch.
//!
//! What a caller learns of another account's interface: nothing, until that interface names the
//! caller's own as its peer. Connecting to an interface that does not exist and to one that does
//! not name you back fail alike; only once the other owner has consented do the mismatches
//! (account, region, VRouter, role, status) say what the other side holds.

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::RouterInterfaceFilter;

use crate::op::{
    Deleted, Get, Save, changeable, counted, description, idempotency, list_filter, opt_name, page, quota, unused,
};
use crate::{Caller, Control, new_id, now};

/// A connect, set-peer, activate or deactivate refused because of the interface's status.
fn incorrect_status(ri: &RouterInterface, wanted: &str, action: &str) -> Error {
    Error::conflict(
        "RouterInterface.IncorrectStatus",
        format_args!("router interface {} is {}; only {wanted} interfaces can be {action}", ri.id, ri.status),
    )
}

/// The answer for a peer that does not exist, is not visible, or does not name the caller's
/// interface: the same words for all three, so that nobody learns of an interface whose owner
/// has not named them.
fn peer_not_confirmed(ri: &RouterInterface, peer: &RouterInterfacePeer) -> Error {
    Error::rejected(
        "RouterInterface.PeerNotConfirmed",
        format_args!(
            "router interface {} of account {} does not exist or does not name {} as its peer yet: its owner must \
             run `xconnect router-interface set-peer {} --peer-account {} --peer-vrouter {} --peer-interface {}`",
            peer.router_interface_id,
            peer.account_id,
            ri.id,
            peer.router_interface_id,
            ri.account_id,
            ri.vrouter_id,
            ri.id
        ),
    )
}

/// Every way two sides that name each other can still disagree, checked from `i` (the
/// initiator) to `p` and back, each with its own code. The first disagreement found is reported.
fn mismatch(i: &RouterInterface, p: &RouterInterface) -> Option<Error> {
    let ip = i.peer.as_ref()?;
    let pp = p.peer.as_ref()?;
    let side = |a: &RouterInterface, b: &RouterInterface, what: &str, named: &str, actual: &str| {
        format!("{} names {named} as {what}, but {} {}", a.id, b.id, actual)
    };
    if ip.account_id != p.account_id {
        let msg = side(i, p, "its peer's account", ip.account_id.as_str(), &format!("belongs to {}", p.account_id));
        return Some(Error::rejected("RouterInterface.PeerAccountMismatch", msg));
    }
    if pp.account_id != i.account_id {
        let msg = side(p, i, "its peer's account", pp.account_id.as_str(), &format!("belongs to {}", i.account_id));
        return Some(Error::rejected("RouterInterface.PeerAccountMismatch", msg));
    }
    if i.peer_region != p.region {
        let msg = side(i, p, "its peer region", i.peer_region.as_str(), &format!("is in {}", p.region));
        return Some(Error::rejected("RouterInterface.PeerRegionMismatch", msg));
    }
    if p.peer_region != i.region {
        let msg = side(p, i, "its peer region", p.peer_region.as_str(), &format!("is in {}", i.region));
        return Some(Error::rejected("RouterInterface.PeerRegionMismatch", msg));
    }
    if ip.vrouter_id != p.vrouter_id {
        let msg = side(i, p, "its peer's VRouter", ip.vrouter_id.as_str(), &format!("is in {}", p.vrouter_id));
        return Some(Error::rejected("RouterInterface.PeerVRouterMismatch", msg));
    }
    if pp.vrouter_id != i.vrouter_id {
        let msg = side(p, i, "its peer's VRouter", pp.vrouter_id.as_str(), &format!("is in {}", i.vrouter_id));
        return Some(Error::rejected("RouterInterface.PeerVRouterMismatch", msg));
    }
    if p.role != RouterInterfaceRole::Acceptor {
        return Some(Error::rejected(
            "RouterInterface.PeerNotAcceptor",
            format_args!("{} is an initiator too: a pair is one initiator and one acceptor", p.id),
        ));
    }
    if p.status != RouterInterfaceStatus::Idle {
        return Some(Error::conflict(
            "RouterInterface.PeerNotIdle",
            format_args!("{} is {}: only an Idle acceptor can be connected", p.id, p.status),
        ));
    }
    None
}

impl Control {
    /// One side of a peering in a VPC's VRouter. An initiator's spec becomes its order.
    pub async fn router_interface_create(
        &self,
        caller: &Caller,
        req: RouterInterfaceCreateRequest,
    ) -> Result<RouterInterface> {
        let limit = self.quotas().router_interfaces_per_vrouter;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vpc_id = VpcId::parse("vpc_id", &req.vpc_id)?;
            let role = RouterInterfaceRole::parse("role", &req.role)?;
            let local = req.region.as_deref().map(|r| self.catalog().region_id(r)).transpose()?;
            let peer_region = self.catalog().region_id(&req.peer_region)?;
            let spec = match (role, req.spec.as_deref()) {
                (RouterInterfaceRole::Initiator, Some(s)) => Some(RouterInterfaceSpec::parse("spec", s)?),
                (RouterInterfaceRole::Initiator, None) => {
                    return Err(Error::invalid("spec", "an initiator needs a spec, such as Mini.2 or Large.1"));
                }
                (RouterInterfaceRole::Acceptor, None) => None,
                (RouterInterfaceRole::Acceptor, Some(s))
                    if s.eq_ignore_ascii_case(RouterInterfaceSpec::ACCEPTOR_DEFAULT) =>
                {
                    None
                }
                (RouterInterfaceRole::Acceptor, Some(s)) => {
                    return Err(Error::invalid(
                        "spec",
                        format_args!(
                            "'{s}': an acceptor's spec follows its initiator's; leave spec out (or say Default)"
                        ),
                    ));
                }
            };
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok(((vpc_id, local, role, peer_region, spec, name, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.router_interface_get(id));
        self.create(
            caller,
            "router_interface_create",
            input,
            get,
            tx!(|tx, caller, (vpc_id, local, role, peer_region, spec, name, description)| {
                let vpc = changeable(caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                if let Some(local) = local.filter(|r| r != &vpc.region) {
                    return Err(Error::rejected(
                        "RouterInterface.RegionMismatch",
                        format_args!("VPC {} is in {}, not in {local}", vpc.id, vpc.region),
                    ));
                }
                quota(tx.router_interface_count(&vpc.vrouter_id).await?, limit, "router interfaces per VRouter")?;
                // On the service's clock, which statements measure charges on.
                let at = crate::clock::clock(tx).await?;
                let ri = RouterInterface {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vpc_id: vpc.id,
                    vrouter_id: vpc.vrouter_id,
                    region: vpc.region,
                    role,
                    spec,
                    status: RouterInterfaceStatus::Idle,
                    peer_region,
                    peer: None,
                    name,
                    description,
                    created_at: at,
                    connected_at: None,
                };
                tx.router_interface_insert(&ri).await?;
                // The initiator buys the bandwidth; the acceptor pays nothing.
                if let Some(spec) = ri.spec {
                    let order = Order {
                        id: new_id(),
                        account_id: ri.account_id.clone(),
                        product: OrderProduct::RouterInterface,
                        resource_id: ri.id.to_string(),
                        region: Some(ri.region.clone()),
                        item: spec.as_str().to_owned(),
                        bandwidth_mbps: spec.mbps(),
                        started_at: at,
                        ended_at: None,
                    };
                    tx.order_insert(&order).await?;
                }
                Ok(ri)
            }),
        )
        .await
    }

    pub async fn router_interface_get(&self, caller: &Caller, id: &str) -> Result<RouterInterface> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.router_interface_get(id));
        self.fetch(caller, RouterInterfaceId::parse("router_interface_id", id), get).await
    }

    pub async fn router_interface_list(
        &self,
        caller: &Caller,
        q: RouterInterfaceListQuery,
    ) -> Result<Page<RouterInterface>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let more = RouterInterfaceFilter {
            status: q.status.as_deref().map(|s| RouterInterfaceStatus::parse("status", s)).transpose()?,
            role: q.role.as_deref().map(|r| RouterInterfaceRole::parse("role", r)).transpose()?,
        };
        let rows = self.read((f, more), tx!(|tx, (f, more)| tx.router_interface_list(&f, &more).await)).await?;
        Ok(page(rows))
    }

    pub async fn router_interface_modify(
        &self,
        caller: &Caller,
        id: &str,
        req: ModifyRequest,
    ) -> Result<RouterInterface> {
        let id = RouterInterfaceId::parse("router_interface_id", id);
        let (get, save): (Get<_, _>, Save<_>) =
            (|tx, id| Box::pin(tx.router_interface_get(id)), |tx, r| Box::pin(tx.router_interface_update(r)));
        self.rename(caller, "router_interface_modify", id, req, get, save).await
    }

    /// Records the other side. Nothing about the other side is checked here: it belongs to
    /// another account; connecting checks it.
    pub async fn router_interface_set_peer(
        &self,
        caller: &Caller,
        id: &str,
        req: RouterInterfacePeerRequest,
    ) -> Result<RouterInterface> {
        let input = (|| -> Result<_> {
            let id = RouterInterfaceId::parse("router_interface_id", id)?;
            let peer = RouterInterfacePeer {
                account_id: AccountId::parse("peer_account_id", &req.peer_account_id)?,
                vrouter_id: VRouterId::parse("peer_vrouter_id", &req.peer_vrouter_id)?,
                router_interface_id: RouterInterfaceId::parse(
                    "peer_router_interface_id",
                    &req.peer_router_interface_id,
                )?,
            };
            let region = req.peer_region.as_deref().map(|r| self.catalog().region_id(r)).transpose()?;
            if peer.router_interface_id == id {
                return Err(Error::rejected(
                    "RouterInterface.OwnPeer",
                    "peer_router_interface_id: an interface cannot be its own peer",
                ));
            }
            Ok((id, peer, region))
        })();
        self.mutate(
            caller,
            "router_interface_set_peer",
            input,
            tx!(|tx, caller, (id, peer, region)| {
                let found = tx.router_interface_get(&id).await?;
                let mut ri = changeable(caller, found, |r| &r.account_id, RouterInterfaceId::KIND, &id)?;
                if ri.status != RouterInterfaceStatus::Idle {
                    return Err(incorrect_status(&ri, "Idle", "given a new peer"));
                }
                if peer.vrouter_id == ri.vrouter_id {
                    return Err(Error::rejected(
                        "RouterInterface.SameVRouter",
                        format_args!(
                            "{} is {}'s own VRouter: a pair joins two different VRouters",
                            peer.vrouter_id, ri.id
                        ),
                    ));
                }
                ri.peer = Some(peer);
                if let Some(region) = region {
                    ri.peer_region = region;
                }
                tx.router_interface_update(&ri).await?;
                Ok(ri)
            }),
        )
        .await
    }

    /// Connects an initiator to its acceptor: both become Active, and the acceptor takes the
    /// initiator's spec. Refused, changing nothing, unless both sides name each other
    /// consistently and both are Idle, and no other pair joins the two VRouters.
    pub async fn router_interface_connect(&self, caller: &Caller, id: &str) -> Result<RouterInterface> {
        let input = RouterInterfaceId::parse("router_interface_id", id);
        self.mutate(
            caller,
            "router_interface_connect",
            input,
            tx!(|tx, caller, id| {
                let found = tx.router_interface_get(&id).await?;
                let mut i = changeable(caller, found, |r| &r.account_id, RouterInterfaceId::KIND, &id)?;
                if i.role != RouterInterfaceRole::Initiator {
                    return Err(Error::rejected(
                        "RouterInterface.NotInitiator",
                        format_args!(
                            "{} is an acceptor: only the initiator can initiate the connection; ask its peer's \
                         owner to connect",
                            i.id
                        ),
                    ));
                }
                let Some(named) = i.peer.clone() else {
                    return Err(Error::rejected(
                        "RouterInterface.PeerNotSet",
                        format_args!(
                            "{} has no peer yet: name the acceptor first with `xconnect router-interface set-peer \
                         {} --peer-account ... --peer-vrouter ... --peer-interface ...`",
                            i.id, i.id
                        ),
                    ));
                };
                if i.status != RouterInterfaceStatus::Idle {
                    return Err(incorrect_status(&i, "Idle", "connected"));
                }
                let mut p = match tx.router_interface_get(&named.router_interface_id).await? {
                    Some(p) if p.peer.as_ref().is_some_and(|pp| pp.router_interface_id == i.id) => p,
                    _ => return Err(peer_not_confirmed(&i, &named)),
                };
                if let Some(e) = mismatch(&i, &p) {
                    return Err(e);
                }
                // A connected side whose peer is gone (deleted) is no pair: it does not count.
                let mut pair = None;
                for other in tx.router_interface_connected_between(&i.vrouter_id, &p.vrouter_id).await? {
                    let far = other.peer.as_ref().map(|p| p.router_interface_id.clone());
                    let whole = match far {
                        Some(far) => tx.router_interface_get(&far).await?.is_some_and(|f| f.names(&other)),
                        None => false,
                    };
                    if whole {
                        pair = Some(other);
                        break;
                    }
                }
                if let Some(other) = pair {
                    return Err(Error::conflict(
                        "RouterInterface.PairExists",
                        format_args!(
                            "VRouters {} and {} are already joined (router interface {} is {}): one pair per two \
                         VRouters",
                            i.vrouter_id, p.vrouter_id, other.id, other.status
                        ),
                    ));
                }
                let at = now();
                for side in [&mut i, &mut p] {
                    side.status = RouterInterfaceStatus::Active;
                    side.connected_at = Some(at);
                }
                p.spec = i.spec;
                tx.router_interface_update(&p).await?;
                tx.router_interface_update(&i).await?;
                Ok(i)
            }),
        )
        .await
    }

    /// Takes one side of a pair out of service: the pair carries nothing until it is activated.
    pub async fn router_interface_deactivate(&self, caller: &Caller, id: &str) -> Result<RouterInterface> {
        self.router_interface_switch(caller, id, false).await
    }

    /// Puts a deactivated side back in service, if its peer still names it.
    pub async fn router_interface_activate(&self, caller: &Caller, id: &str) -> Result<RouterInterface> {
        self.router_interface_switch(caller, id, true).await
    }

    async fn router_interface_switch(&self, caller: &Caller, id: &str, on: bool) -> Result<RouterInterface> {
        let input = RouterInterfaceId::parse("router_interface_id", id);
        let action = if on { "router_interface_activate" } else { "router_interface_deactivate" };
        self.mutate(
            caller,
            action,
            input,
            tx!(|tx, caller, id| {
                let found = tx.router_interface_get(&id).await?;
                let mut ri = changeable(caller, found, |r| &r.account_id, RouterInterfaceId::KIND, &id)?;
                if on {
                    if ri.status != RouterInterfaceStatus::Inactive {
                        return Err(incorrect_status(&ri, "Inactive", "activated"));
                    }
                    let named = ri.peer.clone().ok_or_else(|| Error::internal("a connected interface has no peer"))?;
                    match tx.router_interface_get(&named.router_interface_id).await? {
                        Some(p) if p.names(&ri) => {}
                        _ => return Err(peer_not_confirmed(&ri, &named)),
                    }
                    ri.status = RouterInterfaceStatus::Active;
                } else {
                    if ri.status != RouterInterfaceStatus::Active {
                        return Err(incorrect_status(&ri, "Active", "deactivated"));
                    }
                    ri.status = RouterInterfaceStatus::Inactive;
                }
                tx.router_interface_update(&ri).await?;
                Ok(ri)
            }),
        )
        .await
    }

    /// Deletes one side; refused while it is Active or routes use it. Its order ends.
    pub async fn router_interface_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = RouterInterfaceId::parse("router_interface_id", id);
        self.mutate(
            caller,
            "router_interface_delete",
            input,
            tx!(|tx, caller, id| {
                let found = tx.router_interface_get(&id).await?;
                let ri = changeable(caller, found, |r| &r.account_id, RouterInterfaceId::KIND, &id)?;
                if ri.status == RouterInterfaceStatus::Active {
                    return Err(Error::conflict(
                        "RouterInterface.StillActive",
                        format_args!(
                            "{} is Active: deactivate it first (`xconnect router-interface deactivate {}`)",
                            ri.id, ri.id
                        ),
                    ));
                }
                let routes = tx.route_entry_count_by_next_hop(ri.id.as_str()).await?;
                unused(format!("router interface {id}"), counted(&[("route entries", routes)]))?;
                // Its peer, if still paired with it, is left Inactive: a pair with one side
                // gone carries nothing, and says so.
                if let Some(named) = &ri.peer
                    && let Some(mut p) = tx.router_interface_get(&named.router_interface_id).await?
                    && p.names(&ri)
                    && p.status == RouterInterfaceStatus::Active
                {
                    p.status = RouterInterfaceStatus::Inactive;
                    tx.router_interface_update(&p).await?;
                }
                let at = crate::clock::clock(tx).await?;
                tx.order_end(ri.id.as_str(), at).await?;
                tx.router_interface_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(n: char, role: RouterInterfaceRole, region: &str, peer_of: char, peer_region: &str) -> RouterInterface {
        let id = |prefix: &str, c: char| format!("{prefix}{}", c.to_string().repeat(24));
        RouterInterface {
            id: RouterInterfaceId::from_trusted(id("ri-", n)),
            account_id: AccountId::from_trusted(id("acc-", n)),
            vpc_id: VpcId::from_trusted(id("vpc-", n)),
            vrouter_id: VRouterId::from_trusted(id("vrt-", n)),
            region: RegionId::from_trusted(region.into()),
            role,
            spec: None,
            status: RouterInterfaceStatus::Idle,
            peer_region: RegionId::from_trusted(peer_region.into()),
            peer: Some(RouterInterfacePeer {
                account_id: AccountId::from_trusted(id("acc-", peer_of)),
                vrouter_id: VRouterId::from_trusted(id("vrt-", peer_of)),
                router_interface_id: RouterInterfaceId::from_trusted(id("ri-", peer_of)),
            }),
            name: None,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
            connected_at: None,
        }
    }

    /// Every disagreement between two sides that name each other, made on either side, is
    /// found with its own code. `PeerNotIdle` cannot be reached through the API today (an
    /// acceptor leaves Idle only with the initiator it names, and is given a new peer only while
    /// Idle), so it is kept as a guard and checked here.
    #[test]
    fn every_mismatch_of_a_pair_is_found_from_either_side() {
        let i = side('a', RouterInterfaceRole::Initiator, "cn-hangzhou", 'b', "cn-qingdao");
        let p = side('b', RouterInterfaceRole::Acceptor, "cn-qingdao", 'a', "cn-hangzhou");
        assert_eq!(mismatch(&i, &p), None);
        let other = side('c', RouterInterfaceRole::Acceptor, "cn-beijing", 'c', "cn-beijing");
        type Change = fn(&mut RouterInterface, &mut RouterInterface, &RouterInterface);
        let cases: [(&str, Change, &str); 8] = [
            (
                "initiator names a wrong account",
                |i, _, o| i.peer.as_mut().unwrap().account_id = o.account_id.clone(),
                "RouterInterface.PeerAccountMismatch",
            ),
            (
                "acceptor names a wrong account",
                |_, p, o| p.peer.as_mut().unwrap().account_id = o.account_id.clone(),
                "RouterInterface.PeerAccountMismatch",
            ),
            (
                "initiator names a wrong region",
                |i, _, o| i.peer_region = o.region.clone(),
                "RouterInterface.PeerRegionMismatch",
            ),
            (
                "acceptor names a wrong region",
                |_, p, o| p.peer_region = o.region.clone(),
                "RouterInterface.PeerRegionMismatch",
            ),
            (
                "initiator names a wrong VRouter",
                |i, _, o| i.peer.as_mut().unwrap().vrouter_id = o.vrouter_id.clone(),
                "RouterInterface.PeerVRouterMismatch",
            ),
            (
                "acceptor names a wrong VRouter",
                |_, p, o| p.peer.as_mut().unwrap().vrouter_id = o.vrouter_id.clone(),
                "RouterInterface.PeerVRouterMismatch",
            ),
            ("two initiators", |_, p, _| p.role = RouterInterfaceRole::Initiator, "RouterInterface.PeerNotAcceptor"),
            (
                "an acceptor no longer Idle",
                |_, p, _| p.status = RouterInterfaceStatus::Active,
                "RouterInterface.PeerNotIdle",
            ),
        ];
        for (what, change, code) in cases {
            let (mut i, mut p) = (i.clone(), p.clone());
            change(&mut i, &mut p, &other);
            assert_eq!(mismatch(&i, &p).map(|e| e.code()), Some(code), "{what}");
        }
    }
}
