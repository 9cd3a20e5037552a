//! The path walker: follows one packet from an instance towards an address, hop by hop, with the
//! same route tables and security-group evaluation the rest of the service uses, and explains
//! where and why it stops. Pure: it answers from a [`View`] of the model, built from plain data.
//!
//! The hops, in order: the source's security groups outbound; the source VPC's route table
//! (longest-prefix match); delivery to the instance holding the address; the destination's
//! security groups inbound; the destination's route table towards the source, for the reply.
//! Replies to a packet that got through pass the security groups whatever their rules say
//! (stateful), so the reply needs only a route.

use std::collections::HashMap;
use std::net::IpAddr;

use xconnect_model::connectivity::*;
use xconnect_model::{
    Instance, InstanceId, NextHop, Protocol, RouteEntry, SecurityGroupId, SecurityGroupRule, VSwitch, Vpc, VpcId,
};

use crate::routes::RouteTable;
use crate::security::{Decision, Packet, Rules};

/// The model data a view is built from.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub vpcs: Vec<Vpc>,
    pub vswitches: Vec<VSwitch>,
    pub instances: Vec<Instance>,
    pub rules: Vec<SecurityGroupRule>,
    pub route_entries: Vec<RouteEntry>,
}

/// A packet to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub from: InstanceId,
    pub to: IpAddr,
    pub protocol: Protocol,
    /// Destination port, for tcp and udp.
    pub port: Option<u16>,
}

struct VpcView {
    vpc: Vpc,
    /// What the table is built from, so that one change rebuilds this VPC's table alone.
    vswitches: Vec<VSwitch>,
    custom: Vec<RouteEntry>,
    table: RouteTable,
}

/// The forwarding view: per VPC its route table, per address its instance, per group its rules,
/// and per instance the rules of all its groups compiled for evaluation.
pub struct View {
    vpcs: HashMap<VpcId, VpcView>,
    instances: HashMap<InstanceId, Instance>,
    by_address: HashMap<(VpcId, IpAddr), InstanceId>,
    rules: HashMap<SecurityGroupId, Vec<SecurityGroupRule>>,
    compiled: HashMap<InstanceId, Rules>,
    /// Which instances each group guards, to recompile only those when its rules change.
    members: HashMap<SecurityGroupId, Vec<InstanceId>>,
}

impl View {
    pub fn new(s: Snapshot) -> View {
        let mut by_vpc: HashMap<VpcId, (Vec<VSwitch>, Vec<RouteEntry>)> = HashMap::new();
        for v in s.vswitches {
            by_vpc.entry(v.vpc_id.clone()).or_default().0.push(v);
        }
        for r in s.route_entries {
            by_vpc.entry(r.vpc_id.clone()).or_default().1.push(r);
        }
        let vpcs = s
            .vpcs
            .into_iter()
            .map(|vpc| {
                let (vswitches, custom) = by_vpc.remove(&vpc.id).unwrap_or_default();
                let table = RouteTable::new(&vswitches, &custom);
                (vpc.id.clone(), VpcView { vpc, vswitches, custom, table })
            })
            .collect();
        let mut rules: HashMap<SecurityGroupId, Vec<SecurityGroupRule>> = HashMap::new();
        for r in s.rules {
            rules.entry(r.security_group_id.clone()).or_default().push(r);
        }
        let by_address = s.instances.iter().map(|i| ((i.vpc_id.clone(), i.private_ip), i.id.clone())).collect();
        let mut members: HashMap<SecurityGroupId, Vec<InstanceId>> = HashMap::new();
        for i in &s.instances {
            for g in &i.security_group_ids {
                members.entry(g.clone()).or_default().push(i.id.clone());
            }
        }
        let compiled = s.instances.iter().map(|i| (i.id.clone(), compile(&rules, &i.security_group_ids))).collect();
        let instances = s.instances.into_iter().map(|i| (i.id.clone(), i)).collect();
        View { vpcs, instances, by_address, rules, compiled, members }
    }

    pub fn instance(&self, id: &InstanceId) -> Option<&Instance> {
        self.instances.get(id)
    }

    /// Adds a custom route entry, or replaces the one with its id, rebuilding only its VPC's
    /// table. False when its VPC is not in the view.
    pub fn route_entry_upsert(&mut self, entry: RouteEntry) -> bool {
        let Some(v) = self.vpcs.get_mut(&entry.vpc_id) else { return false };
        match v.custom.iter_mut().find(|r| r.id == entry.id) {
            Some(old) => *old = entry,
            None => v.custom.push(entry),
        }
        v.table = RouteTable::new(&v.vswitches, &v.custom);
        true
    }

