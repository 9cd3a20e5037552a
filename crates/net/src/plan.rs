//! The data plane's desired state, computed from the analyzer's own view, so that what the
//! analyzer answers and what the kernel does come from one model: a router namespace per VPC
//! (its instances' /32 routes, its custom blackhole routes, and its routes over active router
//! interface pairs), a namespace per instance (its address, a default route to its router and
//! its security groups as an nftables ruleset), and a shaped veth per active pair.
//!
//! Hubs get a router namespace per region where they have attached networks, linked to those
//! networks' routers and to the hub's routers in the other regions (shaped to the inter-region
//! bandwidth, or the 10 kbit/s test bandwidth). A VBR is a router namespace of its own, joined
//! to a namespace standing for its data centre by a link that carries the shared port's VLAN
//! (802.1Q interfaces at both ends), with the data centre's hosts behind it. Names are derived from the ids' random tails, so they are stable across runs and
//! never collide with anything the agent did not make (everything starts with `xc`).

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use xconnect_model::dataplane::*;
use xconnect_model::{
    Cidr, Direction, HubId, NextHop, Policy, Protocol, RegionId, RouteKind, RouterInterface, RouterInterfaceRole,
    RulePeer, SecurityGroupRule, Timestamp,
};

use crate::analyzer::{TEST_BANDWIDTH_KBPS, View};

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

/// The /30 in slot `k` of 100.64.0.0/10 (shared address space, never a tenant's).
fn pair_subnet(k: u32) -> (Ipv4Addr, Ipv4Addr) {
    let base = u32::from(Ipv4Addr::new(100, 64, 0, 0)) + 4 * k;
    (Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2))
}

/// The /30 slots of 100.64.0.0/10 there are.
const LINK_SLOTS: u32 = 1 << 20;

/// A slot of `n` for each link, from the hash of its key (FNV-1a, the same on every build),
/// the next free one on a collision. Links are taken oldest first, so a new link never takes
/// an older one's slot: a link keeps its addresses while links are added (numbered in a row,
/// adding one pair renumbered every later link and broke flows on all of them). Only a link
/// that collided with an older one can move, back to its own slot when that one goes.
fn link_slots(mut keys: Vec<(Timestamp, String)>, n: u32) -> BTreeMap<String, u32> {
    keys.sort();
    let mut taken = std::collections::BTreeSet::new();
    let mut slots = BTreeMap::new();
    for (_, key) in keys {
        if slots.contains_key(&key) {
            continue;
        }
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        let mut slot = (hash % u64::from(n)) as u32;
        while !taken.insert(slot) {
            slot = (slot + 1) % n;
        }
        slots.insert(key, slot);
    }
    slots
}

pub fn vbr_namespace(vbr: &str) -> String {
    format!("xc-v-{}", tail(vbr))
}

/// The data centre's router behind a VBR.
pub fn data_centre_namespace(vbr: &str) -> String {
    format!("xc-d-{}", tail(vbr))
}

pub fn host_namespace(host: &str) -> String {
    format!("xc-o-{}", tail(host))
}

/// A hub's router in one region.
pub fn hub_namespace(hub: &str, region: &str) -> String {
    format!("xc-h-{}-{region}", tail(hub))
}

/// Shaping for a rate in kbit/s of payload (the hub's test bandwidth is below a Mbit/s).
fn shaping_kbps(namespace: &str, interface: &str, bought_kbps: u64) -> Shaping {
    let rate_kbps = (bought_kbps * 1514).div_ceil(1448);
    Shaping {
        namespace: namespace.to_owned(),
        interface: interface.to_owned(),
        bought_kbps,
        rate_kbps,
        queue_bytes: queue_bytes(rate_kbps),
    }
}

