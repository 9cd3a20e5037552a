//! What differs between the desired state and the kernel, as a pure function: `diff(desired,
//! observed)` takes two plain values and returns a third, with no IO, no clock and no async,
//! so that every rule of what is missing or stale is tested from data tables without root.
//! Reading the kernel into an [`Observed`] is `observe.rs`'s; applying a [`Diff`] is `apply.rs`'s.

use std::collections::{BTreeMap, BTreeSet};

use xconnect_model::dataplane::*;

use crate::nft::ruleset_hash;

/// The largest packet a veth of the agent hands on: one Ethernet frame (its GSO limit).
pub(crate) const FRAME: u32 = 1514;

/// Whether a link is one the agent makes (its names start with `xc`, an instance's is `eth0`):
/// the kernel's own (loopback, the tunnel drivers' fallback devices) are never touched.
pub(crate) fn agents(link: &str) -> bool {
    link.starts_with("xc") || link == "eth0"
}

/// Whether a namespace of this role forwards packets (all but the endpoints do).
pub(crate) fn forwards(role: NamespaceRole) -> bool {
    !matches!(role, NamespaceRole::Instance | NamespaceRole::Host)
}

/// A link as the kernel holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub up: bool,
    pub gso_max_size: Option<u32>,
    /// Bytes sent out of this end (its byte counter, for metering).
    pub tx_bytes: u64,
}

/// The shaping found on one interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenShaping {
    pub htb_root: bool,
    pub rate_kbps: Option<u64>,
    pub queue_bytes: Option<u64>,
}

/// What the kernel holds in the namespaces looked at, in the desired state's terms.
#[derive(Debug, Default)]
pub struct Observed {
    pub namespaces: BTreeSet<String>,
    /// By namespace and link name (loopback left out).
    pub links: BTreeMap<(String, String), Link>,
    pub addresses: BTreeSet<Address>,
    pub routes: BTreeSet<KernelRoute>,
    /// By namespace: the hash of the agent's table there, if there is one.
    pub rulesets: BTreeMap<String, Option<u64>>,
    pub shaping: BTreeMap<(String, String), SeenShaping>,
    /// Router and hub namespaces with forwarding off.
    pub not_forwarding: BTreeSet<String>,
    /// The namespaces of the agent's record (those it made before) that are still there,
    /// wanted or not: the only ones it may find stale.
    pub made: BTreeSet<String>,
}

/// What differs between the desired state and the kernel: what a pass applies, and what
/// `agent status` shows as pending or stale.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    pub namespaces_missing: Vec<Namespace>,
    pub namespaces_stale: Vec<String>,
    pub veths_missing: Vec<Veth>,
    pub vlans_missing: Vec<Vlan>,
    pub links_stale: Vec<(String, String)>,
    pub addresses_missing: Vec<Address>,
    pub addresses_stale: Vec<Address>,
    pub routes_missing: Vec<KernelRoute>,
    pub routes_stale: Vec<KernelRoute>,
    pub rulesets_missing: Vec<Ruleset>,
    pub shaping_missing: Vec<Shaping>,
    pub shaping_stale: Vec<(String, String)>,
    pub forwarding_off: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        *self == Diff::default()
    }

    /// How many objects differ.
    pub fn len(&self) -> usize {
        self.namespaces_missing.len()
            + self.namespaces_stale.len()
            + self.veths_missing.len()
            + self.vlans_missing.len()
            + self.links_stale.len()
            + self.addresses_missing.len()
            + self.addresses_stale.len()
            + self.routes_missing.len()
            + self.routes_stale.len()
            + self.rulesets_missing.len()
            + self.shaping_missing.len()
            + self.shaping_stale.len()
            + self.forwarding_off.len()
    }
}

