//! The data plane's desired state, computed from the analyzer's own view, so that what the
//! analyzer answers and what the kernel does come from one model: a router namespace per VPC
//! (its instances' /32 routes, its custom blackhole routes, and its routes over active router
//! interface pairs), a namespace per instance (its address, a default route to its router and
//! its security groups as an nftables ruleset), and a shaped veth per active pair.
//!
//! This first step covers VPCs, instances, security groups and peering; hubs and data centres
//! come next. Names are derived from the ids' random tails, so they are stable across runs and
//! never collide with anything the agent did not make (everything starts with `xc`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr};

use xconnect_model::dataplane::*;
use xconnect_model::{
    Cidr, Direction, NextHop, Policy, Protocol, RouterInterface, RouterInterfaceRole, RulePeer, SecurityGroupRule,
};

use crate::analyzer::View;

/// The random tail of an id (its last 8 characters): ids made in the same millisecond share
/// their head, never (in practice) their tail.
fn tail(id: &str) -> &str {
    &id[id.len().saturating_sub(8)..]
}

pub fn router_namespace(vpc: &str) -> String {
    format!("xc-r-{}", tail(vpc))
}

pub fn instance_namespace(instance: &str) -> String {
    format!("xc-i-{}", tail(instance))
}

/// The router's end of an instance's link (at most 15 characters, as the kernel wants).
fn instance_link(instance: &str) -> String {
    format!("xci{}", tail(instance))
}

/// A router's end of a pair's link, named after its own router interface.
fn pair_link(ri: &str) -> String {
    format!("xcp{}", tail(ri))
}

/// The address of a vswitch's gateway: its first host.
fn gateway(block: &Cidr) -> Option<Ipv4Addr> {
    match block.net() {
        ipnet::IpNet::V4(n) => Some(Ipv4Addr::from(u32::from(n.network()) + 1)),
        ipnet::IpNet::V6(_) => None,
    }
}

/// The /30 of the `k`-th active pair, in 100.64.0.0/10 (shared address space, never a tenant's).
fn pair_subnet(k: u32) -> (Ipv4Addr, Ipv4Addr) {
    let base = u32::from(Ipv4Addr::new(100, 64, 0, 0)) + 4 * k;
    (Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2))
}

/// Egress shaping that delivers `mbps` of TCP payload: frames carry 1514 bytes for 1448 of
/// payload, and the leaf queue holds about 50 ms at the rate (at least 16 kB).
pub fn shaping(namespace: &str, interface: &str, mbps: u32) -> Shaping {
    let bought_kbps = u64::from(mbps) * 1000;
    let rate_kbps = (bought_kbps * 1514).div_ceil(1448);
    let queue_bytes = (rate_kbps * 1000 / 8 / 20).max(16 * 1024);
    Shaping { namespace: namespace.to_owned(), interface: interface.to_owned(), bought_kbps, rate_kbps, queue_bytes }
}

