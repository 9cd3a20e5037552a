//! The reconciler: every pass reads what the kernel holds in the agent's namespaces (links,
//! addresses, routes, nftables tables, shaping), compares it with the desired state and applies
//! only the difference, adding what is missing and taking away what is stale. The first pass and
//! the hundredth take the same path, so a pass killed anywhere is finished by the next one.
//!
//! Reading is cheap enough to do every pass: netlink dumps on sockets kept open per namespace,
//! and for nftables the namespace's ruleset generation (one netlink round trip), so that a table
//! is listed only when something changed it. The agent marks the tables it writes with a hash of
//! their document (`nft.rs`): that is how it knows, after a restart, whether a table already
//! holds what is wanted.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

use futures_util::{StreamExt, TryStreamExt};
use rtnetlink::packet_core::Nla;
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::packet_route::address::AddressAttribute;
use rtnetlink::packet_route::link::{LinkAttribute, LinkFlags};
use rtnetlink::packet_route::route::{
    RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use rtnetlink::packet_route::tc::{TcAttribute, TcOption};
use rtnetlink::{Handle, new_connection};
use xconnect_model::Cidr;
use xconnect_model::dataplane::*;

use crate::apply::{self, FRAME, other};
use crate::nft::{self, ruleset_hash};
use crate::{check, delete, ensure, list, path};

/// Whether a link is one the agent makes (its names start with `xc`, an instance's is `eth0`):
/// the kernel's own (loopback, the tunnel drivers' fallback devices) are never touched.
fn agents(link: &str) -> bool {
    link.starts_with("xc") || link == "eth0"
}

/// Whether a namespace of this role forwards packets (all but the endpoints do).
fn forwards(role: NamespaceRole) -> bool {
    !matches!(role, NamespaceRole::Instance | NamespaceRole::Host)
}

/// The main routing table: the only one the agent writes.
const MAIN_TABLE: u8 = 254;

/// One namespace's open sockets, and which namespace they were opened in (a namespace deleted
/// and made again under the same name is a new one: its sockets are opened anew).
struct Space {
    inode: (u64, u64),
    rt: Handle,
    /// A netfilter netlink socket, for the nftables generation.
    nf: OwnedFd,
}

/// What the agent last wrote or read of an instance's table, valid while the namespace's
/// nftables generation has not moved.
#[derive(Clone)]
struct SeenTable {
    generation: u32,
    /// The hash in the table's comment; none when there is no table of the agent's.
    hash: Option<u64>,
    /// The table as it was: the peers of rules taken away are found in it.
    text: String,
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

/// The agent: its sockets and what it knows of the tables it wrote. One per host; a new one
/// (after a restart) reads everything from the kernel again.
#[derive(Default)]
pub struct Agent {
    spaces: BTreeMap<String, Space>,
    tables: BTreeMap<String, SeenTable>,
    /// Whether this kernel makes 802.1Q VLAN interfaces; asked once, when first needed.
    vlans: Option<bool>,
}

/// The desired state with each VLAN interface folded into the link it sits on: for a kernel
/// without 802.1Q, the VBR's link then carries its data centre's traffic untagged.
fn untagged(d: &DesiredState) -> DesiredState {
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

/// Deletes the scratch namespaces of agents that are gone (killed while asking the kernel).
pub fn remove_stale_probes() -> io::Result<Vec<String>> {
    let mut gone = Vec::new();
    for ns in list()? {
        let Some(pid) = ns.strip_prefix(PROBE).and_then(|p| p.parse::<i32>().ok()) else { continue };
        if pid != std::process::id() as i32 && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            delete(&ns)?;
            gone.push(ns);
        }
    }
    Ok(gone)
}

/// The scratch namespace an agent asks the kernel in, followed by its process id.
const PROBE: &str = "xc-probe-";

/// Tries an 802.1Q interface on a veth in a scratch namespace of the agent's, then removes it.
async fn kernel_has_vlans() -> io::Result<bool> {
    remove_stale_probes()?;
    let ns = format!("{PROBE}{}", std::process::id());
    ensure(&ns)?;
    let result = async {
        let inode = {
            let m = std::fs::metadata(path(&ns))?;
            (m.dev(), m.ino())
        };
        let h = open(&ns, inode)?.rt;
        h.link().add(rtnetlink::LinkVeth::new("xcprobea", "xcprobeb").build()).execute().await.map_err(other)?;
        let parent = apply::index(&h, "xcprobea").await?.ok_or_else(|| other("the probe's veth vanished"))?;
        match h.link().add(rtnetlink::LinkVlan::new("xcprobev", parent, 1).build()).execute().await {
            Ok(()) => Ok(true),
            Err(rtnetlink::Error::NetlinkError(e))
                if e.raw_code() == -libc::EOPNOTSUPP || e.raw_code() == -libc::EAFNOSUPPORT =>
            {
                Ok(false)
            }
            Err(e) => Err(other(e)),
        }
    }
    .await;
    delete(&ns)?;
    result
}

impl Agent {
    pub fn new() -> Self {
        Self::default()
    }

    /// The namespace's netlink handle, opened in it when first needed (and again when the
    /// namespace was made anew).
    pub(crate) fn handle(&mut self, namespace: &str) -> io::Result<Handle> {
        let inode = {
            let m = std::fs::metadata(path(namespace))?;
            (m.dev(), m.ino())
        };
        if let Some(s) = self.spaces.get(namespace)
            && s.inode == inode
        {
            return Ok(s.rt.clone());
        }
        let space = open(namespace, inode)?;
        let h = space.rt.clone();
        self.spaces.insert(namespace.to_owned(), space);
        self.tables.remove(namespace);
        Ok(h)
    }

    /// Forgets a namespace's sockets: an open socket would keep a deleted namespace alive.
    pub(crate) fn forget(&mut self, namespace: &str) {
        self.spaces.remove(namespace);
        self.tables.remove(namespace);
    }

    fn generation(&mut self, namespace: &str) -> io::Result<u32> {
        self.handle(namespace)?;
        nft_generation(&self.spaces[namespace].nf)
    }

    /// Reads what the kernel holds in `namespaces` (those that exist).
    pub async fn observe(&mut self, namespaces: &[&str], desired: &DesiredState) -> io::Result<Observed> {
        let mut o = Observed::default();
        let present: BTreeSet<String> = list()?.into_iter().filter(|n| crate::live(n)).collect();
        let routers: BTreeSet<&str> =
            desired.namespaces.iter().filter(|n| forwards(n.role)).map(|n| n.name.as_str()).collect();
        let with_tables: BTreeMap<&str, &Ruleset> =
            desired.rulesets.iter().map(|r| (r.namespace.as_str(), r)).collect();
        let mut jobs = Vec::new();
        for &ns in namespaces {
            if !present.contains(ns) {
                self.forget(ns);
                continue;
            }
            o.namespaces.insert(ns.to_owned());
            jobs.push((ns.to_owned(), self.handle(ns)?));
        }
        // The dumps of many namespaces are in flight at once: each is a short round trip to
        // the kernel, and waiting for them one by one is most of a pass's time.
        let parts: Vec<io::Result<Observed>> = futures_util::stream::iter(jobs)
            .map(|(ns, h)| async move {
                let mut part = Observed::default();
                let names = observe_links(&h, &ns, &mut part).await?;
                observe_addresses(&h, &ns, &names, &mut part).await?;
                observe_routes(&h, &ns, &names, &mut part).await?;
                observe_shaping(&h, &ns, &names, &mut part).await?;
                Ok(part)
            })
            .buffer_unordered(64)
            .collect()
            .await;
        for part in parts {
            let part = part?;
            o.links.extend(part.links);
            o.addresses.extend(part.addresses);
            o.routes.extend(part.routes);
            o.shaping.extend(part.shaping);
        }
        for &ns in namespaces.iter().filter(|ns| o.namespaces.contains(**ns)) {
            if routers.contains(ns) && !forwarding(ns)? {
                o.not_forwarding.insert(ns.to_owned());
            }
            if let Some(rs) = with_tables.get(ns) {
                let seen = self.table(rs)?;
                o.rulesets.insert(ns.to_owned(), seen.hash);
            }
        }
        Ok(o)
    }

    /// The agent's table in `rs`'s namespace: from memory while the generation has not moved,
    /// otherwise listed from the kernel. A listed table that carries the desired mark but not
    /// the desired rules (one added, taken away or changed under the agent, the mark's rule
    /// left alone) counts as another's: it is written again.
    fn table(&mut self, rs: &Ruleset) -> io::Result<SeenTable> {
        let ns = rs.namespace.as_str();
        let generation = self.generation(ns)?;
        if let Some(t) = self.tables.get(ns)
            && t.generation == generation
        {
            return Ok(t.clone());
        }
        let (text, mut hash) = nft::read(ns, "xc")?;
        if hash == Some(ruleset_hash(&rs.nftables)) && nft::shape(&text) != nft::shape(&nft::document(rs)?) {
            hash = Some(0);
        }
        let seen = SeenTable { generation, hash, text };
        self.tables.insert(ns.to_owned(), seen.clone());
        Ok(seen)
    }

    /// What differs between `desired` and the kernel; `made` are namespaces this agent made
    /// earlier (those no longer desired are stale; no other namespace is ever touched).
    /// The byte counters of the metered links that exist, read from the kernel now.
    pub async fn counters(&mut self, meters: &[Meter]) -> io::Result<Vec<(Meter, u64)>> {
        let namespaces: BTreeSet<&str> = meters.iter().map(|m| m.namespace.as_str()).collect();
        let present: BTreeSet<String> = list()?.into_iter().filter(|n| crate::live(n)).collect();
        let mut o = Observed::default();
        for ns in namespaces.into_iter().filter(|ns| present.contains(*ns)) {
            let h = self.handle(ns)?;
            observe_links(&h, ns, &mut o).await?;
        }
        Ok(meters
            .iter()
            .filter_map(|m| o.links.get(&(m.namespace.clone(), m.interface.clone())).map(|l| (m.clone(), l.tx_bytes)))
            .collect())
    }

    /// Whether VBR links carry their VLAN tagged (false: the kernel has no 802.1Q, and the
    /// link carries the data centre's traffic untagged). None until a VLAN was wanted.
    pub fn vlans_tagged(&self) -> Option<bool> {
        self.vlans
    }

    pub async fn diff(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<(Diff, Observed)> {
        let folded;
        let desired = if desired.vlans.is_empty() {
            desired
        } else {
            if self.vlans.is_none() {
                self.vlans = Some(kernel_has_vlans().await?);
            }
            if self.vlans == Some(true) {
                desired
            } else {
                folded = untagged(desired);
                &folded
            }
        };
        let wanted: BTreeSet<&str> = desired.namespaces.iter().map(|n| n.name.as_str()).collect();
        let present: BTreeSet<String> = list()?.into_iter().filter(|n| crate::live(n)).collect();
        let mut d = Diff {
            namespaces_missing: desired.namespaces.iter().filter(|n| !present.contains(&n.name)).cloned().collect(),
            namespaces_stale: made
                .iter()
                .filter(|n| !wanted.contains(n.as_str()) && crate::exists(n))
                .cloned()
                .collect(),
            ..Diff::default()
        };
        let scope: Vec<&str> = wanted.iter().copied().collect();
        let o = self.observe(&scope, desired).await?;

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
        d.forwarding_off = o.not_forwarding.iter().cloned().collect();
        Ok((d, o))
    }

    /// One pass, as the agent's loop makes them: reads the kernel and applies what differs;
    /// the next pass sees whether it all took. Returns what was found different.
    pub async fn pass(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<Diff> {
        let (d, _) = self.diff(desired, made).await?;
        if !d.is_empty() {
            self.apply_diff(&d).await?;
        }
        Ok(d)
    }

    /// Passes until nothing differs (at most three, then it is an error): for a run that must
    /// leave the kernel as wanted before it returns. Returns what the first pass found.
    ///
    /// A pass that fails is followed by another, as in the agent's loop: the kernel changes
    /// under a pass too (a namespace deleted takes its veths' other ends from their namespaces
    /// a moment later, not at once), and the next pass starts from what is there.
    pub async fn reconcile(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<Diff> {
        let mut first = None;
        let mut failed = None;
        for _ in 0..3 {
            let (d, _) = self.diff(desired, made).await?;
            if d.is_empty() {
                return Ok(first.unwrap_or(d));
            }
            if let Err(e) = self.apply_diff(&d).await {
                failed = Some(e);
            }
            first.get_or_insert(d);
        }
        let (d, _) = self.diff(desired, made).await?;
        match failed {
            _ if d.is_empty() => Ok(first.unwrap_or(d)),
            Some(e) => Err(other(format!("the kernel did not reach the desired state: {e}; still different: {d:?}"))),
            None => Err(other(format!("the kernel did not reach the desired state; still different: {d:?}"))),
        }
    }

    async fn apply_diff(&mut self, d: &Diff) -> io::Result<()> {
        for ns in &d.namespaces_stale {
            self.forget(ns);
            delete(ns)?;
        }
        for n in &d.namespaces_missing {
            ensure(&n.name)?;
            let h = self.handle(&n.name)?;
            if let Some(lo) = apply::index(&h, "lo").await? {
                apply::up(&h, lo).await?;
            }
        }
        for ns in d.namespaces_missing.iter().filter(|n| forwards(n.role)).map(|n| &n.name) {
            apply::forwarding_on(ns)?;
        }
        for ns in &d.forwarding_off {
            apply::forwarding_on(ns)?;
        }
        // Taken away first: a stale route or address may stand where a wanted one goes.
        for r in &d.routes_stale {
            let h = self.handle(&r.namespace)?;
            if let Some(mut msg) = apply::route_message(&h, r).await? {
                // Matched as `ip route del` does: whoever made it, with whatever scope and type.
                msg.header.protocol = RouteProtocol::Unspec;
                msg.header.scope = RouteScope::NoWhere;
                msg.header.kind = RouteType::Unspec;
                match h.route().del(msg).execute().await {
                    Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code() == -libc::ESRCH => {}
                    result => result.map_err(other)?,
                }
            }
        }
        for a in &d.addresses_stale {
            let h = self.handle(&a.namespace)?;
            apply::del_address(&h, a).await?;
        }
        // Shaping taken off links that stay (a link taken away takes its shaping with it).
        for (ns, interface) in d.shaping_stale.iter().filter(|k| !d.links_stale.contains(k)) {
            let mut cmd = apply::command_in(ns, "tc")?;
            cmd.args(["qdisc", "del", "dev", interface, "root"]);
            apply::run(cmd, None)?;
        }
        for (ns, name) in &d.links_stale {
            let h = self.handle(ns)?;
            if let Some(i) = apply::index(&h, name).await? {
                h.link().del(i).execute().await.map_err(other)?;
            }
        }
        let delta = DesiredState {
            namespaces: Vec::new(),
            veths: d.veths_missing.clone(),
            vlans: d.vlans_missing.clone(),
            addresses: d.addresses_missing.clone(),
            routes: d.routes_missing.clone(),
            rulesets: Vec::new(),
            shaping: d.shaping_missing.clone(),
            meters: Vec::new(),
        };
        apply::items(&delta, self).await?;
        // Rulesets: replaced whole; then the flows of rules taken away are forgotten (after, not
        // before: forgotten earlier, a packet in between would be tracked anew under the old rule).
        // Each table is its own `nft` run, most of whose time is the kernel's commit in that
        // namespace: a few run side by side.
        let queue = std::sync::Mutex::new(d.rulesets_missing.iter());
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| -> io::Result<()> {
                        loop {
                            let next = queue.lock().map_err(|_| other("a ruleset worker panicked"))?.next();
                            match next {
                                Some(rs) => nft::write(rs)?,
                                None => return Ok(()),
                            }
                        }
                    })
                })
                .collect();
            workers.into_iter().try_for_each(|w| w.join().map_err(|_| other("a ruleset worker panicked"))?)
        })?;
        for rs in &d.rulesets_missing {
            let before = self.tables.get(&rs.namespace).map(|t| t.text.clone()).unwrap_or_default();
            let generation = self.generation(&rs.namespace)?;
            self.tables.insert(
                rs.namespace.clone(),
                SeenTable { generation, hash: Some(ruleset_hash(&rs.nftables)), text: rs.nftables.clone() },
            );
            for peer in nft::revoked_sources(&before, &rs.nftables) {
                let mut cmd = apply::command_in(&rs.namespace, "conntrack")?;
                cmd.args(["-D", "-s", &peer]);
                // conntrack exits non-zero when nothing matched: that is not a failure here.
                let _ = apply::run(cmd, None);
            }
        }
        Ok(())
    }
}

