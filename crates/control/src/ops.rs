//! The operations on network resources: VPCs, vswitches, instances, security groups and their
//! rules, route tables and route entries, and the audit trail. Each public method validates its
//! input first (nothing is read before the request is known to be well formed), then runs one
//! transaction that checks everything that depends on stored state.

use std::net::{IpAddr, Ipv4Addr};

use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::{ClientToken, ListFilter, PageToken, Rows, Tx};

use crate::{Audited, Caller, Control, new_id, now};

/// The id of a deleted resource, for the audit trail.
#[derive(Debug, Clone)]
pub struct Deleted(pub String);

macro_rules! audited {
    ($($t:ty),*) => {$(
        impl Audited for $t {
            fn audited_id(&self) -> Option<String> {
                Some(self.id.to_string())
            }
        }
    )*};
}
audited!(Vpc, VSwitch, Instance, SecurityGroup, SecurityGroupRule, RouteEntry, RouterInterface);

impl Audited for Deleted {
    fn audited_id(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

// ---- shared checks ----

/// Page size when the caller gives none, and the most it may ask for.
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 100;

/// Validates a list's paging and filters. Which filters a list takes is its query type's
/// business (`wire::VpcListQuery` and the like): over HTTP any other is refused before this runs.
pub(crate) fn list_filter(control: &Control, caller: &Caller, q: &ListQuery) -> Result<ListFilter> {
    let limit = match q.max_results {
        None => DEFAULT_PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(n) => return Err(Error::invalid("max_results", format_args!("{n} is out of range: use 1 to {MAX_PAGE}"))),
    };
    let asked = q.account_id.as_deref().map(|a| AccountId::parse("account_id", a)).transpose()?;
    Ok(ListFilter {
        account_id: caller.list_scope(asked)?,
        region: q.region.as_deref().map(|r| control.catalog().region_id(r)).transpose()?,
        vpc_id: q.vpc_id.as_deref().map(|v| VpcId::parse("vpc_id", v)).transpose()?,
        name: q.name.as_deref().map(|n| Name::parse("name", n)).transpose()?,
        after: q.next_token.as_deref().map(PageToken::decode).transpose()?,
        limit,
    })
}

pub(crate) fn page<T>(rows: Rows<T>) -> Page<T> {
    Page { items: rows.items, next_token: rows.next.map(|t| t.encode()) }
}

/// A resource the caller may read: its own, or any for the operator. Anything else is
/// reported exactly like a resource that does not exist.
pub(crate) fn visible<T>(
    caller: &Caller,
    found: Option<T>,
    owner: impl Fn(&T) -> &AccountId,
    kind: &'static str,
    id: &dyn std::fmt::Display,
) -> Result<T> {
    match found {
        Some(r) if caller.can_see(owner(&r)) => Ok(r),
        _ => Err(Error::not_found(kind, id)),
    }
}

/// A resource the caller may change: only its own. The operator, who may see it, is told why
/// it may not change it; anyone else learns nothing.
pub(crate) fn changeable<T>(
    caller: &Caller,
    found: Option<T>,
    owner: impl Fn(&T) -> &AccountId,
    kind: &'static str,
    id: &dyn std::fmt::Display,
) -> Result<T> {
    let r = visible(caller, found, &owner, kind, id)?;
    if owner(&r) == &caller.account.id {
        Ok(r)
    } else {
        Err(Error::Forbidden {
            message: format!("{kind} {id} belongs to another account; the operator may read it but not change it"),
        })
    }
}

/// Refuses to delete `resource` while anything in `dependents` (kind and count) still uses it.
pub(crate) fn unused(resource: String, dependents: &[(&str, i64)]) -> Result<()> {
    if dependents.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = dependents.iter().map(|(k, n)| format!("{n} {k}")).collect();
    Err(Error::DependencyViolation { resource, dependents: list.join(", ") })
}

pub(crate) fn opt_name(field: &str, s: &Option<String>) -> Result<Option<Name>> {
    s.as_deref().map(|n| Name::parse(field, n)).transpose()
}

pub(crate) fn description(s: &Option<String>) -> Result<Description> {
    Description::parse("description", s.as_deref().unwrap_or(""))
}

pub(crate) fn quota(used: i64, limit: i64, what: &str) -> Result<()> {
    if used >= limit { Err(Error::QuotaExceeded { what: what.to_owned(), limit: limit.max(0) as u64 }) } else { Ok(()) }
}

/// A validated client token and the fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub(crate) struct Idempotency {
    token: String,
    fingerprint: String,
}

pub(crate) fn idempotency<R: serde::Serialize>(token: &Option<String>, req: &R) -> Result<Option<Idempotency>> {
    let Some(token) = token else { return Ok(None) };
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid("client_token", "use 1 to 64 printable ASCII characters"));
    }
    let body = serde_json::to_vec(req).map_err(Error::internal)?;
    Ok(Some(Idempotency { token: token.clone(), fingerprint: hex::encode(Sha256::digest(body)) }))
}

/// The id of what an earlier request with the same client token made, if there was one.
pub(crate) async fn replayed(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    idem: &Option<Idempotency>,
) -> Result<Option<String>> {
    let Some(idem) = idem else { return Ok(None) };
    match tx.client_token_get(&caller.account.id, &idem.token).await? {
        None => Ok(None),
        Some(t) if t.action == action && t.fingerprint == idem.fingerprint => Ok(Some(t.resource_id)),
        Some(_) => Err(Error::IdempotentParameterMismatch { token: idem.token.clone() }),
    }
}

