//! Attachments of networks (VPCs and VBRs) to hubs. A hub's owner attaches its own networks freely
//! and another account's only under that account's grant; until the grant exists, the network reads
//! exactly as if it did not exist.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, Get, changeable, description, idempotency, list_filter, page};
use crate::{Audited, Caller, Control, new_id, now};

/// The most blocks one attachment advertises.
pub const MAX_ADVERTISED: usize = 20;

impl Audited for Attachment {
    fn audited_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

/// A network as a hub sees it: a VPC or a VBR.
pub(crate) struct Network {
    pub(crate) kind: NetworkKind,
    pub(crate) id: String,
    pub(crate) account_id: AccountId,
    pub(crate) region: RegionId,
    /// What it advertises when no blocks are named: a VPC's vswitches, a VBR's data centre routes.
    pub(crate) own: Vec<Cidr>,
    /// What named blocks must lie inside: a VPC's block, a VBR's data centre routes.
    pub(crate) within: Vec<Cidr>,
}

/// Validates a network id and its type (taken from the id's prefix when not given).
pub(crate) fn network_id(kind: &Option<String>, id: &str) -> Result<(NetworkKind, String)> {
    let by_prefix = NetworkKind::of(id);
    let kind = match kind.as_deref() {
        Some(k) => NetworkKind::parse("network_type", k)?,
        None => by_prefix.unwrap_or(NetworkKind::Vpc),
    };
    match kind {
        NetworkKind::Vpc => VpcId::parse("network_id", id).map(|v| (kind, v.to_string())),
        _ => VbrId::parse("network_id", id).map(|v| (kind, v.to_string())),
    }
}

/// Reads a network by kind and id, if it exists.
pub(crate) async fn network(tx: &mut xconnect_store::Tx, kind: NetworkKind, id: &str) -> Result<Option<Network>> {
    Ok(match kind {
        NetworkKind::Vpc => match tx.vpc_get(&VpcId::from_trusted(id.to_owned())).await? {
            Some(v) => {
                let own = tx.vswitch_list_by_vpc(&v.id).await?.into_iter().map(|s| s.cidr_block).collect();
                Some(Network {
                    kind,
                    id: id.to_owned(),
                    account_id: v.account_id,
                    region: v.region,
                    own,
                    within: vec![v.cidr_block],
                })
            }
            None => None,
        },
        _ => tx.vbr_get(&VbrId::from_trusted(id.to_owned())).await?.map(|v| Network {
            kind,
            id: id.to_owned(),
            account_id: v.account_id,
            region: v.region,
            own: v.routes.clone(),
            within: v.routes,
        }),
    })
}

pub(crate) fn kind_name(kind: NetworkKind) -> &'static str {
    match kind {
        NetworkKind::Vpc => "VPC",
        _ => "VBR",
    }
}

/// Whether the caller may see a resource that belongs to two accounts (a grant: its giver and
/// its grantee; an attachment: the hub's owner and the network's).
pub(crate) fn either(caller: &Caller, a: &AccountId, b: &AccountId) -> bool {
    caller.can_see(a) || caller.can_see(b)
}

/// The answer for a network the caller may not attach: the same whether it does not exist,
/// is someone else's without a grant for this hub, or belongs to another account than named.
fn not_granted(network: &str, owner: &AccountId, hub: &HubId, caller: &AccountId) -> Error {
    Error::rejected(
        "Attachment.NotGranted",
        format_args!(
            "network {network} of account {owner} does not exist or its owner has not granted hub {hub} to attach \
             it: the owner must run `xconnect grant create --network {network} --hub {hub} --grantee {caller}` first"
        ),
    )
}

