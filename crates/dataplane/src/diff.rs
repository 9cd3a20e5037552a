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