/// Opens a namespace's sockets on a thread of its own that enters it: a socket stays bound to
/// the namespace of the thread that opened it.
fn open(namespace: &str, inode: (u64, u64)) -> io::Result<Space> {
    let p = path(namespace);
    let rt = tokio::runtime::Handle::current();
    let (conn, handle, nf) = std::thread::spawn(move || -> io::Result<_> {
        let _inside = rt.enter();
        let f = File::open(p)?;
        // SAFETY: setns on this short-lived thread only.
        check(unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) })?;
        let (conn, handle, _) = new_connection()?;
        // SAFETY: socket(2) with constant arguments; the descriptor is owned at once.
        let fd =
            unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_NETFILTER) };
        check(fd)?;
        // SAFETY: fd is a fresh descriptor nobody else owns.
        Ok((conn, handle, unsafe { OwnedFd::from_raw_fd(fd) }))
    })
    .join()
    .map_err(|_| io::Error::other("the netlink thread panicked"))??;
    tokio::spawn(conn);
    Ok(Space { inode, rt: handle, nf })
}

/// The namespace's nftables generation: it moves with every change to its rulesets, so a
/// table read at one generation is still the same while the generation is.
fn nft_generation(fd: &OwnedFd) -> io::Result<u32> {
    const NFNL_SUBSYS_NFTABLES: u16 = 10;
    const NFT_MSG_GETGEN: u16 = 16;
    const NFTA_GEN_ID: u16 = 1;
    let mut req = [0u8; 20];
    req[0..4].copy_from_slice(&20u32.to_ne_bytes());
    req[4..6].copy_from_slice(&((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN).to_ne_bytes());
    req[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
    req[8..12].copy_from_slice(&1u32.to_ne_bytes());
    // nfgenmsg: family unspecified, version 0, resource id 0.
    let fd = fd.as_raw_fd();
    // SAFETY: send(2)/recv(2) on an owned socket with buffers of the lengths given.
    let sent = unsafe { libc::send(fd, req.as_ptr().cast(), req.len(), 0) };
    check(if sent < 0 { -1 } else { 0 })?;
    let mut buf = [0u8; 512];
    // SAFETY: as above.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    check(if n < 0 { -1 } else { 0 })?;
    let msg = &buf[..n as usize];
    if msg.len() < 20 {
        return Err(other("a short answer to the nftables generation request"));
    }
    let kind = u16::from_ne_bytes([msg[4], msg[5]]);
    if kind == libc::NLMSG_ERROR as u16 {
        let code = i32::from_ne_bytes([msg[16], msg[17], msg[18], msg[19]]);
        return Err(io::Error::from_raw_os_error(-code));
    }
    let len = (u32::from_ne_bytes([msg[0], msg[1], msg[2], msg[3]]) as usize).min(msg.len());
    let mut at = 20;
    while at + 4 <= len {
        let alen = u16::from_ne_bytes([msg[at], msg[at + 1]]) as usize;
        let atype = u16::from_ne_bytes([msg[at + 2], msg[at + 3]]) & 0x3fff;
        if alen < 4 || at + alen > len {
            break;
        }
        if atype == NFTA_GEN_ID && alen >= 8 {
            return Ok(u32::from_be_bytes([msg[at + 4], msg[at + 5], msg[at + 6], msg[at + 7]]));
        }
        at += (alen + 3) & !3;
    }
    Err(other("no generation in the nftables answer"))
}

/// Whether forwarding is on in the namespace.
fn forwarding(namespace: &str) -> io::Result<bool> {
    let p = path(namespace);
    std::thread::spawn(move || -> io::Result<bool> {
        let f = File::open(p)?;
        // SAFETY: setns on this short-lived thread only; /proc/sys/net follows it.
        check(unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) })?;
        Ok(std::fs::read("/proc/sys/net/ipv4/ip_forward")?.first() == Some(&b'1'))
    })
    .join()
    .map_err(|_| io::Error::other("the sysctl thread panicked"))?
}