/// The leaf queue's bytes at a rate: about 50 ms of it, as the notes measured (TCP keeps the
/// link full, a ping waits little). Slow links get more time: 16 kB where that is under 200 ms
/// (2 Mbit/s keeps its measured 16 kB), and two full frames at the least, so a full frame is
/// never refused for want of room; at the 10 kbit/s test bandwidth that is 3,028 bytes, about
/// two seconds, where 16 kB would be twelve.
fn queue_bytes(rate_kbps: u64) -> u64 {
    let ms = |ms: u64| rate_kbps * ms / 8;
    ms(50).max(ms(200).min(16 * 1024)).max(2 * 1514)
}

/// Egress shaping that delivers `mbps` of TCP payload: frames carry 1514 bytes for 1448 of
/// payload, and the leaf queue holds about 50 ms at the rate (see [`queue_bytes`]).
pub fn shaping(namespace: &str, interface: &str, mbps: u32) -> Shaping {
    shaping_kbps(namespace, interface, u64::from(mbps) * 1000)
}

/// A network's router (a VPC's or a VBR's) forwards nothing from one pair or hub link to
/// another: neither peering nor a hub is transitive, whatever its routes say (a route over a
/// pair to a third network's block would otherwise carry a packet on, where the analyzer stops
/// it). Pair links are named `xcp…`, hub links `xch…`.
fn not_transitive(namespace: &str) -> Ruleset {
    let mut cmds = vec![
        json!({"add": {"table": {"family": "inet", "name": "xc"}}}),
        json!({"add": {"chain": {
            "family": "inet", "table": "xc", "name": "forward",
            "type": "filter", "hook": "forward", "prio": 0, "policy": "accept",
        }}}),
    ];
    for (from, to) in [("xcp*", "xcp*"), ("xcp*", "xch*"), ("xch*", "xcp*"), ("xch*", "xch*")] {
        let name =
            |key: &str, link: &str| json!({"match": {"op": "==", "left": {"meta": {"key": key}}, "right": link}});
        cmds.push(json!({"add": {"rule": {
            "family": "inet", "table": "xc", "chain": "forward",
            "expr": [name("iifname", from), name("oifname", to), {"drop": null}],
        }}}));
    }
    Ruleset { namespace: namespace.to_owned(), table: "xc".into(), nftables: json!({ "nftables": cmds }).to_string() }
}

/// A namespace with one address behind a router: an instance behind its VPC's router, or a
/// host behind its data centre's.
struct Leaf {
    namespace: String,
    role: NamespaceRole,
    resource_id: String,
    ip: Ipv4Addr,
}