impl Control {
    /// Attaches a VPC to one of the caller's hubs: its own, or another account's under that
    /// account's grant for this hub. A network is attached to at most one hub, once.
    pub async fn attachment_create(&self, caller: &Caller, req: AttachmentCreateRequest) -> Result<Attachment> {
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let hub = HubId::parse("hub_id", &req.hub_id)?;
            let (kind, net) = network_id(&req.network_type, &req.network_id)?;
            let owner =
                req.network_account_id.as_deref().map(|a| AccountId::parse("network_account_id", a)).transpose()?;
            let region = req.region.as_deref().map(|r| self.catalog().region_id(r)).transpose()?;
            let blocks = match &req.cidr_blocks {
                None => None,
                Some(list) if list.is_empty() || list.len() > MAX_ADVERTISED => {
                    return Err(Error::invalid(
                        "cidr_blocks",
                        format_args!(
                            "give 1 to {MAX_ADVERTISED} blocks, or leave it out to advertise the network's own"
                        ),
                    ));
                }
                Some(list) => {
                    let mut out: Vec<Cidr> = Vec::with_capacity(list.len());
                    for b in list {
                        let c = Cidr::parse("cidr_blocks", b)?.require("cidr_blocks", Family::V4, 8, 32)?;
                        if let Some(o) = out.iter().find(|o| o.overlaps(&c)) {
                            return Err(Error::rejected(
                                "Attachment.BlocksOverlap",
                                format_args!("cidr_blocks: {c} overlaps {o}"),
                            ));
                        }
                        out.push(c);
                    }
                    Some(out)
                }
            };
            let description = description(&req.description)?;
            Ok(((hub, (kind, net), owner, region, blocks, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.attachment_get(id));
        self.create(
            caller,
            "attachment_create",
            input,
            get,
            tx!(|tx, caller, (hub_id, (kind, net_id), owner, region, blocks, description)| {
                let hub = changeable(caller, tx.hub_get(&hub_id).await?, |h| &h.account_id, HubId::KIND, &hub_id)?;
                let me = caller.account.id.clone();
                let owner = owner.unwrap_or_else(|| me.clone());
                let net = match network(tx, kind, &net_id).await? {
                    Some(n) if n.account_id == owner => n,
                    _ => return Err(not_granted(&net_id, &owner, &hub.id, &me)),
                };
                // The grant must name this hub and its owner: one given to someone else for
                // this hub's id lets nobody attach.
                if net.account_id != me {
                    let granted = tx.grant_find(&net.id, &hub.id).await?;
                    if granted.is_none_or(|g| g.grantee_account_id != me) {
                        return Err(not_granted(&net_id, &owner, &hub.id, &me));
                    }
                }
                let what = kind_name(kind);
                if let Some(region) = region.filter(|r| r != &net.region) {
                    return Err(Error::rejected(
                        "Attachment.RegionMismatch",
                        format_args!("{what} {} is in {}, not in {region}", net.id, net.region),
                    ));
                }
                if let Some(a) = tx.attachment_by_network(&net.id).await? {
                    // Another account's hub is named to nobody but its owner.
                    let which = if a.hub_id == hub.id {
                        format!("this hub (attachment {})", a.id)
                    } else if a.hub_account_id == me {
                        format!("your hub {} (attachment {})", a.hub_id, a.id)
                    } else {
                        "another account's hub".to_owned()
                    };
                    return Err(Error::conflict(
                        "Attachment.AlreadyAttached",
                        format_args!(
                            "{what} {} is already attached to {which}: a network attaches to one hub, once",
                            net.id
                        ),
                    ));
                }
                let blocks_named = blocks.as_ref().map(|b| b.len());
                let cidr_blocks = match blocks {
                    Some(blocks) => {
                        if let Some(b) = blocks.iter().find(|b| !net.within.iter().any(|w| w.contains(b))) {
                            let within: Vec<String> = net.within.iter().map(|w| w.to_string()).collect();
                            return Err(Error::rejected(
                                if kind == NetworkKind::Vpc {
                                    "Attachment.CidrNotInVpc"
                                } else {
                                    "Attachment.CidrNotInDataCentre"
                                },
                                format_args!("{b} is not inside {what} {}'s blocks ({})", net.id, within.join(", ")),
                            ));
                        }
                        blocks
                    }
                    // The network's own blocks, as they are now and as they will be.
                    None => net.own,
                };
                let attachment = Attachment {
                    id: new_id(),
                    hub_id: hub.id,
                    hub_account_id: me,
                    network_type: kind,
                    network_id: net.id,
                    network_account_id: net.account_id,
                    region: net.region,
                    advertises_default: blocks_named.is_none(),
                    cidr_blocks,
                    description,
                    created_at: now(),
                };
                tx.attachment_insert(&attachment).await?;
                Ok(attachment)
            }),
        )
        .await
    }

    pub async fn attachment_get(&self, caller: &Caller, id: &str) -> Result<Attachment> {
        let id = AttachmentId::parse("attachment_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                match tx.attachment_get(&id).await? {
                    Some(a) if either(caller, &a.hub_account_id, &a.network_account_id) => Ok(a),
                    _ => Err(Error::not_found(AttachmentId::KIND, &id)),
                }
            }),
        )
        .await
    }

    /// The attachments of the caller's hubs and of its networks; `hub_id` narrows to one hub.
    pub async fn attachment_list(&self, caller: &Caller, q: AttachmentListQuery) -> Result<Page<Attachment>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let hub = q.hub_id.as_deref().map(|h| HubId::parse("hub_id", h)).transpose()?;
        let rows = self.read((f, hub), tx!(|tx, (f, hub)| tx.attachment_list(&f, hub.as_ref()).await)).await?;
        Ok(page(rows))
    }

    /// Detaches a network: the hub's owner may, and so may the network's.
    pub async fn attachment_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = AttachmentId::parse("attachment_id", id);
        self.mutate(
            caller,
            "attachment_delete",
            input,
            tx!(|tx, caller, id| {
                let found = tx.attachment_get(&id).await?;
                let a = match found {
                    Some(a) if either(caller, &a.hub_account_id, &a.network_account_id) => a,
                    _ => return Err(Error::not_found(AttachmentId::KIND, &id)),
                };
                let me = &caller.account.id;
                if me != &a.hub_account_id && me != &a.network_account_id {
                    return Err(Error::Forbidden {
                        message: format!("attachment {id} belongs to other accounts; the operator may read it"),
                    });
                }
                tx.attachment_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