/// The namespace's links (loopback left out); returns their names by index.
async fn observe_links(h: &Handle, ns: &str, o: &mut Observed) -> io::Result<BTreeMap<u32, String>> {
    let mut names = BTreeMap::new();
    let mut links = h.link().get().execute();
    while let Some(m) = links.try_next().await.map_err(other)? {
        let mut name = None;
        let mut gso = None;
        let mut tx = 0;
        for a in &m.attributes {
            match a {
                LinkAttribute::IfName(n) => name = Some(n.clone()),
                LinkAttribute::GsoMaxSize(g) => gso = Some(*g),
                LinkAttribute::Stats64(s) => tx = s.tx_bytes,
                _ => {}
            }
        }
        let Some(name) = name else { continue };
        names.insert(m.header.index, name.clone());
        if !agents(&name) {
            continue;
        }
        let up = m.header.flags.contains(LinkFlags::Up);
        o.links.insert((ns.to_owned(), name), Link { index: m.header.index, up, gso_max_size: gso, tx_bytes: tx });
    }
    Ok(names)
}

/// IPv4 addresses on the namespace's links (loopback's left out: the agent gives it none).
async fn observe_addresses(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
    let mut addrs = h.address().get().execute();
    while let Some(m) = addrs.try_next().await.map_err(other)? {
        if m.header.family != AddressFamily::Inet {
            continue;
        }
        let Some(name) = names.get(&m.header.index).filter(|n| agents(n)) else { continue };
        let ip = m.attributes.iter().find_map(|a| match a {
            AddressAttribute::Local(ip) => Some(*ip),
            _ => None,
        });
        let ip = ip.or_else(|| {
            m.attributes.iter().find_map(|a| match a {
                AddressAttribute::Address(ip) => Some(*ip),
                _ => None,
            })
        });
        if let Some(ip) = ip {
            o.addresses.insert(Address {
                namespace: ns.to_owned(),
                interface: name.clone(),
                address: format!("{ip}/{}", m.header.prefix_len),
            });
        }
    }
    Ok(())
}