impl Leaf {
    /// The leaf's namespace and its veth `link` to `router`, a /32 each side, the router's
    /// route to the leaf and the leaf's default route on-link to `gateway`. A /32 rather than
    /// the subnet: every packet, even to a neighbour on the same subnet, goes through the
    /// router, where the table decides (as the analyzer walks it), rather than by ARP straight
    /// to a neighbour the leaf cannot reach.
    fn behind(self, d: &mut DesiredState, router: &str, link: String, gateway: Ipv4Addr) {
        d.namespaces.push(Namespace { name: self.namespace.clone(), role: self.role, resource_id: self.resource_id });
        d.veths.push(Veth {
            a_namespace: router.to_owned(),
            a_name: link.clone(),
            b_namespace: self.namespace.clone(),
            b_name: "eth0".into(),
        });
        d.addresses.push(Address {
            namespace: router.to_owned(),
            interface: link.clone(),
            address: format!("{gateway}/32"),
        });
        d.addresses.push(Address {
            namespace: self.namespace.clone(),
            interface: "eth0".into(),
            address: format!("{}/32", self.ip),
        });
        d.routes.push(KernelRoute {
            namespace: router.to_owned(),
            destination: Cidr::parse("ip", &format!("{}/32", self.ip)).expect("a /32 of an address is valid"),
            next_hop: KernelNextHop::Device { interface: link },
        });
        d.routes.push(KernelRoute {
            namespace: self.namespace,
            destination: Cidr::parse("default", "0.0.0.0/0").expect("valid"),
            next_hop: KernelNextHop::Gateway { via: IpAddr::V4(gateway), interface: "eth0".into() },
        });
    }
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
        let mut by_hub: BTreeMap<&HubId, Vec<&xconnect_model::Attachment>> = BTreeMap::new();
        for a in self.hubs.attachments.values() {
            if self.network_namespace(&a.network_id).is_some() {
                by_hub.entry(&a.hub_id).or_default().push(a);
            }
        }
        // Every link between routers, named for its /30: a pair by its initiator, a hub's link
        // by its attachment, a link between two of a hub's regions by the hub and the regions.
        // A hub's regions with attachments, each once, in order.
        let regions_of = |atts: &[&xconnect_model::Attachment]| -> Vec<RegionId> {
            let set: std::collections::BTreeSet<&RegionId> = atts.iter().map(|a| &a.region).collect();
            set.into_iter().cloned().collect()
        };
        // Each with the time it came to be: a pair's initiator's, an attachment's, and for a
        // link between regions the time the later of the two got its first attachment.
        let mut keys: Vec<(Timestamp, String)> =
            pairs.iter().map(|(a, _)| (a.created_at, format!("pair {}", a.id))).collect();
        for (hub, atts) in &by_hub {
            keys.extend(atts.iter().map(|a| (a.created_at, format!("attachment {}", a.id))));
            let regions = regions_of(atts);
            let since = |r: &RegionId| atts.iter().filter(|a| &a.region == r).map(|a| a.created_at).min();
            for (n, x) in regions.iter().enumerate() {
                for y in &regions[n + 1..] {
                    let at = since(x).max(since(y)).unwrap_or(Timestamp::from_millis(0));
                    keys.push((at, format!("hub {hub} {x} {y}")));
                }
            }
        }
        let slots = link_slots(keys, LINK_SLOTS);
        let subnet = |key: String| pair_subnet(slots[&key]);
        // Each router interface's link address and its peer's, for the routes over it.
        let mut over: BTreeMap<String, (String, Ipv4Addr)> = BTreeMap::new();
        for (a, b) in &pairs {
            let (ia, ib) = subnet(format!("pair {}", a.id));
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
            for (ns, link, ri) in [(&na, &la, a), (&nb, &lb, b)] {
                d.meters.push(Meter {
                    namespace: ns.clone(),
                    interface: link.clone(),
                    account_id: ri.account_id.to_string(),
                    resource_id: ri.id.to_string(),
                });
            }
            over.insert(a.id.to_string(), (la, ib));
            over.insert(b.id.to_string(), (lb, ia));
        }