pub(crate) async fn remember(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    idem: &Option<Idempotency>,
    id: &str,
) -> Result<()> {
    let Some(idem) = idem else { return Ok(()) };
    let t =
        ClientToken { action: action.to_owned(), fingerprint: idem.fingerprint.clone(), resource_id: id.to_owned() };
    tx.client_token_insert(&caller.account.id, &idem.token, &t, now()).await
}

/// Addresses of a vswitch that no instance may take: the network address, the first host
/// (the vswitch's gateway) and the last address.
fn reserved(block: &Cidr, ip: Ipv4Addr) -> bool {
    let ipnet::IpNet::V4(net) = block.net() else { return true };
    let first = u32::from(net.network());
    let last = u32::from(net.broadcast());
    let ip = u32::from(ip);
    ip == first || ip == first + 1 || ip == last
}

/// The lowest address of `block` that is neither reserved nor taken. A set keeps this linear in
/// the instances of the vswitch, which matters on the single writer.
fn allocate(block: &Cidr, taken: &[IpAddr]) -> Option<Ipv4Addr> {
    let ipnet::IpNet::V4(net) = block.net() else { return None };
    let taken: std::collections::HashSet<&IpAddr> = taken.iter().collect();
    let first = u32::from(net.network());
    let last = u32::from(net.broadcast());
    (first..=last).map(Ipv4Addr::from).find(|ip| !reserved(block, *ip) && !taken.contains(&IpAddr::V4(*ip)))
}

/// A route table as shown: the forwarding view's routes, most specific first, with what the
/// VPC learned from its hub (`attachments`: all of the hub's, none when it is not attached) and
/// the learned blocks left out as conflicts.
fn route_table_view(vpc: &Vpc, vswitches: &[VSwitch], custom: &[RouteEntry], attachments: &[Attachment]) -> RouteTable {
    let locals = xconnect_net::hub::vswitch_locals(vswitches);
    let (learned, conflicts) = xconnect_net::hub::learn(vpc.id.as_str(), &locals, custom, attachments);
    RouteTable {
        id: vpc.route_table_id.clone(),
        account_id: vpc.account_id.clone(),
        vpc_id: vpc.id.clone(),
        vrouter_id: vpc.vrouter_id.clone(),
        region: vpc.region.clone(),
        entries: xconnect_net::RouteTable::with_learned(vswitches, custom, &learned).entries(),
        conflicts,
    }
}

/// A validated security-group rule, before it has an id.
#[derive(Debug, Clone)]
struct RuleSpec {
    direction: Direction,
    protocol: Protocol,
    port_range: Option<PortRange>,
    peer: RuleSpecPeer,
    priority: u8,
    policy: Policy,
    description: Description,
}

#[derive(Debug, Clone)]
enum RuleSpecPeer {
    Cidr(Cidr),
    /// A group, and the account named as its owner (the caller's own when none was named).
    Group(SecurityGroupId, Option<AccountId>),
}

fn rule_spec(req: &SecurityGroupRuleCreateRequest) -> Result<RuleSpec> {
    let direction = match req.direction.as_str() {
        "ingress" => Direction::Ingress,
        "egress" => Direction::Egress,
        other => return Err(Error::invalid("direction", format_args!("'{other}': use ingress or egress"))),
    };
    let protocol = match req.protocol.as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        "all" => Protocol::All,
        other => return Err(Error::invalid("protocol", format_args!("'{other}': use tcp, udp, icmp or all"))),
    };
    let port_range = match (protocol.has_ports(), req.port_range.as_deref()) {
        (true, Some(p)) => Some(PortRange::parse("port_range", p)?),
        (true, None) => return Err(Error::invalid("port_range", "tcp and udp rules need a port range such as 22/22")),
        (false, None) | (false, Some("-1/-1")) => None,
        (false, Some(p)) => {
            return Err(Error::invalid("port_range", format_args!("'{p}': icmp and all rules take no port range")));
        }
    };
    let peer = match (&req.cidr_block, &req.peer_security_group_id, &req.peer_account_id) {
        (Some(c), None, None) => RuleSpecPeer::Cidr(Cidr::parse("cidr_block", c)?),
        (None, Some(g), account) => RuleSpecPeer::Group(
            SecurityGroupId::parse("peer_security_group_id", g)?,
            account.as_deref().map(|a| AccountId::parse("peer_account_id", a)).transpose()?,
        ),
        (Some(_), Some(_), _) => {
            return Err(Error::invalid("cidr_block", "give either cidr_block or peer_security_group_id, not both"));
        }
        (Some(_), None, Some(_)) => {
            return Err(Error::invalid("peer_account_id", "peer_account_id goes with peer_security_group_id"));
        }
        (None, None, _) => {
            return Err(Error::invalid("cidr_block", "a rule needs a peer: cidr_block or peer_security_group_id"));
        }
    };
    let priority = match req.priority {
        None => 1,
        Some(p @ 1..=100) => p as u8,
        Some(p) => {
            return Err(Error::invalid("priority", format_args!("{p} is out of range: use 1 (first) to 100 (last)")));
        }
    };
    let policy = match req.policy.as_deref() {
        None | Some("accept") => Policy::Accept,
        Some("drop") => Policy::Drop,
        Some(other) => return Err(Error::invalid("policy", format_args!("'{other}': use accept or drop"))),
    };
    Ok(RuleSpec {
        direction,
        protocol,
        port_range,
        peer,
        priority,
        policy,
        description: description(&req.description)?,
    })
}

