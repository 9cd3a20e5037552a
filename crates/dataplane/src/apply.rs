//! Making what the reconciler found missing: veths, VLAN interfaces, addresses and routes
//! through netlink sockets opened inside each namespace, shaping through `tc` (nftables tables
//! are written by `nft.rs`). Every step is a "replace" or is skipped when already
//! there, so applying twice is applying once, and a run killed half way is finished by the next.
//!
//! What to make is decided by the reconciler (`reconcile.rs`), from what it read in the kernel.

use std::fs::File;
use std::io::{self, Write};
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use futures_util::TryStreamExt;
use rtnetlink::packet_route::link::LinkAttribute;
use rtnetlink::packet_route::route::RouteType;
use rtnetlink::{Handle, LinkUnspec, LinkVeth, LinkVlan, RouteMessageBuilder};
use xconnect_model::dataplane::*;

use crate::reconcile::Agent;
use crate::{check, path};

/// The largest packet a veth of the agent hands on: one Ethernet frame.
pub(crate) const FRAME: u32 = 1514;

pub(crate) fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A command that runs inside the namespace: the child enters it before it executes.
pub fn command_in(namespace: &str, program: &str) -> io::Result<Command> {
    crate::owned(namespace)?;
    let ns = File::open(path(namespace))?;
    let mut cmd = Command::new(program);
    // SAFETY: setns(2) is async-signal-safe; the file stays open in the parent until spawn.
    unsafe {
        cmd.pre_exec(move || check(libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET)));
    }
    Ok(cmd)
}

pub(crate) async fn index(h: &Handle, name: &str) -> io::Result<Option<u32>> {
    match h.link().get().match_name(name.to_owned()).execute().try_next().await {
        Ok(Some(m)) => Ok(Some(m.header.index)),
        Ok(None) => Ok(None),
        Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code() == -libc::ENODEV => Ok(None),
        Err(e) => Err(other(e)),
    }
}

pub(crate) async fn up(h: &Handle, index: u32) -> io::Result<()> {
    h.link().set(LinkUnspec::new_with_index(index).up().build()).execute().await.map_err(other)
}

/// Turns forwarding on inside a router namespace (a new namespace starts with it off).
pub(crate) fn forwarding_on(namespace: &str) -> io::Result<()> {
    let p = path(namespace);
    std::thread::spawn(move || -> io::Result<()> {
        let f = File::open(p)?;
        // SAFETY: setns on this short-lived thread only; /proc/sys/net follows it.
        check(unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) })?;
        std::fs::write("/proc/sys/net/ipv4/ip_forward", b"1")
    })
    .join()
    .map_err(|_| io::Error::other("the sysctl thread panicked"))?
}

pub(crate) fn run(mut cmd: Command, stdin: Option<&str>) -> io::Result<()> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{:?} failed: {}", cmd.get_program(), String::from_utf8_lossy(&out.stderr))))
    }
}

/// Brings the kernel to the desired state in one pass of a fresh agent (see [`Agent`]).
/// `made` are the namespaces made before for this state (its record): those it no longer holds
/// are deleted, and no other namespace is, so agents and tests sharing a host never remove
/// each other's.
pub async fn apply(d: &DesiredState, made: &[String]) -> io::Result<crate::Diff> {
    Agent::new().reconcile(d, made).await
}

/// Takes an address away from its link (nothing to do when the link is gone).
pub(crate) async fn del_address(h: &Handle, a: &Address) -> io::Result<()> {
    let Some(i) = index(h, &a.interface).await? else { return Ok(()) };
    let mut all = h.address().get().set_link_index_filter(i).execute();
    while let Some(m) = all.try_next().await.map_err(other)? {
        let ip = m.attributes.iter().find_map(|x| match x {
            rtnetlink::packet_route::address::AddressAttribute::Local(ip) => Some(*ip),
            _ => None,
        });
        if ip.is_some_and(|ip| a.address == format!("{ip}/{}", m.header.prefix_len)) {
            return h.address().del(m).execute().await.map_err(other);
        }
    }
    Ok(())
}