        // Hubs: a router per region with attached VPCs, a link from each attached VPC's router to
        // its region's hub router, and links between the hub's regions.
        // The hub router's address on each attachment's link, for the VPC's learned routes.
        let mut hub_side: BTreeMap<String, (String, Ipv4Addr)> = BTreeMap::new();
        for (hub, mut atts) in by_hub {
            atts.sort_by(|x, y| x.id.cmp(&y.id));
            // The hub routers hold the hub's own table, whose blocks never overlap: the one
            // attachment a destination falls in is the one every network learned it from.
            let table = self.hubs.installed.get(hub).map(Vec::as_slice).unwrap_or_default();
            let routed = |a: &xconnect_model::Attachment, b: &Cidr| {
                table.iter().any(|l| l.attachment_id == a.id && l.destination == *b)
            };
            let regions = regions_of(&atts);
            for r in &regions {
                d.namespaces.push(Namespace {
                    name: hub_namespace(hub.as_str(), r.as_str()),
                    role: NamespaceRole::Hub,
                    resource_id: hub.to_string(),
                });
            }
            for a in &atts {
                let (vpc_ip, hub_ip) = subnet(format!("attachment {}", a.id));
                let Some(router) = self.network_namespace(&a.network_id) else { continue };
                let hubns = hub_namespace(hub.as_str(), a.region.as_str());
                let (lv, lh) = (format!("xch{}", tail(a.id.as_str())), format!("xca{}", tail(a.id.as_str())));
                d.veths.push(Veth {
                    a_namespace: router.clone(),
                    a_name: lv.clone(),
                    b_namespace: hubns.clone(),
                    b_name: lh.clone(),
                });
                d.addresses.push(Address {
                    namespace: router.clone(),
                    interface: lv.clone(),
                    address: format!("{vpc_ip}/30"),
                });
                d.addresses.push(Address {
                    namespace: hubns.clone(),
                    interface: lh.clone(),
                    address: format!("{hub_ip}/30"),
                });
                // What a VPC sends into the hub leaves it; what a VBR sends in came from its
                // data centre (metered where it goes out instead, towards the data centre).
                if a.network_type == xconnect_model::NetworkKind::Vpc {
                    d.meters.push(Meter {
                        namespace: router.clone(),
                        interface: lv.clone(),
                        account_id: a.network_account_id.to_string(),
                        resource_id: a.id.to_string(),
                    });
                }
                hub_side.insert(a.id.to_string(), (lv, hub_ip));
                // The hub router sends each of the attachment's installed blocks to its network.
                for b in a.cidr_blocks.iter().filter(|b| routed(a, b)) {
                    d.routes.push(KernelRoute {
                        namespace: hubns.clone(),
                        destination: *b,
                        next_hop: KernelNextHop::Gateway { via: IpAddr::V4(vpc_ip), interface: lh.clone() },
                    });
                }
            }
            // Between two regions: a link shaped to the inter-region bandwidth, or the test one;
            // each side routes the other region's attachments' blocks over it.
            for (n, x) in regions.iter().enumerate() {
                for y in &regions[n + 1..] {
                    let (ix, iy) = subnet(format!("hub {hub} {x} {y}"));
                    let (nx, ny) = (hub_namespace(hub.as_str(), x.as_str()), hub_namespace(hub.as_str(), y.as_str()));
                    let (lx, ly) = (format!("xcx{}", tail(y.as_str())), format!("xcx{}", tail(x.as_str())));
                    d.veths.push(Veth {
                        a_namespace: nx.clone(),
                        a_name: lx.clone(),
                        b_namespace: ny.clone(),
                        b_name: ly.clone(),
                    });
                    d.addresses.push(Address {
                        namespace: nx.clone(),
                        interface: lx.clone(),
                        address: format!("{ix}/30"),
                    });
                    d.addresses.push(Address {
                        namespace: ny.clone(),
                        interface: ly.clone(),
                        address: format!("{iy}/30"),
                    });
                    let kbps = self.hubs.bandwidth(hub, x, y).map_or(TEST_BANDWIDTH_KBPS, |m| u64::from(m) * 1000);
                    d.shaping.push(shaping_kbps(&nx, &lx, kbps));
                    d.shaping.push(shaping_kbps(&ny, &ly, kbps));
                    for a in &atts {
                        for b in a.cidr_blocks.iter().filter(|b| routed(a, b)) {
                            let (ns, via, dev) = if a.region == *y {
                                (&nx, iy, &lx)
                            } else if a.region == *x {
                                (&ny, ix, &ly)
                            } else {
                                continue;
                            };
                            d.routes.push(KernelRoute {
                                namespace: ns.clone(),
                                destination: *b,
                                next_hop: KernelNextHop::Gateway { via: IpAddr::V4(via), interface: dev.clone() },
                            });
                        }
                    }
                }
            }
        }