/// A resource owned by one account, which the `*_get` operations read the same way.
pub(crate) trait Owned: Send + 'static {
    const KIND: &'static str;
    fn owner(&self) -> &AccountId;
}

macro_rules! owned {
    ($($t:ty => $id:ty),*) => {$(
        impl Owned for $t {
            const KIND: &'static str = <$id>::KIND;
            fn owner(&self) -> &AccountId {
                &self.account_id
            }
        }
    )*};
}
owned!(
    Vpc => VpcId,
    VSwitch => VSwitchId,
    SecurityGroup => SecurityGroupId,
    Instance => InstanceId,
    RouteEntry => RouteEntryId,
    RouterInterface => RouterInterfaceId
);

/// A resource with a name and a description, which the `*_modify` operations change the same
/// way.
pub(crate) trait Named: Owned + Audited {
    fn rename(&mut self, name: Option<Name>, description: Option<Description>);
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn rename(&mut self, name: Option<Name>, description: Option<Description>) {
                if name.is_some() {
                    self.name = name;
                }
                if let Some(d) = description {
                    self.description = d;
                }
            }
        }
    )*};
}
named!(Vpc, VSwitch, SecurityGroup, RouterInterface);

/// Reads a resource by id in a transaction.
pub(crate) type Get<Id, R> = for<'t> fn(&'t mut Tx, &'t Id) -> BoxFuture<'t, Result<Option<R>>>;
/// Writes a changed resource back in a transaction.
pub(crate) type Save<R> = for<'t> fn(&'t mut Tx, &'t R) -> BoxFuture<'t, Result<()>>;

impl Control {
    /// The body every `*_get` shares: read it, and show it only to whom may see it.
    pub(crate) async fn fetch<Id, R>(&self, caller: &Caller, id: Result<Id>, get: Get<Id, R>) -> Result<R>
    where
        Id: Send + Sync + std::fmt::Display + 'static,
        R: Owned,
    {
        let who = caller.clone();
        self.read(id?, move |tx, id| {
            Box::pin(async move { visible(&who, get(tx, &id).await?, R::owner, R::KIND, &id) })
        })
        .await
    }