/// The desired state with each VLAN interface folded into the link it sits on: for a kernel
/// without 802.1Q, the VBR's link then carries its data centre's traffic untagged.
pub(crate) fn untagged(d: &DesiredState) -> DesiredState {
    let parent: BTreeMap<(&str, &str), &str> =
        d.vlans.iter().map(|v| ((v.namespace.as_str(), v.name.as_str()), v.parent.as_str())).collect();
    let fold = |ns: &str, name: &mut String| {
        if let Some(p) = parent.get(&(ns, name.as_str())) {
            *name = (*p).to_owned();
        }
    };
    let mut out = d.clone();
    out.vlans.clear();
    for a in &mut out.addresses {
        fold(&a.namespace, &mut a.interface);
    }
    for r in &mut out.routes {
        if let KernelNextHop::Device { interface } | KernelNextHop::Gateway { interface, .. } = &mut r.next_hop {
            fold(&r.namespace, interface);
        }
    }
    out.addresses.sort();
    out.routes.sort();
    out
}

/// What differs between `desired` and what the kernel holds. A namespace is missing when it is
/// not observed; one the agent made and no longer wants is stale. A link is missing when it is
/// absent, down, or sends super-packets; a link made again comes without its addresses, routes
/// and shaping, so those are missing too, whatever was observed on the old one. Only the agent's
/// links (see [`agents`]) are ever stale.
pub fn diff(desired: &DesiredState, o: &Observed) -> Diff {
    let wanted: BTreeSet<&str> = desired.namespaces.iter().map(|n| n.name.as_str()).collect();
    let mut d = Diff {
        namespaces_missing: desired.namespaces.iter().filter(|n| !o.namespaces.contains(&n.name)).cloned().collect(),
        namespaces_stale: o.made.iter().filter(|n| !wanted.contains(n.as_str())).cloned().collect(),
        ..Diff::default()
    };
    let mut ends: BTreeSet<(&str, &str)> = BTreeSet::new();
    for v in &desired.veths {
        ends.insert((&v.a_namespace, &v.a_name));
        ends.insert((&v.b_namespace, &v.b_name));
        let ok = |ns: &str, name: &str| {
            o.links
                .get(&(ns.to_owned(), name.to_owned()))
                .is_some_and(|l| l.up && l.gso_max_size.is_none_or(|g| g == FRAME))
        };
        if !ok(&v.a_namespace, &v.a_name) || !ok(&v.b_namespace, &v.b_name) {
            d.veths_missing.push(v.clone());
        }
    }
    for v in &desired.vlans {
        ends.insert((&v.namespace, &v.name));
        let seen = o.links.get(&(v.namespace.clone(), v.name.clone()));
        let parent_remade = d.veths_missing.iter().any(|x| {
            (x.a_namespace == v.namespace && x.a_name == v.parent)
                || (x.b_namespace == v.namespace && x.b_name == v.parent)
        });
        if parent_remade || seen.is_none_or(|l| !l.up) {
            d.vlans_missing.push(v.clone());
        }
    }
    d.links_stale = o
        .links
        .keys()
        .filter(|(ns, name)| agents(name) && !ends.contains(&(ns.as_str(), name.as_str())))
        .cloned()
        .collect();
    // A link made again comes without its addresses and routes: they are missing too.
    let remade: BTreeSet<(&str, &str)> = d
        .veths_missing
        .iter()
        .flat_map(|v| [(v.a_namespace.as_str(), v.a_name.as_str()), (v.b_namespace.as_str(), v.b_name.as_str())])
        .chain(d.vlans_missing.iter().map(|v| (v.namespace.as_str(), v.name.as_str())))
        .collect();
    let via = |r: &KernelRoute| match &r.next_hop {
        KernelNextHop::Device { interface } | KernelNextHop::Gateway { interface, .. } => Some(interface.clone()),
        KernelNextHop::Blackhole => None,
    };
    let want_addr: BTreeSet<&Address> = desired.addresses.iter().collect();
    d.addresses_missing = desired
        .addresses
        .iter()
        .filter(|a| !o.addresses.contains(*a) || remade.contains(&(a.namespace.as_str(), a.interface.as_str())))
        .cloned()
        .collect();
    d.addresses_stale = o.addresses.iter().filter(|a| !want_addr.contains(a)).cloned().collect();
    let want_routes: BTreeSet<&KernelRoute> = desired.routes.iter().collect();
    d.routes_missing = desired
        .routes
        .iter()
        .filter(|r| {
            !o.routes.contains(*r) || via(r).is_some_and(|i| remade.contains(&(r.namespace.as_str(), i.as_str())))
        })
        .cloned()
        .collect();
    d.routes_stale = o.routes.iter().filter(|r| !want_routes.contains(r)).cloned().collect();
    d.rulesets_missing = desired
        .rulesets
        .iter()
        .filter(|rs| o.rulesets.get(&rs.namespace).copied().flatten() != Some(ruleset_hash(&rs.nftables)))
        .cloned()
        .collect();
    let shaped: BTreeSet<(&str, &str)> =
        desired.shaping.iter().map(|s| (s.namespace.as_str(), s.interface.as_str())).collect();
    d.shaping_missing = desired
        .shaping
        .iter()
        .filter(|s| {
            let seen = o.shaping.get(&(s.namespace.clone(), s.interface.clone()));
            remade.contains(&(s.namespace.as_str(), s.interface.as_str()))
                || seen.is_none_or(|x| {
                    !x.htb_root || x.rate_kbps != Some(s.rate_kbps) || x.queue_bytes != Some(s.queue_bytes)
                })
        })
        .cloned()
        .collect();
    d.shaping_stale = o
        .shaping
        .iter()
        .filter(|((ns, i), x)| x.htb_root && !shaped.contains(&(ns.as_str(), i.as_str())))
        .map(|(k, _)| k.clone())
        .collect();
    let routers: BTreeSet<&str> =
        desired.namespaces.iter().filter(|n| forwards(n.role)).map(|n| n.name.as_str()).collect();
    d.forwarding_off = o.not_forwarding.iter().filter(|n| routers.contains(n.as_str())).cloned().collect();
    d
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use xconnect_model::Cidr;

    use super::*;

    fn ns(name: &str, role: NamespaceRole) -> Namespace {
        Namespace { name: name.into(), role, resource_id: name.into() }
    }

    fn veth(a_ns: &str, a: &str, b_ns: &str, b: &str) -> Veth {
        Veth { a_namespace: a_ns.into(), a_name: a.into(), b_namespace: b_ns.into(), b_name: b.into() }
    }

    fn address(ns: &str, interface: &str, address: &str) -> Address {
        Address { namespace: ns.into(), interface: interface.into(), address: address.into() }
    }

    fn route(ns: &str, destination: &str, next_hop: KernelNextHop) -> KernelRoute {
        KernelRoute { namespace: ns.into(), destination: Cidr::parse("route", destination).unwrap(), next_hop }
    }

    fn device(interface: &str) -> KernelNextHop {
        KernelNextHop::Device { interface: interface.into() }
    }

    fn shaping(ns: &str, interface: &str, rate_kbps: u64) -> Shaping {
        Shaping {
            namespace: ns.into(),
            interface: interface.into(),
            bought_kbps: rate_kbps,
            rate_kbps,
            queue_bytes: 16384,
        }
    }

    /// Two VPC routers joined by a shaped pair, an instance behind the first, and a VBR with its
    /// data centre over a VLAN: one of every kind of object.
    fn desired() -> DesiredState {
        let (ra, rb, ia, vbr, dc) = ("xc-r-a", "xc-r-b", "xc-i-a", "xc-v-c", "xc-d-c");
        let mut d = DesiredState {
            namespaces: vec![
                ns(dc, NamespaceRole::DataCentre),
                ns(ia, NamespaceRole::Instance),
                ns(ra, NamespaceRole::Router),
                ns(rb, NamespaceRole::Router),
                ns(vbr, NamespaceRole::Vbr),
            ],
            veths: vec![veth(ra, "xcia", ia, "eth0"), veth(ra, "xcpa", rb, "xcpb"), veth(vbr, "xcdc", dc, "xcvc")],
            vlans: vec![
                Vlan { namespace: vbr.into(), parent: "xcdc".into(), name: "xcdc.7".into(), vlan_id: 7 },
                Vlan { namespace: dc.into(), parent: "xcvc".into(), name: "xcvc.7".into(), vlan_id: 7 },
            ],
            addresses: vec![
                address(ia, "eth0", "192.168.1.10/32"),
                address(ra, "xcia", "192.168.1.1/32"),
                address(ra, "xcpa", "100.64.0.1/30"),
                address(rb, "xcpb", "100.64.0.2/30"),
                address(vbr, "xcdc.7", "100.64.0.5/30"),
            ],
            routes: vec![
                route(
                    ia,
                    "0.0.0.0/0",
                    KernelNextHop::Gateway { via: Ipv4Addr::new(192, 168, 1, 1).into(), interface: "eth0".into() },
                ),
                route(ra, "192.168.1.10/32", device("xcia")),
                route(ra, "172.16.0.0/16", device("xcpa")),
                route(rb, "10.0.0.0/8", KernelNextHop::Blackhole),
                route(vbr, "10.0.0.0/8", device("xcdc.7")),
            ],
            rulesets: vec![Ruleset { namespace: ia.into(), table: "xc".into(), nftables: r#"{"nftables":[]}"#.into() }],
            shaping: vec![shaping(ra, "xcpa", 2000), shaping(rb, "xcpb", 2000)],
            meters: Vec::new(),
        };
        d.addresses.sort();
        d.routes.sort();
        d
    }

    /// What a kernel that holds exactly `d` is observed as.
    fn held(d: &DesiredState) -> Observed {
        let link = |i| Link { index: i, up: true, gso_max_size: Some(FRAME), tx_bytes: 0 };
        let mut o =
            Observed { namespaces: d.namespaces.iter().map(|n| n.name.clone()).collect(), ..Observed::default() };
        for v in &d.veths {
            o.links.insert((v.a_namespace.clone(), v.a_name.clone()), link(2));
            o.links.insert((v.b_namespace.clone(), v.b_name.clone()), link(3));
        }
        for v in &d.vlans {
            o.links.insert((v.namespace.clone(), v.name.clone()), Link { gso_max_size: None, ..link(4) });
        }
        o.addresses = d.addresses.iter().cloned().collect();
        o.routes = d.routes.iter().cloned().collect();
        o.rulesets = d.rulesets.iter().map(|r| (r.namespace.clone(), Some(ruleset_hash(&r.nftables)))).collect();
        for s in &d.shaping {
            let seen = SeenShaping { htb_root: true, rate_kbps: Some(s.rate_kbps), queue_bytes: Some(s.queue_bytes) };
            o.shaping.insert((s.namespace.clone(), s.interface.clone()), seen);
        }
        o
    }

    fn key(ns: &str, name: &str) -> (String, String) {
        (ns.into(), name.into())
    }

    type Case = (&'static str, fn(&mut Observed), fn(&DesiredState) -> Diff);

    /// Each case changes what the kernel holds from exactly the desired state, and says what
    /// the diff is then.
    const CASES: &[Case] = &[
        ("identical: nothing to do", |_| {}, |_| Diff::default()),
        (
            "nothing observed: everything missing",
            |o| *o = Observed::default(),
            |d| Diff {
                namespaces_missing: d.namespaces.clone(),
                veths_missing: d.veths.clone(),
                vlans_missing: d.vlans.clone(),
                addresses_missing: d.addresses.clone(),
                routes_missing: d.routes.clone(),
                rulesets_missing: d.rulesets.clone(),
                shaping_missing: d.shaping.clone(),
                ..Diff::default()
            },
        ),
        (
            "a namespace gone: its objects too (the kernel took them with it)",
            |o| {
                let d = desired();
                *o = held(&DesiredState {
                    namespaces: d.namespaces.iter().filter(|n| n.name != "xc-i-a").cloned().collect(),
                    veths: d.veths.iter().filter(|v| v.b_namespace != "xc-i-a").cloned().collect(),
                    addresses: d.addresses.iter().filter(|a| a.namespace != "xc-i-a").cloned().collect(),
                    routes: d.routes.iter().filter(|r| r.namespace != "xc-i-a").cloned().collect(),
                    rulesets: Vec::new(),
                    ..d
                });
                o.links.remove(&key("xc-r-a", "xcia"));
            },
            |d| Diff {
                namespaces_missing: vec![d.namespaces[1].clone()],
                veths_missing: vec![d.veths[0].clone()],
                // The router's end of the link goes too: its address and route are missing.
                addresses_missing: d
                    .addresses
                    .iter()
                    .filter(|a| a.interface == "xcia" || a.interface == "eth0")
                    .cloned()
                    .collect(),
                routes_missing: d
                    .routes
                    .iter()
                    .filter(|r| r.namespace == "xc-i-a" || r.destination.to_string() == "192.168.1.10/32")
                    .cloned()
                    .collect(),
                rulesets_missing: d.rulesets.clone(),
                ..Diff::default()
            },
        ),
        (
            "a stale route, address and link; the kernel's own links left alone",
            |o| {
                o.routes.insert(route("xc-r-a", "10.9.0.0/16", device("xcpa")));
                o.addresses.insert(address("xc-r-b", "xcpb", "100.64.9.9/30"));
                o.links.insert(key("xc-r-b", "xcpold"), Link { index: 9, up: true, gso_max_size: None, tx_bytes: 0 });
                o.links.insert(key("xc-r-b", "lo"), Link { index: 1, up: true, gso_max_size: None, tx_bytes: 0 });
                o.links.insert(key("xc-r-b", "tunl0"), Link { index: 5, up: false, gso_max_size: None, tx_bytes: 0 });
            },
            |_| Diff {
                routes_stale: vec![route("xc-r-a", "10.9.0.0/16", device("xcpa"))],
                addresses_stale: vec![address("xc-r-b", "xcpb", "100.64.9.9/30")],
                links_stale: vec![key("xc-r-b", "xcpold")],
                ..Diff::default()
            },
        ),
        (
            "a link down: made again, with its addresses, routes and shaping",
            |o| o.links.get_mut(&key("xc-r-b", "xcpb")).unwrap().up = false,
            |d| Diff {
                veths_missing: vec![d.veths[1].clone()],
                addresses_missing: d.addresses.iter().filter(|a| a.interface.starts_with("xcp")).cloned().collect(),
                routes_missing: vec![route("xc-r-a", "172.16.0.0/16", device("xcpa"))],
                shaping_missing: d.shaping.clone(),
                ..Diff::default()
            },
        ),
        (
            "a link that sends super-packets is made again",
            |o| o.links.get_mut(&key("xc-i-a", "eth0")).unwrap().gso_max_size = Some(65536),
            |d| Diff {
                veths_missing: vec![d.veths[0].clone()],
                addresses_missing: d
                    .addresses
                    .iter()
                    .filter(|a| a.namespace == "xc-i-a" || a.interface == "xcia")
                    .cloned()
                    .collect(),
                routes_missing: d
                    .routes
                    .iter()
                    .filter(|r| r.namespace == "xc-i-a" || r.destination.to_string() == "192.168.1.10/32")
                    .cloned()
                    .collect(),
                ..Diff::default()
            },
        ),
        (
            "a VLAN's parent made again: the VLAN too, and what sits on it",
            |o| {
                o.links.remove(&key("xc-d-c", "xcvc"));
            },
            |d| Diff {
                veths_missing: vec![d.veths[2].clone()],
                vlans_missing: d.vlans.clone(),
                addresses_missing: vec![address("xc-v-c", "xcdc.7", "100.64.0.5/30")],
                routes_missing: vec![route("xc-v-c", "10.0.0.0/8", device("xcdc.7"))],
                ..Diff::default()
            },
        ),
        (
            "a shaping rate changed",
            |o| o.shaping.get_mut(&key("xc-r-a", "xcpa")).unwrap().rate_kbps = Some(1000),
            |d| Diff { shaping_missing: vec![d.shaping[0].clone()], ..Diff::default() },
        ),
        (
            "a leaf queue's limit changed, and an htb root gone",
            |o| {
                o.shaping.get_mut(&key("xc-r-a", "xcpa")).unwrap().queue_bytes = Some(1);
                o.shaping.get_mut(&key("xc-r-b", "xcpb")).unwrap().htb_root = false;
            },
            |d| Diff { shaping_missing: d.shaping.clone(), ..Diff::default() },
        ),
        (
            "shaping on a link no longer shaped is stale; a leaf without a root is not",
            |o| {
                let seen = SeenShaping { htb_root: true, rate_kbps: Some(10), queue_bytes: Some(3028) };
                o.shaping.insert(key("xc-r-a", "xcia"), seen);
                o.shaping.insert(key("xc-i-a", "eth0"), SeenShaping { queue_bytes: Some(3028), ..Default::default() });
            },
            |_| Diff { shaping_stale: vec![key("xc-r-a", "xcia")], ..Diff::default() },
        ),
        (
            "a table with another hash",
            |o| *o.rulesets.get_mut("xc-i-a").unwrap() = Some(0xdead),
            |d| Diff { rulesets_missing: d.rulesets.clone(), ..Diff::default() },
        ),
        (
            "a table without the agent's mark, or meddled with (hash zero)",
            |o| *o.rulesets.get_mut("xc-i-a").unwrap() = Some(0),
            |d| Diff { rulesets_missing: d.rulesets.clone(), ..Diff::default() },
        ),
        (
            "no table at all",
            |o| *o.rulesets.get_mut("xc-i-a").unwrap() = None,
            |d| Diff { rulesets_missing: d.rulesets.clone(), ..Diff::default() },
        ),
        (
            "forwarding off in a router; an instance's does not matter",
            |o| {
                o.not_forwarding.insert("xc-r-b".into());
                o.not_forwarding.insert("xc-i-a".into());
            },
            |_| Diff { forwarding_off: vec!["xc-r-b".into()], ..Diff::default() },
        ),
        (
            "a namespace the agent made and no longer wants is stale; one it wants is not",
            |o| {
                o.made.insert("xc-r-old".into());
                o.made.insert("xc-r-a".into());
            },
            |_| Diff { namespaces_stale: vec!["xc-r-old".into()], ..Diff::default() },
        ),
    ];

    #[test]
    fn the_diff_of_each_case_is_what_it_says() {
        let d = desired();
        for (name, change, want) in CASES {
            let mut o = held(&d);
            change(&mut o);
            let got = diff(&d, &o);
            let want = want(&d);
            assert_eq!(got, want, "{name}");
            assert_eq!(got.is_empty(), want == Diff::default(), "{name}");
        }
    }

    #[test]
    fn a_diff_counts_every_object() {
        let d = desired();
        let all = diff(&d, &Observed::default());
        let objects = d.namespaces.len()
            + d.veths.len()
            + d.vlans.len()
            + d.addresses.len()
            + d.routes.len()
            + d.rulesets.len()
            + d.shaping.len();
        assert_eq!(all.len(), objects);
        assert_eq!(diff(&d, &held(&d)).len(), 0);
    }

    #[test]
    fn without_802_1q_a_vlan_folds_into_its_link() {
        let d = desired();
        let flat = untagged(&d);
        assert!(flat.vlans.is_empty());
        assert!(flat.addresses.contains(&address("xc-v-c", "xcdc", "100.64.0.5/30")));
        assert!(flat.routes.contains(&route("xc-v-c", "10.0.0.0/8", device("xcdc"))));
        assert!(flat.addresses.is_sorted() && flat.routes.is_sorted());
        // A kernel that holds the folded state is what the folded state wants.
        assert!(diff(&flat, &held(&flat)).is_empty());
        assert_eq!(diff(&flat, &held(&d)).addresses_stale, vec![address("xc-v-c", "xcdc.7", "100.64.0.5/30")]);
    }
}