        for v in self.vpcs.values() {
            let router = router_namespace(v.vpc.id.as_str());
            self.learned_routes(&mut d, &router, v.vpc.id.as_str(), &v.table, &hub_side);
            d.namespaces.push(Namespace {
                name: router.clone(),
                role: NamespaceRole::Router,
                resource_id: v.vpc.id.to_string(),
            });
            d.rulesets.push(not_transitive(&router));
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

        // VBRs: the VBR and its data centre's router joined by a link shaped to the shared
        // port's bandwidth, carrying the port's VLAN on an 802.1Q interface at each end (the
        // peering subnet's two gateways); the data centre's hosts behind its router.
        for b in self.vbrs.values() {
            let vbr = &b.vbr;
            let (IpAddr::V4(local), IpAddr::V4(peer)) = (vbr.local_gateway_ip, vbr.peer_gateway_ip) else { continue };
            let t = tail(vbr.id.as_str());
            let (vns, dns) = (vbr_namespace(vbr.id.as_str()), data_centre_namespace(vbr.id.as_str()));
            for (name, role) in [(&vns, NamespaceRole::Vbr), (&dns, NamespaceRole::DataCentre)] {
                d.namespaces.push(Namespace { name: name.clone(), role, resource_id: vbr.id.to_string() });
            }
            d.rulesets.push(not_transitive(&vns));
            let (pv, pd, vlan) = (format!("xcv{t}"), format!("xcd{t}"), format!("xcq{t}"));
            d.veths.push(Veth {
                a_namespace: vns.clone(),
                a_name: pv.clone(),
                b_namespace: dns.clone(),
                b_name: pd.clone(),
            });
            d.meters.push(Meter {
                namespace: vns.clone(),
                interface: pv.clone(),
                account_id: vbr.account_id.to_string(),
                resource_id: vbr.id.to_string(),
            });
            let prefix = vbr.peering_subnet.prefix_len();
            for (ns, parent, ip) in [(&vns, &pv, local), (&dns, &pd, peer)] {
                d.vlans.push(Vlan {
                    namespace: ns.clone(),
                    parent: parent.clone(),
                    name: vlan.clone(),
                    vlan_id: vbr.vlan_id,
                });
                d.addresses.push(Address {
                    namespace: ns.clone(),
                    interface: vlan.clone(),
                    address: format!("{ip}/{prefix}"),
                });
                d.shaping.push(shaping(ns, parent, vbr.bandwidth_mbps));
            }
            for r in &vbr.routes {
                d.routes.push(KernelRoute {
                    namespace: vns.clone(),
                    destination: *r,
                    next_hop: KernelNextHop::Gateway { via: IpAddr::V4(peer), interface: vlan.clone() },
                });
            }
            // The data centre sends what is not its own to its VBR.
            d.routes.push(KernelRoute {
                namespace: dns.clone(),
                destination: Cidr::parse("default", "0.0.0.0/0").expect("valid"),
                next_hop: KernelNextHop::Gateway { via: IpAddr::V4(local), interface: vlan.clone() },
            });
            self.learned_routes(&mut d, &vns, vbr.id.as_str(), &b.table, &hub_side);
            for h in self.hosts.values().filter(|h| h.vbr_id == vbr.id) {
                let IpAddr::V4(ip) = h.ip else { continue };
                let (hns, link) = (host_namespace(h.id.as_str()), format!("xco{}", tail(h.id.as_str())));
                let leaf = Leaf { namespace: hns, role: NamespaceRole::Host, resource_id: h.id.to_string(), ip };
                leaf.behind(&mut d, &dns, link, peer);
            }
        }

        for i in self.instances.values() {
            let Some(vpc) = self.vpcs.get(&i.vpc_id) else { continue };
            let Some(vsw) = vpc.vswitches.iter().find(|s| s.id == i.vswitch_id) else { continue };
            let Some(gw) = gateway(&vsw.cidr_block) else { continue };
            let IpAddr::V4(ip) = i.private_ip else { continue };
            let ns = instance_namespace(i.id.as_str());
            let router = router_namespace(i.vpc_id.as_str());
            let link = instance_link(i.id.as_str());
            let leaf = Leaf { namespace: ns.clone(), role: NamespaceRole::Instance, resource_id: i.id.to_string(), ip };
            leaf.behind(&mut d, &router, link, gw);
            d.rulesets.push(Ruleset { namespace: ns, table: "xc".into(), nftables: self.ruleset(i) });
        }

        d.namespaces.sort();
        d.veths.sort();
        d.vlans.sort();
        d.addresses.sort();
        d.routes.sort();
        d.rulesets.sort();
        d.shaping.sort();
        d.meters.sort();
        d
    }