    /// The body every `*_modify` of a named resource shares: validate, then in one
    /// transaction check the caller owns it, change what was given and save it.
    pub(crate) async fn rename<Id, R>(
        &self,
        caller: &Caller,
        action: &'static str,
        id: Result<Id>,
        req: ModifyRequest,
        get: Get<Id, R>,
        save: Save<R>,
    ) -> Result<R>
    where
        Id: Clone + Send + Sync + std::fmt::Display + 'static,
        R: Named,
    {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id?, name, description))
        })();
        self.mutate(caller, action, input, move |tx, (id, name, description)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut r = changeable(&caller, get(tx, &id).await?, R::owner, R::KIND, &id)?;
                r.rename(name, description);
                save(tx, &r).await?;
                Ok(r)
            })
        })
        .await
    }

    // ---- catalogue ----

    /// The regions and areas of the catalogue.
    pub fn region_list(&self) -> RegionList {
        RegionList { areas: self.catalog().areas().to_vec(), regions: self.catalog().regions().to_vec() }
    }

    // ---- VPCs ----

    pub async fn vpc_create(&self, caller: &Caller, req: VpcCreateRequest) -> Result<Vpc> {
        let limit = self.quotas().vpcs_per_region;
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let region = self.catalog().region_id(&req.region)?;
            let cidr = Cidr::parse("cidr_block", &req.cidr_block)?.require("cidr_block", Family::V4, 8, 28)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok((region, cidr, name, description, idem))
        })();
        self.mutate(caller, "vpc_create", input, move |tx, (region, cidr_block, name, description, idem)| {
            let caller = who.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, &caller, "vpc_create", &idem).await? {
                    let id = VpcId::from_trusted(id);
                    return tx.vpc_get(&id).await?.ok_or_else(|| Error::not_found(VpcId::KIND, &id));
                }
                quota(tx.vpc_count(&caller.account.id, &region).await?, limit, "VPCs per region")?;
                let vpc = Vpc {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    region,
                    cidr_block,
                    name,
                    description,
                    vrouter_id: new_id(),
                    route_table_id: new_id(),
                    created_at: now(),
                };
                tx.vpc_insert(&vpc).await?;
                remember(tx, &caller, "vpc_create", &idem, vpc.id.as_str()).await?;
                Ok(vpc)
            })
        })
        .await
    }

    pub async fn vpc_get(&self, caller: &Caller, id: &str) -> Result<Vpc> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.vpc_get(id));
        self.fetch(caller, VpcId::parse("vpc_id", id), get).await
    }

    pub async fn vpc_list(&self, caller: &Caller, q: VpcListQuery) -> Result<Page<Vpc>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.vpc_list(&f).await })).await?))
    }

    pub async fn vpc_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<Vpc> {
        let id = VpcId::parse("vpc_id", id);
        let (get, save): (Get<_, _>, Save<_>) = (|tx, id| Box::pin(tx.vpc_get(id)), |tx, v| Box::pin(tx.vpc_update(v)));
        self.rename(caller, "vpc_modify", id, req, get, save).await
    }

    /// Deletes a VPC with its VRouter and route table; refused while anything lives in it.
    pub async fn vpc_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = VpcId::parse("vpc_id", id);
        self.mutate(caller, "vpc_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.vpc_get(&id).await?, |v| &v.account_id, VpcId::KIND, &id)?;
                unused(format!("VPC {id}"), &tx.vpc_dependents(&id).await?)?;
                tx.vpc_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- vswitches ----

    pub async fn vswitch_create(&self, caller: &Caller, req: VSwitchCreateRequest) -> Result<VSwitch> {
        let limit = self.quotas().vswitches_per_vpc;
        let catalog = self.catalog().clone();
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vpc_id = VpcId::parse("vpc_id", &req.vpc_id)?;
            let cidr = Cidr::parse("cidr_block", &req.cidr_block)?.require("cidr_block", Family::V4, 16, 29)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            let zone = req.zone.clone();
            Ok((vpc_id, zone, cidr, name, description, idem))
        })();
        self.mutate(caller, "vswitch_create", input, move |tx, (vpc_id, zone, cidr_block, name, description, idem)| {
            let caller = who.clone();
            let catalog = catalog.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, &caller, "vswitch_create", &idem).await? {
                    let id = VSwitchId::from_trusted(id);
                    return tx.vswitch_get(&id).await?.ok_or_else(|| Error::not_found(VSwitchId::KIND, &id));
                }
                let vpc = changeable(&caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                catalog.check_zone(&vpc.region, &zone)?;
                if !vpc.cidr_block.contains(&cidr_block) {
                    return Err(Error::rejected(
                        "VSwitch.CidrNotInVpc",
                        format_args!("cidr_block {cidr_block} is not inside VPC {}'s block {}", vpc.id, vpc.cidr_block),
                    ));
                }
                if let Some(other) = tx.vswitch_overlapping(&vpc.id, &cidr_block).await? {
                    return Err(Error::conflict(
                        "VSwitch.CidrOverlap",
                        format_args!(
                            "cidr_block {cidr_block} overlaps vswitch {} ({}); choose a free block",
                            other.id, other.cidr_block
                        ),
                    ));
                }
                if let Some(route) = tx.route_entry_overlapping(&vpc.route_table_id, &cidr_block).await? {
                    return Err(Error::conflict(
                        "VSwitch.CidrOverlapsRoute",
                        format_args!(
                            "cidr_block {cidr_block} overlaps route entry {} to {}",
                            route.id, route.destination_cidr_block
                        ),
                    ));
                }
                quota(tx.vswitch_count(&vpc.id).await?, limit, "vswitches per VPC")?;
                let vswitch = VSwitch {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vpc_id: vpc.id,
                    region: vpc.region,
                    zone,
                    cidr_block,
                    name,
                    description,
                    created_at: now(),
                };
                tx.vswitch_insert(&vswitch).await?;
                remember(tx, &caller, "vswitch_create", &idem, vswitch.id.as_str()).await?;
                Ok(vswitch)
            })
        })
        .await
    }

    pub async fn vswitch_get(&self, caller: &Caller, id: &str) -> Result<VSwitch> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.vswitch_get(id));
        self.fetch(caller, VSwitchId::parse("vswitch_id", id), get).await
    }

    pub async fn vswitch_list(&self, caller: &Caller, q: VSwitchListQuery) -> Result<Page<VSwitch>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.vswitch_list(&f).await })).await?))
    }

    pub async fn vswitch_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<VSwitch> {
        let id = VSwitchId::parse("vswitch_id", id);
        let (get, save): (Get<_, _>, Save<_>) =
            (|tx, id| Box::pin(tx.vswitch_get(id)), |tx, v| Box::pin(tx.vswitch_update(v)));
        self.rename(caller, "vswitch_modify", id, req, get, save).await
    }

    pub async fn vswitch_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = VSwitchId::parse("vswitch_id", id);
        self.mutate(caller, "vswitch_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.vswitch_get(&id).await?, |v| &v.account_id, VSwitchId::KIND, &id)?;
                let n = tx.vswitch_instance_count(&id).await?;
                if n > 0 {
                    return Err(Error::DependencyViolation {
                        resource: format!("vswitch {id}"),
                        dependents: format!("{n} instances"),
                    });
                }
                tx.vswitch_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- instances ----

    pub async fn instance_create(&self, caller: &Caller, req: InstanceCreateRequest) -> Result<Instance> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vswitch_id = VSwitchId::parse("vswitch_id", &req.vswitch_id)?;
            let groups = group_ids(&req.security_group_ids)?;
            let ip = req
                .private_ip
                .as_deref()
                .map(|s| {
                    s.parse::<Ipv4Addr>()
                        .map_err(|_| Error::invalid("private_ip", format_args!("'{s}' is not an IPv4 address")))
                })
                .transpose()?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok((vswitch_id, groups, ip, name, description, idem))
        })();
        self.mutate(caller, "instance_create", input, move |tx, (vswitch_id, groups, ip, name, description, idem)| {
            let caller = who.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, &caller, "instance_create", &idem).await? {
                    let id = InstanceId::from_trusted(id);
                    return tx.instance_get(&id).await?.ok_or_else(|| Error::not_found(InstanceId::KIND, &id));
                }
                let vswitch = changeable(
                    &caller,
                    tx.vswitch_get(&vswitch_id).await?,
                    |v| &v.account_id,
                    VSwitchId::KIND,
                    &vswitch_id,
                )?;
                check_groups(tx, &caller, &vswitch.vpc_id, &groups).await?;
                let taken = tx.instance_ips_in_vswitch(&vswitch.id).await?;
                let private_ip = match ip {
                    Some(ip) => {
                        if !vswitch.cidr_block.contains_addr(IpAddr::V4(ip)) {
                            return Err(Error::rejected(
                                "Instance.IpNotInVSwitch",
                                format_args!(
                                    "private_ip {ip} is not in vswitch {} ({})",
                                    vswitch.id, vswitch.cidr_block
                                ),
                            ));
                        }
                        if reserved(&vswitch.cidr_block, ip) {
                            return Err(Error::rejected(
                                "Instance.IpReserved",
                                format_args!(
                                    "private_ip {ip} is reserved in {} (network, gateway or last address)",
                                    vswitch.cidr_block
                                ),
                            ));
                        }
                        if taken.contains(&IpAddr::V4(ip)) {
                            return Err(Error::conflict(
                                "Instance.IpInUse",
                                format_args!("private_ip {ip} is already in use in vswitch {}", vswitch.id),
                            ));
                        }
                        ip
                    }
                    None => allocate(&vswitch.cidr_block, &taken).ok_or_else(|| {
                        Error::conflict(
                            "VSwitch.NoFreeAddress",
                            format_args!("vswitch {} has no free address left", vswitch.id),
                        )
                    })?,
                };
                let instance = Instance {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vpc_id: vswitch.vpc_id,
                    vswitch_id: vswitch.id,
                    region: vswitch.region,
                    zone: vswitch.zone,
                    private_ip: IpAddr::V4(private_ip),
                    security_group_ids: groups,
                    name,
                    description,
                    created_at: now(),
                };
                tx.instance_insert(&instance).await?;
                remember(tx, &caller, "instance_create", &idem, instance.id.as_str()).await?;
                Ok(instance)
            })
        })
        .await
    }

    pub async fn instance_get(&self, caller: &Caller, id: &str) -> Result<Instance> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.instance_get(id));
        self.fetch(caller, InstanceId::parse("instance_id", id), get).await
    }

    pub async fn instance_list(&self, caller: &Caller, q: InstanceListQuery) -> Result<Page<Instance>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.instance_list(&f).await })).await?))
    }

    pub async fn instance_modify(&self, caller: &Caller, id: &str, req: InstanceModifyRequest) -> Result<Instance> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let id = InstanceId::parse("instance_id", id)?;
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            let groups = req.security_group_ids.as_deref().map(group_ids).transpose()?;
            Ok((id, name, description, groups))
        })();
        self.mutate(caller, "instance_modify", input, move |tx, (id, name, description, groups)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut i = changeable(&caller, tx.instance_get(&id).await?, |v| &v.account_id, InstanceId::KIND, &id)?;
                if name.is_some() {
                    i.name = name;
                }
                if let Some(d) = description {
                    i.description = d;
                }
                if let Some(groups) = groups {
                    check_groups(tx, &caller, &i.vpc_id, &groups).await?;
                    i.security_group_ids = groups;
                }
                tx.instance_update(&i).await?;
                Ok(i)
            })
        })
        .await
    }

    pub async fn instance_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = InstanceId::parse("instance_id", id);
        self.mutate(caller, "instance_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.instance_get(&id).await?, |v| &v.account_id, InstanceId::KIND, &id)?;
                tx.instance_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- security groups ----

    pub async fn security_group_create(
        &self,
        caller: &Caller,
        req: SecurityGroupCreateRequest,
    ) -> Result<SecurityGroup> {
        let limit = self.quotas().security_groups_per_vpc;
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vpc_id = VpcId::parse("vpc_id", &req.vpc_id)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok((vpc_id, name, description, idem))
        })();
        self.mutate(caller, "security_group_create", input, move |tx, (vpc_id, name, description, idem)| {
            let caller = who.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, &caller, "security_group_create", &idem).await? {
                    let id = SecurityGroupId::from_trusted(id);
                    return tx
                        .security_group_get(&id)
                        .await?
                        .ok_or_else(|| Error::not_found(SecurityGroupId::KIND, &id));
                }
                let vpc = changeable(&caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                quota(tx.security_group_count(&vpc.id).await?, limit, "security groups per VPC")?;
                let group = SecurityGroup {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vpc_id: vpc.id,
                    region: vpc.region,
                    name,
                    description,
                    created_at: now(),
                };
                tx.security_group_insert(&group).await?;
                remember(tx, &caller, "security_group_create", &idem, group.id.as_str()).await?;
                Ok(group)
            })
        })
        .await
    }

    pub async fn security_group_get(&self, caller: &Caller, id: &str) -> Result<SecurityGroup> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.security_group_get(id));
        self.fetch(caller, SecurityGroupId::parse("security_group_id", id), get).await
    }

    pub async fn security_group_list(&self, caller: &Caller, q: SecurityGroupListQuery) -> Result<Page<SecurityGroup>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.security_group_list(&f).await })).await?))
    }

    pub async fn security_group_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<SecurityGroup> {
        let id = SecurityGroupId::parse("security_group_id", id);
        let (get, save): (Get<_, _>, Save<_>) =
            (|tx, id| Box::pin(tx.security_group_get(id)), |tx, g| Box::pin(tx.security_group_update(g)));
        self.rename(caller, "security_group_modify", id, req, get, save).await
    }

    /// Deletes a group and its rules; refused while instances are in it or other groups' rules
    /// name it.
    pub async fn security_group_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = SecurityGroupId::parse("security_group_id", id);
        self.mutate(caller, "security_group_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                let group = changeable(
                    &caller,
                    tx.security_group_get(&id).await?,
                    |v| &v.account_id,
                    SecurityGroupId::KIND,
                    &id,
                )?;
                let (members, referrers) = tx.security_group_users(&id, &group.account_id).await?;
                if members > 0 || referrers > 0 {
                    return Err(Error::DependencyViolation {
                        resource: format!("security group {id}"),
                        dependents: format!("{members} instances and {referrers} rules of your other groups"),
                    });
                }
                // Other accounts' rules that name this group go with it: they would match nothing
                // now, and another account must not be able to keep an owner from deleting.
                tx.security_group_rule_delete_foreign_refs(&id, &group.account_id).await?;
                tx.security_group_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    pub async fn security_group_rule_create(
        &self,
        caller: &Caller,
        group: &str,
        req: SecurityGroupRuleCreateRequest,
    ) -> Result<SecurityGroupRule> {
        let limit = self.quotas().rules_per_security_group;
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let spec = rule_spec(&req)?;
            Ok((group, spec))
        })();
        self.mutate(caller, "security_group_rule_create", input, move |tx, (group_id, spec)| {
            let caller = who.clone();
            Box::pin(async move {
                let group = changeable(
                    &caller,
                    tx.security_group_get(&group_id).await?,
                    |v| &v.account_id,
                    SecurityGroupId::KIND,
                    &group_id,
                )?;
                let peer = match spec.peer {
                    RuleSpecPeer::Cidr(c) => RulePeer::Cidr { cidr_block: c },
                    RuleSpecPeer::Group(peer_id, owner) => {
                        let owner = owner.unwrap_or_else(|| caller.account.id.clone());
                        // A group is found only under the account that owns it: naming the
                        // wrong owner reads exactly like naming a group that does not exist.
                        let peer = match tx.security_group_get(&peer_id).await? {
                            Some(g) if g.account_id == owner => g,
                            _ => {
                                let named = format!("{peer_id} of account {owner}");
                                return Err(Error::not_found(SecurityGroupId::KIND, named));
                            }
                        };
                        if peer.region != group.region {
                            return Err(Error::rejected(
                                "SecurityGroupRule.CrossRegionGroup",
                                format_args!(
                                    "security group {peer_id} is in {}, not {}: across regions only CIDR peers work; \
                                     give the peer VPC's cidr_block instead",
                                    peer.region, group.region
                                ),
                            ));
                        }
                        RulePeer::SecurityGroup { security_group_id: peer.id, account_id: owner }
                    }
                };
                let rule = SecurityGroupRule {
                    id: new_id(),
                    security_group_id: group.id,
                    direction: spec.direction,
                    protocol: spec.protocol,
                    port_range: spec.port_range,
                    peer,
                    priority: spec.priority,
                    policy: spec.policy,
                    description: spec.description,
                    created_at: now(),
                };
                if let Some(twin) = tx.security_group_rule_twin(&rule).await? {
                    return Err(Error::conflict(
                        "SecurityGroupRule.Duplicate",
                        format_args!("rule {} already says the same", twin.id),
                    ));
                }
                quota(tx.security_group_rule_count(&rule.security_group_id).await?, limit, "rules per security group")?;
                tx.security_group_rule_insert(&rule).await?;
                Ok(rule)
            })
        })
        .await
    }

    pub async fn security_group_rule_list(
        &self,
        caller: &Caller,
        group: &str,
        q: SecurityGroupRuleListQuery,
    ) -> Result<Page<SecurityGroupRule>> {
        let q = ListQuery::from(q);
        let group = SecurityGroupId::parse("security_group_id", group)?;
        let f = list_filter(self, caller, &q)?;
        let who = caller.clone();
        let rows = self
            .read((group, f), move |tx, (group, f)| {
                Box::pin(async move {
                    visible(
                        &who,
                        tx.security_group_get(&group).await?,
                        |v| &v.account_id,
                        SecurityGroupId::KIND,
                        &group,
                    )?;
                    tx.security_group_rule_list(&group, &f).await
                })
            })
            .await?;
        Ok(page(rows))
    }

    pub async fn security_group_rule_delete(&self, caller: &Caller, group: &str, rule: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let rule = SecurityGroupRuleId::parse("rule_id", rule)?;
            Ok((group, rule))
        })();
        self.mutate(caller, "security_group_rule_delete", input, move |tx, (group, rule)| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(
                    &caller,
                    tx.security_group_get(&group).await?,
                    |v| &v.account_id,
                    SecurityGroupId::KIND,
                    &group,
                )?;
                match tx.security_group_rule_get(&rule).await? {
                    Some(r) if r.security_group_id == group => {}
                    _ => return Err(Error::not_found(SecurityGroupRuleId::KIND, &rule)),
                }
                tx.security_group_rule_delete(&rule).await?;
                Ok(Deleted(rule.to_string()))
            })
        })
        .await
    }

    // ---- route tables and entries ----

    pub async fn route_table_get(&self, caller: &Caller, id: &str) -> Result<RouteTable> {
        let id = RouteTableId::parse("route_table_id", id)?;
        let who = caller.clone();
        self.read(id, move |tx, id| {
            Box::pin(async move {
                let vpc =
                    visible(&who, tx.vpc_get_by_route_table(&id).await?, |v| &v.account_id, RouteTableId::KIND, &id)?;
                let vswitches = tx.vswitch_list_by_vpc(&vpc.id).await?;
                let custom = tx.route_entry_list_by_table(&id).await?;
                let attachments = match tx.attachment_by_network(vpc.id.as_str()).await? {
                    Some(a) => tx.attachment_list_by_hub(&a.hub_id).await?,
                    None => Vec::new(),
                };
                Ok(route_table_view(&vpc, &vswitches, &custom, &attachments))
            })
        })
        .await
    }

    pub async fn route_entry_create(&self, caller: &Caller, req: RouteEntryCreateRequest) -> Result<RouteEntry> {
        let limit = self.quotas().route_entries_per_table;
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let table = RouteTableId::parse("route_table_id", &req.route_table_id)?;
            let destination = Cidr::parse("destination_cidr_block", &req.destination_cidr_block)?.require(
                "destination_cidr_block",
                Family::V4,
                0,
                32,
            )?;
            let next_hop = match (req.next_hop_type.as_str(), &req.next_hop_id) {
                ("blackhole", None) => NextHop::Blackhole,
                ("blackhole", Some(_)) => {
                    return Err(Error::invalid("next_hop_id", "a blackhole route has no next hop id"));
                }
                ("router_interface", Some(id)) => {
                    NextHop::RouterInterface { router_interface_id: RouterInterfaceId::parse("next_hop_id", id)? }
                }
                ("router_interface", None) => {
                    return Err(Error::invalid(
                        "next_hop_id",
                        "a router_interface route needs next_hop_id: a router interface of this VPC's VRouter",
                    ));
                }
                (other, _) => {
                    return Err(Error::invalid(
                        "next_hop_type",
                        format_args!("'{other}' is not a next hop type: use router_interface or blackhole"),
                    ));
                }
            };
            let description = description(&req.description)?;
            Ok((table, destination, next_hop, description, idem))
        })();
        self.mutate(
            caller,
            "route_entry_create",
            input,
            move |tx, (table, destination, next_hop, description, idem)| {
                let caller = who.clone();
                Box::pin(async move {
                    if let Some(id) = replayed(tx, &caller, "route_entry_create", &idem).await? {
                        let id = RouteEntryId::from_trusted(id);
                        return tx.route_entry_get(&id).await?.ok_or_else(|| Error::not_found(RouteEntryId::KIND, &id));
                    }
                    let found = tx.vpc_get_by_route_table(&table).await?;
                    let vpc = changeable(&caller, found, |v| &v.account_id, RouteTableId::KIND, &table)?;
                    if let Some(v) = tx.vswitch_overlapping(&vpc.id, &destination).await? {
                        return Err(Error::conflict(
                            "RouteEntry.OverlapsVSwitch",
                            format_args!(
                                "destination {destination} overlaps vswitch {} ({}) of this VPC, \
                             which its system route serves",
                                v.id, v.cidr_block
                            ),
                        ));
                    }
                    if let NextHop::RouterInterface { router_interface_id: ri } = &next_hop {
                        let found = tx.router_interface_get(ri).await?;
                        let ri = changeable(&caller, found, |r| &r.account_id, RouterInterfaceId::KIND, ri)?;
                        if ri.vrouter_id != vpc.vrouter_id {
                            return Err(Error::rejected(
                                "RouteEntry.NextHopNotInVRouter",
                                format_args!(
                                    "router interface {} is in VRouter {} (VPC {}), not in this table's VRouter {}: \
                                     a route can only use an interface of its own VRouter",
                                    ri.id, ri.vrouter_id, ri.vpc_id, vpc.vrouter_id
                                ),
                            ));
                        }
                    }
                    if let Some(same) = tx.route_entry_by_destination(&table, &destination).await? {
                        return Err(Error::conflict(
                            "RouteEntry.DestinationExists",
                            format_args!("route entry {} already routes {destination}; delete it first", same.id),
                        ));
                    }
                    quota(tx.route_entry_count(&table).await?, limit, "custom route entries per route table")?;
                    let entry = RouteEntry {
                        id: new_id(),
                        account_id: caller.account.id.clone(),
                        route_table_id: table,
                        vpc_id: vpc.id,
                        destination_cidr_block: destination,
                        next_hop,
                        description,
                        created_at: now(),
                    };
                    tx.route_entry_insert(&entry).await?;
                    remember(tx, &caller, "route_entry_create", &idem, entry.id.as_str()).await?;
                    Ok(entry)
                })
            },
        )
        .await
    }

    pub async fn route_entry_get(&self, caller: &Caller, id: &str) -> Result<RouteEntry> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.route_entry_get(id));
        self.fetch(caller, RouteEntryId::parse("route_entry_id", id), get).await
    }

    pub async fn route_entry_list(&self, caller: &Caller, q: RouteEntryListQuery) -> Result<Page<RouteEntry>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let table = q.route_table_id.as_deref().map(|t| RouteTableId::parse("route_table_id", t)).transpose()?;
        let rows = self
            .read((f, table), |tx, (f, table)| Box::pin(async move { tx.route_entry_list(&f, table.as_ref()).await }))
            .await?;
        Ok(page(rows))
    }

    pub async fn route_entry_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<RouteEntry> {
        let who = caller.clone();
        let input = (|| -> Result<_> {
            let id = RouteEntryId::parse("route_entry_id", id)?;
            if req.name.is_some() {
                return Err(Error::invalid("name", "route entries have no name; change their description"));
            }
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id, description))
        })();
        self.mutate(caller, "route_entry_modify", input, move |tx, (id, description)| {
            let caller = who.clone();
            Box::pin(async move {
                let mut r =
                    changeable(&caller, tx.route_entry_get(&id).await?, |v| &v.account_id, RouteEntryId::KIND, &id)?;
                if let Some(d) = description {
                    r.description = d;
                }
                tx.route_entry_update(&r).await?;
                Ok(r)
            })
        })
        .await
    }

    pub async fn route_entry_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let who = caller.clone();
        let input = RouteEntryId::parse("route_entry_id", id);
        self.mutate(caller, "route_entry_delete", input, move |tx, id| {
            let caller = who.clone();
            Box::pin(async move {
                changeable(&caller, tx.route_entry_get(&id).await?, |v| &v.account_id, RouteEntryId::KIND, &id)?;
                tx.route_entry_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            })
        })
        .await
    }

    // ---- audit trail ----

    /// The caller's own events, oldest first; the operator sees every account's.
    pub async fn audit_list(&self, caller: &Caller, q: AuditListQuery) -> Result<Page<AuditEvent>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, |tx, f| Box::pin(async move { tx.audit_list(&f).await })).await?))
    }
}