    /// Replaces the rules of one security group (all of them: a rule added, changed or revoked).
    pub fn security_group_rules_set(&mut self, group: SecurityGroupId, rules: Vec<SecurityGroupRule>) {
        if rules.is_empty() {
            self.rules.remove(&group);
        } else {
            self.rules.insert(group.clone(), rules);
        }
        for id in self.members.get(&group).into_iter().flatten() {
            if let Some(i) = self.instances.get(id) {
                self.compiled.insert(id.clone(), compile(&self.rules, &i.security_group_ids));
            }
        }
    }

    /// Removes a custom route entry, rebuilding only its VPC's table. False when it is not there.
    pub fn route_entry_remove(&mut self, vpc: &VpcId, id: &xconnect_model::RouteEntryId) -> bool {
        let Some(v) = self.vpcs.get_mut(vpc) else { return false };
        let before = v.custom.len();
        v.custom.retain(|r| &r.id != id);
        if v.custom.len() == before {
            return false;
        }
        v.table = RouteTable::new(&v.vswitches, &v.custom);
        true
    }

    fn rules_of(&self, instance: &InstanceId) -> &Rules {
        static NONE: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        self.compiled.get(instance).unwrap_or_else(|| NONE.get_or_init(Rules::default))
    }

    /// Follows the packet; `None` when the source instance is not in the view.
    pub fn test(&self, q: &Question) -> Option<ConnectivityAnswer> {
        let src = self.instances.get(&q.from)?;
        let vpc = self.vpcs.get(&src.vpc_id)?;
        let mut walk = Walk {
            answer: ConnectivityAnswer {
                reachable: false,
                from_instance_id: src.id.clone(),
                source_ip: src.private_ip,
                destination_ip: q.to,
                protocol: q.protocol,
                port: q.port,
                to_instance_id: None,
                hops: Vec::new(),
                blocked: None,
            },
        };
        let what = describe_packet(q);
        let dst = self.by_address.get(&(src.vpc_id.clone(), q.to)).and_then(|id| self.instances.get(id));

        // The source's groups, outbound. The far end's groups count for group peers.
        let peer_groups = dst.map(|d| d.security_group_ids.as_slice()).unwrap_or(&[]);
        let packet = Packet { protocol: q.protocol, port: q.port, peer: q.to, peer_groups };
        let decision = self.rules_of(&src.id).evaluate(xconnect_model::Direction::Egress, &packet);
        let groups = list(&src.security_group_ids);
        let check = format!("{what} to {} outbound: {}", q.to, explain(&decision));
        if !walk.hop(HopKind::Egress, &groups, src, check, decision.allowed()) {
            let fix = match &decision {
                Decision::Dropped(rule) => format!(
                    "rule {rule} drops it: delete that rule, or add an egress accept rule for {what} to {}/{} \
                     with a lower priority number to one of {groups}",
                    q.to,
                    host_len(q.to)
                ),
                _ => format!("add an egress accept rule for {what} to {} to one of {groups}", q.to),
            };
            return Some(walk.block(BlockCode::EgressDenied, fix));
        }

        // The source VPC's route table.
        let table = &vpc.vpc.route_table_id;
        let vswitch_id = match vpc.table.lookup(q.to) {
            None => {
                let check = format!("no route covers {}", q.to);
                walk.hop(HopKind::Route, table.as_str(), src, check, false);
                let fix = format!("add a route to {} (or a block that holds it) in route table {table}", q.to);
                return Some(walk.block(BlockCode::NoRoute, fix));
            }
            Some(route) => match &route.next_hop {
                NextHop::Local { vswitch_id } => {
                    let check = format!("{} matches {} → local, vswitch {vswitch_id}", q.to, route.destination);
                    walk.hop(HopKind::Route, table.as_str(), src, check, true);
                    vswitch_id.clone()
                }
                NextHop::Blackhole => {
                    let entry = route.entry.as_ref().map(|e| e.to_string()).unwrap_or_default();
                    let check = format!("{} matches {} → blackhole (route entry {entry})", q.to, route.destination);
                    walk.hop(HopKind::Route, table.as_str(), src, check, false);
                    let fix = format!(
                        "route entry {entry} sends {} to a blackhole: delete it, or add a more specific route \
                         to {} ahead of it",
                        route.destination, q.to
                    );
                    return Some(walk.block(BlockCode::Blackhole, fix));
                }
                other => {
                    let check = format!(
                        "{} matches {} → {}, which this view cannot follow",
                        q.to,
                        route.destination,
                        other.type_name()
                    );
                    walk.hop(HopKind::Route, table.as_str(), src, check, false);
                    let fix = "this kind of next hop is not yet followed by the analyzer".to_owned();
                    return Some(walk.block(BlockCode::NoRoute, fix));
                }
            },
        };

        // Delivery inside the vswitch.
        let Some(dst) = dst.filter(|d| d.vswitch_id == vswitch_id) else {
            let check = format!("no instance has {} in vswitch {vswitch_id}", q.to);
            walk.hop(HopKind::Delivery, vswitch_id.as_str(), src, check, false);
            let fix = format!(
                "check the address: `xconnect instance list --vpc {}` shows the instances and their addresses",
                src.vpc_id
            );
            return Some(walk.block(BlockCode::NoInstance, fix));
        };
        walk.answer.to_instance_id = Some(dst.id.clone());
        let check = format!("instance {} holds {}", dst.id, q.to);
        walk.hop(HopKind::Delivery, vswitch_id.as_str(), dst, check, true);

        // The destination's groups, inbound.
        let packet =
            Packet { protocol: q.protocol, port: q.port, peer: src.private_ip, peer_groups: &src.security_group_ids };
        let decision = self.rules_of(&dst.id).evaluate(xconnect_model::Direction::Ingress, &packet);
        let groups = list(&dst.security_group_ids);
        let check = format!("{what} from {} inbound: {}", src.private_ip, explain(&decision));
        if !walk.hop(HopKind::Ingress, &groups, dst, check, decision.allowed()) {
            let first = dst.security_group_ids.first().map(|g| g.to_string()).unwrap_or_default();
            let source_group = src.security_group_ids.first().map(|g| g.to_string()).unwrap_or_default();
            let fix = match &decision {
                Decision::Dropped(rule) => format!(
                    "rule {rule} drops it: delete that rule, or add an ingress accept rule with a lower priority \
                     number for {what} from {}/{} to {first}",
                    src.private_ip,
                    host_len(src.private_ip)
                ),
                _ => format!(
                    "add an ingress rule to {first} accepting {what} from {}/{} \
                     (or from security group {source_group})",
                    src.private_ip,
                    host_len(src.private_ip)
                ),
            };
            return Some(walk.block(BlockCode::IngressDenied, fix));
        }

        // The way back: the reply passes the groups (stateful) but needs a route.
        let back = self.vpcs.get(&dst.vpc_id).expect("an instance's VPC is in the view");
        let table = &back.vpc.route_table_id;
        match back.table.lookup(src.private_ip) {
            Some(route) if matches!(route.next_hop, NextHop::Local { .. }) => {
                let check = format!("replies to {} match {} → local", src.private_ip, route.destination);
                walk.hop(HopKind::ReturnRoute, table.as_str(), dst, check, true);
            }
            found => {
                let check = match found {
                    Some(route) => format!(
                        "replies to {} match {} → {}",
                        src.private_ip,
                        route.destination,
                        route.next_hop.type_name()
                    ),
                    None => format!("no route covers {}, so replies are lost", src.private_ip),
                };
                walk.hop(HopKind::ReturnRoute, table.as_str(), dst, check, false);
                let fix = format!("add a route back to {} in route table {table}", src.private_ip);
                return Some(walk.block(BlockCode::NoReturnRoute, fix));
            }
        }
        walk.answer.reachable = true;
        Some(walk.answer)
    }
}