    /// The namespace that realises an attached network: a VPC's router or a VBR.
    fn network_namespace(&self, network: &str) -> Option<String> {
        if let Ok(vpc) = xconnect_model::VpcId::parse("network_id", network)
            && self.vpcs.contains_key(&vpc)
        {
            return Some(router_namespace(network));
        }
        let vbr = xconnect_model::VbrId::parse("network_id", network).ok()?;
        self.vbrs.contains_key(&vbr).then(|| vbr_namespace(network))
    }

    /// What a network learned from its hub goes to the hub's router of its region.
    fn learned_routes(
        &self,
        d: &mut DesiredState,
        namespace: &str,
        network: &str,
        table: &crate::routes::RouteTable,
        hub_side: &BTreeMap<String, (String, Ipv4Addr)>,
    ) {
        let Some((link, hub_ip)) = self.hubs.by_network.get(network).and_then(|a| hub_side.get(a.as_str())) else {
            return;
        };
        for r in table.routes().iter().filter(|r| r.kind == RouteKind::Learned) {
            if let NextHop::Hub { .. } = &r.next_hop {
                d.routes.push(KernelRoute {
                    namespace: namespace.to_owned(),
                    destination: r.destination,
                    next_hop: KernelNextHop::Gateway { via: IpAddr::V4(*hub_ip), interface: link.clone() },
                });
            }
        }
    }

