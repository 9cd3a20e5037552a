//! Reading what the kernel holds in the agent's namespaces into a plain [`Observed`]: links,
//! addresses, routes, htb rate and leaf limit over the netlink sockets kept per namespace,
//! forwarding from its sysctl, and for nftables the namespace's ruleset generation (one netlink
//! round trip), so that a table is listed only when something changed it. What a table was
//! when last read or written is the one thing remembered between passes ([`Tables`]), and only
//! while its namespace's generation has not moved.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::IpAddr;

use futures_util::{StreamExt, TryStreamExt};
use rtnetlink::Handle;
use rtnetlink::packet_core::Nla;
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::packet_route::address::AddressAttribute;
use rtnetlink::packet_route::link::{LinkAttribute, LinkFlags};
use rtnetlink::packet_route::route::{RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteType};
use rtnetlink::packet_route::tc::{TcAttribute, TcOption};
use xconnect_model::Cidr;
use xconnect_model::dataplane::*;

use crate::diff::{Link, Observed, agents, forwards};
use crate::netlink::{Identity, Sockets, index};
use crate::netns::{delete, ensure, exists, list, live};
use crate::nft::{listed_hash, ruleset_hash};
use crate::sys::{forwarding, nft_list, other};

/// The main routing table: the only one the agent writes.
const MAIN_TABLE: u8 = 254;

/// What the agent last wrote or read of an instance's table, valid while it is the same
/// namespace at the same nftables generation.
struct SeenTable {
    identity: Identity,
    generation: u32,
    /// The hash the table stands for (see [`listed_hash`]); none when there is no table.
    hash: Option<u64>,
    /// The table as it was: the peers of rules taken away are found in it.
    text: String,
}

/// The tables the agent last saw or wrote, by namespace.
#[derive(Default)]
pub(crate) struct Tables {
    seen: BTreeMap<String, SeenTable>,
}

impl Tables {
    pub(crate) fn forget(&mut self, namespace: &str) {
        self.seen.remove(namespace);
    }

    /// The hash of the table in `rs`'s namespace: remembered while the generation has not
    /// moved, otherwise listed from the kernel.
    fn hash(&mut self, sockets: &mut Sockets, rs: &Ruleset) -> io::Result<Option<u64>> {
        let ns = rs.namespace.as_str();
        let (identity, generation) = sockets.generation(ns)?;
        if let Some(t) = self.seen.get(ns)
            && (t.identity, t.generation) == (identity, generation)
        {
            return Ok(t.hash);
        }
        let listing = nft_list(ns, &rs.table)?;
        let hash = listing.as_deref().map(|l| listed_hash(l, rs));
        self.seen.insert(ns.to_owned(), SeenTable { identity, generation, hash, text: listing.unwrap_or_default() });
        Ok(hash)
    }

    /// Remembers `rs` as just written; returns what the table held before (as last seen), for
    /// the peers of the rules it no longer has.
    pub(crate) fn wrote(&mut self, sockets: &mut Sockets, rs: &Ruleset) -> io::Result<String> {
        let (identity, generation) = sockets.generation(&rs.namespace)?;
        let seen =
            SeenTable { identity, generation, hash: Some(ruleset_hash(&rs.nftables)), text: rs.nftables.clone() };
        let before = self.seen.insert(rs.namespace.clone(), seen);
        Ok(before.filter(|t| t.identity == identity).map(|t| t.text).unwrap_or_default())
    }
}

/// Reads what the kernel holds in the desired namespaces (those that exist), and which of
/// `made` (the agent's record) are still there.
pub(crate) async fn observe(
    sockets: &mut Sockets,
    tables: &mut Tables,
    desired: &DesiredState,
    made: &[String],
) -> io::Result<Observed> {
    let mut o = Observed { made: made.iter().filter(|n| exists(n)).cloned().collect(), ..Observed::default() };
    let present: BTreeSet<String> = list()?.into_iter().filter(|n| live(n)).collect();
    let mut jobs = Vec::new();
    for n in &desired.namespaces {
        let ns = n.name.as_str();
        if !present.contains(ns) {
            sockets.forget(ns);
            tables.forget(ns);
            continue;
        }
        o.namespaces.insert(ns.to_owned());
        jobs.push((ns.to_owned(), sockets.handle(ns)?));
    }
    // The dumps of many namespaces are in flight at once: each is a short round trip to the
    // kernel, and waiting for them one by one is most of a pass's time.
    let parts: Vec<io::Result<Observed>> = futures_util::stream::iter(jobs)
        .map(|(ns, h)| async move {
            let mut part = Observed::default();
            let names = links(&h, &ns, &mut part).await?;
            addresses(&h, &ns, &names, &mut part).await?;
            routes(&h, &ns, &names, &mut part).await?;
            shaping(&h, &ns, &names, &mut part).await?;
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
    for n in desired.namespaces.iter().filter(|n| forwards(n.role) && o.namespaces.contains(&n.name)) {
        if !forwarding(&n.name)? {
            o.not_forwarding.insert(n.name.clone());
        }
    }
    for rs in desired.rulesets.iter().filter(|rs| o.namespaces.contains(&rs.namespace)) {
        let hash = tables.hash(sockets, rs)?;
        o.rulesets.insert(rs.namespace.clone(), hash);
    }
    Ok(o)
}

/// The byte counters of the metered links that exist, read from the kernel now.
pub(crate) async fn counters(sockets: &mut Sockets, meters: &[Meter]) -> io::Result<Vec<(Meter, u64)>> {
    let namespaces: BTreeSet<&str> = meters.iter().map(|m| m.namespace.as_str()).collect();
    let present: BTreeSet<String> = list()?.into_iter().filter(|n| live(n)).collect();
    let mut o = Observed::default();
    for ns in namespaces.into_iter().filter(|ns| present.contains(*ns)) {
        let h = sockets.handle(ns)?;
        links(&h, ns, &mut o).await?;
    }
    Ok(meters
        .iter()
        .filter_map(|m| o.links.get(&(m.namespace.clone(), m.interface.clone())).map(|l| (m.clone(), l.tx_bytes)))
        .collect())
}

/// The scratch namespace an agent asks the kernel in, followed by its process id.
const PROBE: &str = "xc-probe-";

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

/// Tries an 802.1Q interface on a veth in a scratch namespace of the agent's, then removes it.
pub(crate) async fn kernel_has_vlans() -> io::Result<bool> {
    remove_stale_probes()?;
    let ns = format!("{PROBE}{}", std::process::id());
    ensure(&ns)?;
    let result = async {
        // Sockets of its own, closed before the namespace is deleted.
        let h = Sockets::default().handle(&ns)?;
        h.link().add(rtnetlink::LinkVeth::new("xcprobea", "xcprobeb").build()).execute().await.map_err(other)?;
        let parent = index(&h, "xcprobea").await?.ok_or_else(|| other("the probe's veth vanished"))?;
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

/// The namespace's links (loopback left out); returns their names by index.
pub(crate) async fn links(h: &Handle, ns: &str, o: &mut Observed) -> io::Result<BTreeMap<u32, String>> {
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
async fn addresses(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
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
async fn routes(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
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
async fn shaping(h: &Handle, ns: &str, names: &BTreeMap<u32, String>, o: &mut Observed) -> io::Result<()> {
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
