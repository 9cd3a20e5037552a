//! Applying a [`Diff`]: what is stale taken away, then what is missing made. Namespaces, links,
//! addresses and routes over netlink; shaping through `tc` and rulesets through `nft`, each run
//! inside its namespace; the flows of revoked rules forgotten through `conntrack`. Every step
//! is a "replace" or is skipped when already there, so applying twice is applying once, and a
//! pass killed half way is finished by the next.
//!
//! What to apply is decided by the pure diff (`diff.rs`); nothing here reads the kernel to
//! decide, beyond what a step needs (a link's index, whether an htb root is there).

use std::fs::File;
use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;

use rtnetlink::packet_route::link::LinkAttribute;
use rtnetlink::packet_route::route::{RouteProtocol, RouteScope, RouteType};
use rtnetlink::{LinkUnspec, LinkVeth, LinkVlan};
use xconnect_model::dataplane::*;

use crate::diff::{Diff, FRAME, forwards};
use crate::netlink::{Sockets, del_address, index, route_message, up};
use crate::netns::{delete, ensure};
use crate::nft;
use crate::observe::Tables;
use crate::sys::{conntrack_forget, forwarding_on, nft_load, other, path, tc, tc_show};

/// Applies `d`: namespaces first (those stale deleted, those missing made, forwarding on in
/// routers), then everything stale taken away (a stale route or address may stand where a
/// wanted one goes), then everything missing made, rulesets last.
pub(crate) async fn apply(sockets: &mut Sockets, tables: &mut Tables, d: &Diff) -> io::Result<()> {
    for ns in &d.namespaces_stale {
        sockets.forget(ns);
        tables.forget(ns);
        delete(ns)?;
    }
    for n in &d.namespaces_missing {
        ensure(&n.name)?;
        let h = sockets.handle(&n.name)?;
        if let Some(lo) = index(&h, "lo").await? {
            up(&h, lo).await?;
        }
    }
    for ns in d.namespaces_missing.iter().filter(|n| forwards(n.role)).map(|n| &n.name).chain(&d.forwarding_off) {
        forwarding_on(ns)?;
    }

    remove_routes(sockets, &d.routes_stale).await?;
    for a in &d.addresses_stale {
        let h = sockets.handle(&a.namespace)?;
        del_address(&h, a).await?;
    }
    // Shaping taken off links that stay (a link taken away takes its shaping with it).
    for (ns, interface) in d.shaping_stale.iter().filter(|k| !d.links_stale.contains(k)) {
        tc(ns, &["qdisc", "del", "dev", interface, "root"])?;
    }
    for (ns, name) in &d.links_stale {
        let h = sockets.handle(ns)?;
        if let Some(i) = index(&h, name).await? {
            h.link().del(i).execute().await.map_err(other)?;
        }
    }

    add_veths(sockets, &d.veths_missing).await?;
    add_vlans(sockets, &d.vlans_missing).await?;
    add_addresses(sockets, &d.addresses_missing).await?;
    add_routes(sockets, &d.routes_missing).await?;
    for s in &d.shaping_missing {
        shape(s)?;
    }
    write_rulesets(sockets, tables, &d.rulesets_missing)
}