    /// An instance's groups as an nftables JSON document (what `nft -j -f -` reads): inbound
    /// denied unless a rule accepts, outbound allowed unless a rule drops, replies always let
    /// through (stateful), rules in deciding order, each carrying its rule's id as its comment.
    fn ruleset(&self, i: &xconnect_model::Instance) -> String {
        let rules = self.rules_of(&i.id);
        let mut cmds = vec![json!({"add": {"table": {"family": "inet", "name": "xc"}}})];
        for (chain, policy, list, lo) in
            [("input", "drop", rules.ingress(), "iif"), ("output", "accept", rules.egress(), "oif")]
        {
            cmds.push(json!({"add": {"chain": {
                "family": "inet", "table": "xc", "name": chain,
                "type": "filter", "hook": chain, "prio": 0, "policy": policy,
            }}}));
            let rule = |expr: Vec<Value>, comment: Option<String>| {
                let mut r = json!({"family": "inet", "table": "xc", "chain": chain, "expr": expr});
                if let Some(c) = comment {
                    r["comment"] = Value::String(c);
                }
                json!({"add": {"rule": r}})
            };
            let ct = |states: Value| json!({"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": states}});
            cmds.push(rule(vec![ct(json!(["established", "related"])), json!({"accept": null})], None));
            cmds.push(rule(vec![ct(json!("invalid")), json!({"drop": null})], None));
            cmds.push(rule(
                vec![
                    json!({"match": {"op": "==", "left": {"meta": {"key": lo}}, "right": "lo"}}),
                    json!({"accept": null}),
                ],
                None,
            ));
            for r in list {
                if let Some(expr) = self.nft_rule(i, r) {
                    cmds.push(rule(expr, Some(r.id.to_string())));
                }
            }
        }
        json!({ "nftables": cmds }).to_string()
    }

    /// One rule's match and verdict, for instance `i`; a group peer matches the addresses of its
    /// members under the account the rule names and in `i`'s region, as the analyzer's walk
    /// does (none: the rule matches nothing and is left out).
    fn nft_rule(&self, i: &xconnect_model::Instance, r: &SecurityGroupRule) -> Option<Vec<Value>> {
        let field = if r.direction == Direction::Ingress { "saddr" } else { "daddr" };
        let (family, peer) = match &r.peer {
            RulePeer::Cidr { cidr_block } => {
                let net = cidr_block.net();
                let family = if net.addr().is_ipv4() { "ip" } else { "ip6" };
                let full = if net.addr().is_ipv4() { 32 } else { 128 };
                let right = if net.prefix_len() == full {
                    json!(net.addr().to_string())
                } else {
                    json!({"prefix": {"addr": net.network().to_string(), "len": net.prefix_len()}})
                };
                (family, right)
            }
            RulePeer::SecurityGroup { security_group_id, account_id } => {
                let mut ips: Vec<IpAddr> = self
                    .members
                    .get(security_group_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| self.instances.get(m))
                    .filter(|m| &m.account_id == account_id && m.region == i.region)
                    .map(|m| m.private_ip)
                    .filter(IpAddr::is_ipv4)
                    .collect();
                if ips.is_empty() {
                    return None;
                }
                // In address order, as nft lists a set; one address as itself (nft lists a set
                // of one so, and the agent compares what it wrote with what nft lists).
                ips.sort();
                let ips: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
                ("ip", if let [one] = &ips[..] { json!(one) } else { json!({ "set": ips }) })
            }
        };
        let mut expr = vec![
            json!({"match": {"op": "==", "left": {"payload": {"protocol": family, "field": field}}, "right": peer}}),
        ];
        let port = |proto: &str, from: u16, to: u16| {
            let right = if from == to { json!(from) } else { json!({ "range": [from, to] }) };
            json!({"match": {"op": "==", "left": {"payload": {"protocol": proto, "field": "dport"}}, "right": right}})
        };
        match (r.protocol, r.port_range) {
            (Protocol::Tcp, Some(p)) => expr.push(port("tcp", p.from, p.to)),
            (Protocol::Udp, Some(p)) => expr.push(port("udp", p.from, p.to)),
            (Protocol::Tcp | Protocol::Udp, None) => {
                let name = if r.protocol == Protocol::Tcp { "tcp" } else { "udp" };
                expr.push(json!({"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": name}}));
            }
            (Protocol::Icmp, _) => expr.push(
                json!({"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "icmp"}}),
            ),
            _ => {}
        }
        expr.push(if r.policy == Policy::Accept { json!({"accept": null}) } else { json!({"drop": null}) });
        Some(expr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_subnets_as_others_are_added() {
        // Sixteen slots for twelve links: collisions are certain.
        let keys = |n: i64| (0..n).map(|i| (Timestamp::from_millis(i), format!("pair ri-{i}"))).collect::<Vec<_>>();
        let before = link_slots(keys(12), 16);
        let all: std::collections::BTreeSet<u32> = before.values().copied().collect();
        assert_eq!(all.len(), 12, "no two links share a slot");
        // Newer links, whatever their names sort as and wherever they hash, move no older one.
        for name in ["pair a", "pair ri-0", "pair zzz", "attachment 0"] {
            let mut more = keys(12);
            more.push((Timestamp::from_millis(100), name.to_owned()));
            let after = link_slots(more, 16);
            let moved: Vec<&String> = before.keys().filter(|k| after[*k] != before[*k]).collect();
            assert!(moved.is_empty(), "adding {name} moved {moved:?}");
        }
    }

    #[test]
    fn a_queue_holds_a_short_wait_at_every_rate() {
        // The sold rates keep what the notes measured: 16 kB at 2 Mbit/s, 50 ms at 50.
        assert_eq!(shaping("n", "l", 2).queue_bytes, 16 * 1024);
        let fifty = shaping("n", "l", 50);
        assert_eq!(fifty.queue_bytes, fifty.rate_kbps * 50 / 8);
        // The test bandwidth: two full frames, not twelve seconds of queue.
        let test = shaping_kbps("n", "l", TEST_BANDWIDTH_KBPS);
        assert_eq!(test.queue_bytes, 2 * 1514);
        for kbps in [10, 100, 1_000, 2_000, 10_000, 100_000, 1_000_000] {
            let s = shaping_kbps("n", "l", kbps);
            let wait_ms = s.queue_bytes * 8 / s.rate_kbps;
            assert!(s.queue_bytes >= 2 * 1514, "{kbps}: room for two frames");
            assert!(wait_ms <= 200 || s.queue_bytes == 2 * 1514, "{kbps} kbit/s waits {wait_ms} ms");
        }
    }
}