impl View {
    /// The data plane's desired state for everything in the view.
    pub fn desired_state(&self) -> DesiredState {
        let mut d = DesiredState::default();
        // Active pairs, in id order, each once (from its initiator's side), numbered for their
        // link subnets.
        let mut pairs: Vec<(&RouterInterface, &RouterInterface)> = self
            .interfaces
            .values()
            .filter(|ri| ri.role == RouterInterfaceRole::Initiator)
            .filter_map(|ri| self.pair(&ri.id).ok())
            .filter(|(a, b)| self.vpcs.contains_key(&a.vpc_id) && self.vpcs.contains_key(&b.vpc_id))
            .collect();
        pairs.sort_by(|x, y| x.0.id.cmp(&y.0.id));
        // Each router interface's link address and its peer's, for the routes over it.
        let mut over: BTreeMap<String, (String, Ipv4Addr)> = BTreeMap::new();
        for (k, (a, b)) in pairs.iter().enumerate() {
            let (ia, ib) = pair_subnet(k as u32);
            let (na, nb) = (router_namespace(a.vpc_id.as_str()), router_namespace(b.vpc_id.as_str()));
            let (la, lb) = (pair_link(a.id.as_str()), pair_link(b.id.as_str()));
            d.veths.push(Veth {
                a_namespace: na.clone(),
                a_name: la.clone(),
                b_namespace: nb.clone(),
                b_name: lb.clone(),
            });
            d.addresses.push(Address { namespace: na.clone(), interface: la.clone(), address: format!("{ia}/30") });
            d.addresses.push(Address { namespace: nb.clone(), interface: lb.clone(), address: format!("{ib}/30") });
            if let Some(mbps) = a.bandwidth_mbps().or(b.bandwidth_mbps()) {
                d.shaping.push(shaping(&na, &la, mbps));
                d.shaping.push(shaping(&nb, &lb, mbps));
            }
            over.insert(a.id.to_string(), (la, ib));
            over.insert(b.id.to_string(), (lb, ia));
        }

        for v in self.vpcs.values() {
            let router = router_namespace(v.vpc.id.as_str());
            d.namespaces.push(Namespace {
                name: router.clone(),
                role: NamespaceRole::Router,
                resource_id: v.vpc.id.to_string(),
            });
            for r in &v.custom {
                let next_hop = match &r.next_hop {
                    NextHop::Blackhole => KernelNextHop::Blackhole,
                    NextHop::RouterInterface { router_interface_id } => match over.get(router_interface_id.as_str()) {
                        Some((link, peer)) => {
                            KernelNextHop::Gateway { via: IpAddr::V4(*peer), interface: link.clone() }
                        }
                        // A route over a pair that is not active carries nothing: the packet is
                        // dropped here, as the analyzer says.
                        None => KernelNextHop::Blackhole,
                    },
                    _ => continue,
                };
                d.routes.push(KernelRoute {
                    namespace: router.clone(),
                    destination: r.destination_cidr_block,
                    next_hop,
                });
            }
        }

        for i in self.instances.values() {
            let Some(vpc) = self.vpcs.get(&i.vpc_id) else { continue };
            let Some(vsw) = vpc.vswitches.iter().find(|s| s.id == i.vswitch_id) else { continue };
            let Some(gw) = gateway(&vsw.cidr_block) else { continue };
            let ns = instance_namespace(i.id.as_str());
            let router = router_namespace(i.vpc_id.as_str());
            let link = instance_link(i.id.as_str());
            d.namespaces.push(Namespace {
                name: ns.clone(),
                role: NamespaceRole::Instance,
                resource_id: i.id.to_string(),
            });
            d.veths.push(Veth {
                a_namespace: router.clone(),
                a_name: link.clone(),
                b_namespace: ns.clone(),
                b_name: "eth0".into(),
            });
            d.addresses.push(Address {
                namespace: router.clone(),
                interface: link.clone(),
                address: format!("{gw}/32"),
            });
            // A /32 with a default route on-link to the gateway: every packet, even to the
            // same vswitch, goes through the router, where the VPC's table decides (as the
            // analyzer walks it), rather than by ARP straight to a neighbour the instance
            // cannot reach.
            d.addresses.push(Address {
                namespace: ns.clone(),
                interface: "eth0".into(),
                address: format!("{}/32", i.private_ip),
            });
            let host = Cidr::parse("ip", &format!("{}/32", i.private_ip)).expect("an instance address is a /32");
            d.routes.push(KernelRoute {
                namespace: router.clone(),
                destination: host,
                next_hop: KernelNextHop::Device { interface: link },
            });
            d.routes.push(KernelRoute {
                namespace: ns.clone(),
                destination: Cidr::parse("default", "0.0.0.0/0").expect("valid"),
                next_hop: KernelNextHop::Gateway { via: IpAddr::V4(gw), interface: "eth0".into() },
            });
            d.rulesets.push(Ruleset { namespace: ns, table: "xc".into(), text: self.ruleset(i) });
        }

        d.namespaces.sort();
        d.veths.sort();
        d.addresses.sort();
        d.routes.sort();
        d.rulesets.sort();
        d.shaping.sort();
        d
    }

    /// An instance's groups as nftables: inbound denied unless a rule accepts, outbound allowed
    /// unless a rule drops, replies always let through (stateful), rules in deciding order.
    fn ruleset(&self, i: &xconnect_model::Instance) -> String {
        let rules = self.rules_of(&i.id);
        let mut t = String::from("table inet xc {\n");
        for (chain, hook, default, list) in
            [("input", "input", "drop", rules.ingress()), ("output", "output", "accept", rules.egress())]
        {
            let _ = writeln!(t, "  chain {chain} {{\n    type filter hook {hook} priority 0; policy {default};");
            t.push_str("    ct state established,related accept\n    ct state invalid drop\n");
            let _ = writeln!(t, "    {} lo accept", if hook == "input" { "iif" } else { "oif" });
            for r in list {
                if let Some(line) = self.nft_rule(r) {
                    let _ = writeln!(t, "    {line}");
                }
            }
            t.push_str("  }\n");
        }
        t.push_str("}\n");
        t
    }

    /// One rule as an nft statement; a group peer matches its members' addresses (none: the
    /// rule matches nothing and is left out).
    fn nft_rule(&self, r: &SecurityGroupRule) -> Option<String> {
        let dir = if r.direction == Direction::Ingress { "saddr" } else { "daddr" };
        let peer = match &r.peer {
            RulePeer::Cidr { cidr_block } => format!("ip {dir} {cidr_block}"),
            RulePeer::SecurityGroup { security_group_id, .. } => {
                let mut ips: Vec<String> = self
                    .members
                    .get(security_group_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| self.instances.get(m))
                    .map(|m| m.private_ip.to_string())
                    .collect();
                if ips.is_empty() {
                    return None;
                }
                ips.sort();
                format!("ip {dir} {{ {} }}", ips.join(", "))
            }
        };
        let what = match (r.protocol, r.port_range) {
            (Protocol::Tcp, Some(p)) => format!(" tcp dport {}-{}", p.from, p.to),
            (Protocol::Udp, Some(p)) => format!(" udp dport {}-{}", p.from, p.to),
            (Protocol::Icmp, _) => " ip protocol icmp".to_owned(),
            _ => String::new(),
        };
        let verdict = if r.policy == Policy::Accept { "accept" } else { "drop" };
        Some(format!("{peer}{what} {verdict} comment \"{}\"", r.id))
    }
}