async fn remove_routes(sockets: &mut Sockets, routes: &[KernelRoute]) -> io::Result<()> {
    for r in routes {
        let h = sockets.handle(&r.namespace)?;
        if let Some(mut msg) = route_message(&h, r).await? {
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
    Ok(())
}

/// Veths: made in the b side's namespace with both names, then the a end moved over. A pair
/// left half made (killed between the two steps) is removed and made again.
async fn add_veths(sockets: &mut Sockets, veths: &[Veth]) -> io::Result<()> {
    for v in veths {
        let (ha, hb) = (sockets.handle(&v.a_namespace)?, sockets.handle(&v.b_namespace)?);
        let (ha, hb) = (&ha, &hb);
        let a = index(ha, &v.a_name).await?;
        let b = index(hb, &v.b_name).await?;
        if a.is_none() || b.is_none() {
            if let Some(b) = b {
                hb.link().del(b).execute().await.map_err(other)?;
            }
            if let Some(stray) = index(hb, &v.a_name).await? {
                hb.link().del(stray).execute().await.map_err(other)?;
            }
            hb.link().add(LinkVeth::new(&v.b_name, &v.a_name).build()).execute().await.map_err(other)?;
            let moving = index(hb, &v.a_name).await?.ok_or_else(|| other("the new veth's end vanished"))?;
            let target = File::open(path(&v.a_namespace))?;
            let msg = LinkUnspec::new_with_index(moving).setns_by_fd(target.as_raw_fd()).build();
            hb.link().set(msg).execute().await.map_err(other)?;
        }
        for (handle, name) in [(ha, &v.a_name), (hb, &v.b_name)] {
            let i = index(handle, name).await?.ok_or_else(|| other(format!("{name} is missing after it was made")))?;
            // No super-packets: a 64 kB offload segment would not fit a shaped link's 50 ms
            // queue (16 kB at 2 Mbit/s) and would be dropped whole; one frame at a time, the
            // shaper sees what the wire carries.
            let msg = LinkUnspec::new_with_index(i).append_extra_attribute(LinkAttribute::GsoMaxSize(FRAME)).build();
            handle.link().set(msg).execute().await.map_err(other)?;
            up(handle, i).await?;
        }
    }

    Ok(())
}

/// VLAN interfaces on links that exist by now (a VLAN inherits its link's frame size).
async fn add_vlans(sockets: &mut Sockets, vlans: &[Vlan]) -> io::Result<()> {
    for v in vlans {
        let h = sockets.handle(&v.namespace)?;
        if index(&h, &v.name).await?.is_none() {
            let parent =
                index(&h, &v.parent).await?.ok_or_else(|| other(format!("no {} in {}", v.parent, v.namespace)))?;
            h.link().add(LinkVlan::new(&v.name, parent, v.vlan_id).build()).execute().await.map_err(other)?;
        }
        let i = index(&h, &v.name).await?.ok_or_else(|| other(format!("{} is missing after it was made", v.name)))?;
        up(&h, i).await?;
    }

    Ok(())
}

async fn add_addresses(sockets: &mut Sockets, addresses: &[Address]) -> io::Result<()> {
    for a in addresses {
        let handle = &sockets.handle(&a.namespace)?;
        let i = index(handle, &a.interface)
            .await?
            .ok_or_else(|| other(format!("no {} in {}", a.interface, a.namespace)))?;
        let (ip, len) = a.address.split_once('/').ok_or_else(|| other(format!("{} has no prefix", a.address)))?;
        let ip: IpAddr = ip.parse().map_err(other)?;
        let len: u8 = len.parse().map_err(other)?;
        handle.address().add(i, ip, len).replace().execute().await.map_err(other)?;
    }

    Ok(())
}

async fn add_routes(sockets: &mut Sockets, routes: &[KernelRoute]) -> io::Result<()> {
    for r in routes {
        let handle = sockets.handle(&r.namespace)?;
        let msg = route_message(&handle, r).await?.ok_or_else(|| other(format!("no interface for {r:?}")))?;
        handle.route().add(msg).replace().execute().await.map_err(other)?;
    }

    Ok(())
}

/// The bytes an htb class may send at once after a pause: 5 ms at its rate, two full frames at
/// the least. tc's default is a tick's worth (about 1 ms, 8 kB at 50 Mbit/s); on a busy
/// 2-core VM the shaper is woken late often enough that the tokens it could not spend were lost,
/// and a 50 Mbit/s pair delivered 43 to 46.7 where with 5 ms it delivered 48.9 to 49.99 (runs
/// side by side). The long-run rate is the class's either way; the bfifo leaf still bounds the
/// queue.
fn burst_bytes(rate_kbps: u64) -> u64 {
    (rate_kbps * 5 / 8).max(2 * 1514)
}

/// Shaping: htb with one class at the rate and a byte-limited leaf queue (low latency under
/// load), replaced in place so that a rate change does not break flows.
fn shape(s: &Shaping) -> io::Result<()> {
    let (ns, dev) = (s.namespace.as_str(), s.interface.as_str());
    let rate = format!("{}kbit", s.rate_kbps);
    let burst = format!("{}b", burst_bytes(s.rate_kbps));
    let limit = s.queue_bytes.to_string();
    // An htb root cannot be changed in place either: it is made once and then kept (its class
    // carries the rate, and a class changes live).
    if !tc_show(ns, &["qdisc", "show", "dev", dev, "root"])?.contains("qdisc htb 1: root") {
        tc(ns, &["qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", "10"])?;
    }
    tc(
        ns,
        &[
            "class", "replace", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", &rate, "ceil", &rate,
            "quantum", "1514", "burst", &burst, "cburst", &burst,
        ],
    )?;
    // bfifo cannot be changed in place: the leaf is taken away (if there) and put back, the
    // class's own queue holding packets meanwhile.
    let _ = tc(ns, &["qdisc", "del", "dev", dev, "parent", "1:10"]);
    tc(ns, &["qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "bfifo", "limit", &limit])
}

/// Rulesets: replaced whole; then the flows of rules taken away are forgotten (after, not
/// before: forgotten earlier, a packet in between would be tracked anew under the old rule).
/// Each table is its own `nft` run, most of whose time is the kernel's commit in that
/// namespace: a few run side by side.
fn write_rulesets(sockets: &mut Sockets, tables: &mut Tables, rulesets: &[Ruleset]) -> io::Result<()> {
    let queue = std::sync::Mutex::new(rulesets.iter());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| -> io::Result<()> {
                    loop {
                        let next = queue.lock().map_err(|_| other("a ruleset worker panicked"))?.next();
                        match next {
                            Some(rs) => nft_load(&rs.namespace, &nft::document(rs).map_err(other)?)?,
                            None => return Ok(()),
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| w.join().map_err(|_| other("a ruleset worker panicked"))?)
    })?;
    for rs in rulesets {
        let before = tables.wrote(sockets, rs)?;
        for peer in nft::revoked_sources(&before, &rs.nftables) {
            conntrack_forget(&rs.namespace, &peer)?;
        }
    }
    Ok(())
}