/// The rules of all of an instance's groups, compiled together.
fn compile(rules: &HashMap<SecurityGroupId, Vec<SecurityGroupRule>>, groups: &[SecurityGroupId]) -> Rules {
    Rules::new(groups.iter().flat_map(|g| rules.get(g).into_iter().flatten()))
}

/// The answer as it is built, hop by hop.
struct Walk {
    answer: ConnectivityAnswer,
}

impl Walk {
    /// Records a hop; returns whether it passed.
    fn hop(&mut self, kind: HopKind, component: &str, owner: &Instance, check: String, passed: bool) -> bool {
        self.answer.hops.push(Hop {
            kind,
            component: component.to_owned(),
            account_id: owner.account_id.clone(),
            check,
            passed,
        });
        passed
    }

    fn block(mut self, code: BlockCode, fix: String) -> ConnectivityAnswer {
        self.answer.blocked = Some(Blocked { code, hop: self.answer.hops.len() - 1, fix });
        self.answer
    }
}

fn describe_packet(q: &Question) -> String {
    match (q.protocol, q.port) {
        (Protocol::Tcp, Some(p)) => format!("tcp port {p}"),
        (Protocol::Udp, Some(p)) => format!("udp port {p}"),
        (Protocol::Icmp, _) => "icmp".to_owned(),
        (p, _) => format!("{p:?}").to_lowercase(),
    }
}

fn explain(d: &Decision) -> String {
    match d {
        Decision::Accepted(rule) => format!("accepted by rule {rule}"),
        Decision::Dropped(rule) => format!("dropped by rule {rule}"),
        Decision::Default { allowed: true } => "allowed (no rule matches; outbound is allowed by default)".to_owned(),
        Decision::Default { allowed: false } => "denied (no rule matches; inbound is denied by default)".to_owned(),
    }
}

fn list(groups: &[SecurityGroupId]) -> String {
    groups.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")
}

fn host_len(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}