/// IPv4 routes of the main table that are not the kernel's own (those come with addresses).
async fn observe_routes(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
    let query = rtnetlink::RouteMessageBuilder::<std::net::Ipv4Addr>::new().build();
    let mut routes = h.route().get(query).execute();
    while let Some(m) = routes.try_next().await.map_err(other)? {
        if let Some(r) = seen_route(ns, &m, names) {
            o.routes.insert(r);
        }
    }
    Ok(())
}

fn seen_route(ns: &str, m: &RouteMessage, names: &BTreeMap<u32, String>) -> Option<KernelRoute> {
    let table = m
        .attributes
        .iter()
        .find_map(|a| match a {
            RouteAttribute::Table(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(u32::from(m.header.table));
    if table != u32::from(MAIN_TABLE) || m.header.protocol == RouteProtocol::Kernel {
        return None;
    }
    let mut dest: Option<IpAddr> = None;
    let mut gateway: Option<IpAddr> = None;
    let mut oif = None;
    for a in &m.attributes {
        match a {
            RouteAttribute::Destination(RouteAddress::Inet(ip)) => dest = Some(IpAddr::V4(*ip)),
            RouteAttribute::Gateway(RouteAddress::Inet(ip)) => gateway = Some(IpAddr::V4(*ip)),
            RouteAttribute::Oif(i) => oif = Some(names.get(i).cloned().filter(|n| agents(n))?),
            _ => {}
        }
    }
    let dest = dest.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let destination = Cidr::parse("route", &format!("{dest}/{}", m.header.destination_prefix_length)).ok()?;
    let next_hop = match (m.header.kind, gateway, oif) {
        (RouteType::BlackHole, _, _) => KernelNextHop::Blackhole,
        (_, Some(via), Some(interface)) => KernelNextHop::Gateway { via, interface },
        (_, None, Some(interface)) => KernelNextHop::Device { interface },
        // Something the agent does not write (a multipath route, an unreachable one): shown
        // as a blackhole route, which is then stale unless one is wanted there.
        _ => KernelNextHop::Blackhole,
    };
    Some(KernelRoute { namespace: ns.to_owned(), destination, next_hop })
}

/// The minor number of the one htb class, `1:10` as tc writes it (tc's numbers are hex).
const LEAF: u16 = 0x10;

/// The htb root, its class's rate and its leaf's byte limit on each of the namespace's links.
async fn observe_shaping(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
    let mut qdiscs = h.qdisc().get().execute();
    let mut htb = Vec::new();
    while let Some(m) = qdiscs.try_next().await.map_err(other)? {
        let Some(name) = names.get(&(m.header.index as u32)) else { continue };
        let kind = m.attributes.iter().find_map(|a| match a {
            TcAttribute::Kind(k) => Some(k.as_str()),
            _ => None,
        });
        let (major, minor) = (m.header.handle.major, m.header.parent.minor);
        let key = (ns.to_owned(), name.clone());
        match kind {
            Some("htb") if m.header.parent == rtnetlink::packet_route::tc::TcHandle::ROOT && major == 1 => {
                o.shaping.entry(key).or_default().htb_root = true;
                htb.push((m.header.index, name.clone()));
            }
            Some("bfifo") if m.header.parent.major == 1 && minor == LEAF => {
                let raw = options(&m.attributes);
                if raw.len() >= 4 {
                    let limit = u32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]]);
                    o.shaping.entry(key).or_default().queue_bytes = Some(u64::from(limit));
                }
            }
            _ => {}
        }
    }
    for (index, name) in htb {
        let mut classes = h.traffic_class(index).get().execute();
        while let Some(m) = classes.try_next().await.map_err(other)? {
            if m.header.handle.major != 1 || m.header.handle.minor != LEAF {
                continue;
            }
            if let Some(rate) = htb_rate(&options(&m.attributes)) {
                o.shaping.entry((ns.to_owned(), name.clone())).or_default().rate_kbps = Some(rate * 8 / 1000);
            }
        }
    }
    Ok(())
}