fn group_ids(ids: &[String]) -> Result<Vec<SecurityGroupId>> {
    if ids.is_empty() || ids.len() > 5 {
        return Err(Error::invalid(
            "security_group_ids",
            format_args!("give 1 to 5 security groups, not {}", ids.len()),
        ));
    }
    let mut out: Vec<SecurityGroupId> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = SecurityGroupId::parse("security_group_ids", id)?;
        if out.contains(&id) {
            return Err(Error::invalid("security_group_ids", format_args!("{id} is listed twice")));
        }
        out.push(id);
    }
    Ok(out)
}

/// Every group must be the caller's own and of the instance's VPC.
async fn check_groups(tx: &mut Tx, caller: &Caller, vpc: &VpcId, groups: &[SecurityGroupId]) -> Result<()> {
    for id in groups {
        let g = changeable(caller, tx.security_group_get(id).await?, |v| &v.account_id, SecurityGroupId::KIND, id)?;
        if &g.vpc_id != vpc {
            return Err(Error::rejected(
                "Instance.SecurityGroupVpcMismatch",
                format_args!("security group {id} belongs to VPC {}, not to the instance's VPC {vpc}", g.vpc_id),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_skips_reserved_and_taken_addresses() {
        let block = Cidr::parse("c", "192.168.100.0/29").unwrap();
        assert_eq!(allocate(&block, &[]), Some(Ipv4Addr::new(192, 168, 100, 2)));
        let taken: Vec<IpAddr> = (2..=6).map(|i| IpAddr::V4(Ipv4Addr::new(192, 168, 100, i))).collect();
        assert_eq!(allocate(&block, &taken[..4]), Some(Ipv4Addr::new(192, 168, 100, 6)));
        assert_eq!(allocate(&block, &taken), None, ".7 is the last address and reserved");
        assert!(reserved(&block, Ipv4Addr::new(192, 168, 100, 0)));
        assert!(reserved(&block, Ipv4Addr::new(192, 168, 100, 1)));
        assert!(reserved(&block, Ipv4Addr::new(192, 168, 100, 7)));
    }

    #[test]
    fn rule_specs_are_validated() {
        let ok = SecurityGroupRuleCreateRequest {
            direction: "ingress".into(),
            protocol: "tcp".into(),
            port_range: Some("22/22".into()),
            cidr_block: Some("10.0.0.0/8".into()),
            ..Default::default()
        };
        let spec = rule_spec(&ok).unwrap();
        assert_eq!((spec.priority, spec.policy), (1, Policy::Accept));
        let cases: Vec<(SecurityGroupRuleCreateRequest, &str)> = vec![
            (SecurityGroupRuleCreateRequest { port_range: None, ..ok.clone() }, "port_range"),
            (SecurityGroupRuleCreateRequest { protocol: "icmp".into(), ..ok.clone() }, "port_range"),
            (SecurityGroupRuleCreateRequest { direction: "sideways".into(), ..ok.clone() }, "direction"),
            (SecurityGroupRuleCreateRequest { priority: Some(0), ..ok.clone() }, "priority"),
            (SecurityGroupRuleCreateRequest { priority: Some(101), ..ok.clone() }, "priority"),
            (SecurityGroupRuleCreateRequest { policy: Some("maybe".into()), ..ok.clone() }, "policy"),
            (SecurityGroupRuleCreateRequest { cidr_block: None, ..ok.clone() }, "cidr_block"),
            (
                SecurityGroupRuleCreateRequest {
                    peer_security_group_id: Some("sg-aaaaaaaaaaaaaaaaaaaaaaaa".into()),
                    ..ok.clone()
                },
                "cidr_block",
            ),
        ];
        for (req, field) in cases {
            let e = rule_spec(&req).unwrap_err();
            assert!(e.to_string().starts_with(field), "{e} should name {field}");
        }
    }
}