/// The netlink message of a route (for adding or deleting it); none when its interface is gone.
pub(crate) async fn route_message(
    h: &Handle,
    r: &KernelRoute,
) -> io::Result<Option<rtnetlink::packet_route::route::RouteMessage>> {
    let net = r.destination.net();
    let mut b =
        RouteMessageBuilder::<IpAddr>::new().destination_prefix(net.network(), net.prefix_len()).map_err(other)?;
    b = match &r.next_hop {
        KernelNextHop::Device { interface } => match index(h, interface).await? {
            Some(i) => b.output_interface(i),
            None => return Ok(None),
        },
        KernelNextHop::Gateway { via, interface } => match index(h, interface).await? {
            Some(i) => b.gateway(*via).map_err(other)?.output_interface(i).onlink(),
            None => return Ok(None),
        },
        KernelNextHop::Blackhole => b.kind(RouteType::BlackHole),
    };
    Ok(Some(b.build()))
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

/// Makes the links, addresses, routes, rulesets and shaping of `d` (its namespaces exist).
pub(crate) async fn items(d: &DesiredState, handles: &mut Agent) -> io::Result<()> {
    // Veths: made in the b side's namespace with both names, then the a end moved over. A pair
    // left half made (killed between the two steps) is removed and made again.
    for v in &d.veths {
        let (ha, hb) = (handles.handle(&v.a_namespace)?, handles.handle(&v.b_namespace)?);
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

    // VLAN interfaces on links that exist by now (a VLAN inherits its link's frame size).
    for v in &d.vlans {
        let h = handles.handle(&v.namespace)?;
        if index(&h, &v.name).await?.is_none() {
            let parent =
                index(&h, &v.parent).await?.ok_or_else(|| other(format!("no {} in {}", v.parent, v.namespace)))?;
            h.link().add(LinkVlan::new(&v.name, parent, v.vlan_id).build()).execute().await.map_err(other)?;
        }
        let i = index(&h, &v.name).await?.ok_or_else(|| other(format!("{} is missing after it was made", v.name)))?;
        up(&h, i).await?;
    }

    for a in &d.addresses {
        let handle = &handles.handle(&a.namespace)?;
        let i = index(handle, &a.interface)
            .await?
            .ok_or_else(|| other(format!("no {} in {}", a.interface, a.namespace)))?;
        let (ip, len) = a.address.split_once('/').ok_or_else(|| other(format!("{} has no prefix", a.address)))?;
        let ip: IpAddr = ip.parse().map_err(other)?;
        let len: u8 = len.parse().map_err(other)?;
        handle.address().add(i, ip, len).replace().execute().await.map_err(other)?;
    }

    for r in &d.routes {
        let handle = handles.handle(&r.namespace)?;
        let msg = route_message(&handle, r).await?.ok_or_else(|| other(format!("no interface for {r:?}")))?;
        handle.route().add(msg).replace().execute().await.map_err(other)?;
    }

    // Shaping: htb with one class at the rate and a byte-limited leaf queue (low latency under
    // load), replaced in place so that a rate change does not break flows.
    for s in &d.shaping {
        let steps: [Vec<String>; 3] = [
            ["qdisc", "replace", "dev", &s.interface, "root", "handle", "1:", "htb", "default", "10"]
                .map(String::from)
                .into(),
            vec![
                "class".into(),
                "replace".into(),
                "dev".into(),
                s.interface.clone(),
                "parent".into(),
                "1:".into(),
                "classid".into(),
                "1:10".into(),
                "htb".into(),
                "rate".into(),
                format!("{}kbit", s.rate_kbps),
                "ceil".into(),
                format!("{}kbit", s.rate_kbps),
                "quantum".into(),
                "1514".into(),
                "burst".into(),
                format!("{}b", burst_bytes(s.rate_kbps)),
                "cburst".into(),
                format!("{}b", burst_bytes(s.rate_kbps)),
            ],
            vec![
                "qdisc".into(),
                "replace".into(),
                "dev".into(),
                s.interface.clone(),
                "parent".into(),
                "1:10".into(),
                "handle".into(),
                "10:".into(),
                "bfifo".into(),
                "limit".into(),
                s.queue_bytes.to_string(),
            ],
        ];
        let [root, class, leaf] = steps;
        // An htb root cannot be changed in place either: it is made once and then kept (its
        // class carries the rate, and a class changes live).
        let mut show = command_in(&s.namespace, "tc")?;
        show.args(["qdisc", "show", "dev", &s.interface, "root"]);
        let shown = String::from_utf8_lossy(&show.output()?.stdout).into_owned();
        let steps = if shown.contains("qdisc htb 1: root") { vec![class] } else { vec![root, class] };
        for args in steps {
            let mut cmd = command_in(&s.namespace, "tc")?;
            cmd.args(&args);
            run(cmd, None)?;
        }
        // bfifo cannot be changed in place: the leaf is taken away (if there) and put back,
        // the class's own queue holding packets meanwhile.
        let mut del = command_in(&s.namespace, "tc")?;
        del.args(["qdisc", "del", "dev", &s.interface, "parent", "1:10"]);
        let _ = run(del, None);
        let mut cmd = command_in(&s.namespace, "tc")?;
        cmd.args(leaf.iter().map(|a| if a == "replace" { "add" } else { a.as_str() }));
        run(cmd, None)?;
    }
    Ok(())
}
