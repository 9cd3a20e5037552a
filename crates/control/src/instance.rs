//! Instances: an address in a vswitch (the lowest free one, unless asked) and the security groups
//! of its VPC that it is in.

use std::net::{IpAddr, Ipv4Addr};

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::Tx;

use crate::op::{Deleted, Get, changeable, description, idempotency, list_filter, opt_name, page};
use crate::{Caller, Control, new_id, now};

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

impl Control {
    pub async fn instance_create(&self, caller: &Caller, req: InstanceCreateRequest) -> Result<Instance> {
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
            Ok(((vswitch_id, groups, ip, name, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.instance_get(id));
        self.create(
            caller,
            "instance_create",
            input,
            get,
            tx!(|tx, caller, (vswitch_id, groups, ip, name, description)| {
                let vswitch = changeable(
                    caller,
                    tx.vswitch_get(&vswitch_id).await?,
                    |v| &v.account_id,
                    VSwitchId::KIND,
                    &vswitch_id,
                )?;
                check_groups(tx, caller, &vswitch.vpc_id, &groups).await?;
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
                Ok(instance)
            }),
        )
        .await
    }

    pub async fn instance_get(&self, caller: &Caller, id: &str) -> Result<Instance> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.instance_get(id));
        self.fetch(caller, InstanceId::parse("instance_id", id), get).await
    }

    pub async fn instance_list(&self, caller: &Caller, q: InstanceListQuery) -> Result<Page<Instance>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.instance_list(&f).await)).await?))
    }

    pub async fn instance_modify(&self, caller: &Caller, id: &str, req: InstanceModifyRequest) -> Result<Instance> {
        let input = (|| -> Result<_> {
            let id = InstanceId::parse("instance_id", id)?;
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            let groups = req.security_group_ids.as_deref().map(group_ids).transpose()?;
            Ok((id, name, description, groups))
        })();
        self.mutate(
            caller,
            "instance_modify",
            input,
            tx!(|tx, caller, (id, name, description, groups)| {
                let mut i = changeable(caller, tx.instance_get(&id).await?, |v| &v.account_id, InstanceId::KIND, &id)?;
                if name.is_some() {
                    i.name = name;
                }
                if let Some(d) = description {
                    i.description = d;
                }
                if let Some(groups) = groups {
                    check_groups(tx, caller, &i.vpc_id, &groups).await?;
                    i.security_group_ids = groups;
                }
                tx.instance_update(&i).await?;
                Ok(i)
            }),
        )
        .await
    }

    pub async fn instance_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = InstanceId::parse("instance_id", id);
        self.mutate(
            caller,
            "instance_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.instance_get(&id).await?, |v| &v.account_id, InstanceId::KIND, &id)?;
                tx.instance_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
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
}