/// The raw bytes of a qdisc's or class's options (kinds the netlink crate does not model).
fn options(attrs: &[TcAttribute]) -> Vec<u8> {
    for a in attrs {
        if let TcAttribute::Options(opts) = a {
            for opt in opts {
                if let TcOption::Other(nla) = opt {
                    let mut buf = vec![0u8; nla.value_len()];
                    nla.emit_value(&mut buf);
                    return buf;
                }
            }
        }
    }
    Vec::new()
}

/// An htb class's rate in bytes per second: from TCA_HTB_RATE64 when there is one, otherwise
/// from the ratespec in TCA_HTB_PARMS.
fn htb_rate(raw: &[u8]) -> Option<u64> {
    const TCA_HTB_PARMS: u16 = 1;
    const TCA_HTB_RATE64: u16 = 6;
    let (mut parms, mut rate64) = (None, None);
    let mut at = 0;
    while at + 4 <= raw.len() {
        let len = u16::from_ne_bytes([raw[at], raw[at + 1]]) as usize;
        let kind = u16::from_ne_bytes([raw[at + 2], raw[at + 3]]) & 0x3fff;
        if len < 4 || at + len > raw.len() {
            break;
        }
        let value = &raw[at + 4..at + len];
        if kind == TCA_HTB_PARMS && value.len() >= 12 {
            // struct tc_ratespec: cell_log, linklayer, overhead, cell_align, mpu, then the rate.
            parms = Some(u64::from(u32::from_ne_bytes([value[8], value[9], value[10], value[11]])));
        } else if kind == TCA_HTB_RATE64 && value.len() >= 8 {
            rate64 = Some(u64::from_ne_bytes(value[..8].try_into().ok()?));
        }
        at += (len + 3) & !3;
    }
    rate64.or(parms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_htb_rate_is_read_from_its_parameters() {
        let mut raw = vec![0u8; 4 + 12];
        raw[0..2].copy_from_slice(&16u16.to_ne_bytes());
        raw[2..4].copy_from_slice(&1u16.to_ne_bytes());
        raw[12..16].copy_from_slice(&261_500u32.to_ne_bytes());
        assert_eq!(htb_rate(&raw), Some(261_500));
        assert_eq!(htb_rate(&[]), None);
    }
}
