//! The netlink sockets the agent keeps open per namespace (rtnetlink for links, addresses,
//! routes and traffic control; netfilter for the nftables generation), and the small netlink
//! steps both reading and applying are made of (a link's index, a route's message).
//!
//! A socket stays bound to the namespace of the thread that opened it, so each is opened on a
//! thread that entered its namespace, and kept: opening is the expensive part of a pass.

use std::collections::BTreeMap;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

use futures_util::TryStreamExt;
use rtnetlink::packet_route::route::{RouteMessage, RouteType};
use rtnetlink::{Handle, LinkUnspec, RouteMessageBuilder, new_connection};
use xconnect_model::dataplane::{Address, KernelNextHop, KernelRoute};

use crate::sys::{check, on_thread_in, other, path};

/// Which namespace a name stands for now: its file's device and inode. A namespace deleted and
/// made again under the same name is another one.
pub(crate) type Identity = (u64, u64);

pub(crate) fn identity(namespace: &str) -> io::Result<Identity> {
    let m = std::fs::metadata(path(namespace))?;
    Ok((m.dev(), m.ino()))
}

/// One namespace's open sockets, and which namespace they were opened in.
struct Space {
    identity: Identity,
    rt: Handle,
    /// A netfilter netlink socket, for the nftables generation.
    nf: OwnedFd,
}

/// The sockets of every namespace the agent has looked into, opened when first needed and
/// again when the namespace was made anew.
#[derive(Default)]
pub(crate) struct Sockets {
    spaces: BTreeMap<String, Space>,
}

impl Sockets {
    /// The namespace's rtnetlink handle.
    pub(crate) fn handle(&mut self, namespace: &str) -> io::Result<Handle> {
        Ok(self.space(namespace)?.rt.clone())
    }

    /// The namespace's nftables generation, and which namespace it is of.
    pub(crate) fn generation(&mut self, namespace: &str) -> io::Result<(Identity, u32)> {
        let space = self.space(namespace)?;
        Ok((space.identity, nft_generation(&space.nf)?))
    }

    /// Closes a namespace's sockets: an open socket would keep a deleted namespace alive.
    pub(crate) fn forget(&mut self, namespace: &str) {
        self.spaces.remove(namespace);
    }

    fn space(&mut self, namespace: &str) -> io::Result<&Space> {
        let identity = identity(namespace)?;
        if self.spaces.get(namespace).is_none_or(|s| s.identity != identity) {
            let space = open(namespace, identity)?;
            self.spaces.insert(namespace.to_owned(), space);
        }
        Ok(&self.spaces[namespace])
    }
}

/// Opens a namespace's sockets on a thread that entered it. The rtnetlink connection's task
/// runs on the caller's tokio runtime.
fn open(namespace: &str, identity: Identity) -> io::Result<Space> {
    let rt = tokio::runtime::Handle::current();
    let (conn, handle, nf) = on_thread_in(namespace, move || {
        let _inside = rt.enter();
        let (conn, handle, _) = new_connection()?;
        // SAFETY: socket(2) with constant arguments; the descriptor is owned at once.
        let fd =
            unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_NETFILTER) };
        check(fd)?;
        // SAFETY: fd is a fresh descriptor nobody else owns.
        Ok((conn, handle, unsafe { OwnedFd::from_raw_fd(fd) }))
    })?;
    tokio::spawn(conn);
    Ok(Space { identity, rt: handle, nf })
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

/// A link's index by name; none when there is no such link (steps are skipped or redone on
/// that, never failed).
pub(crate) async fn index(h: &Handle, name: &str) -> io::Result<Option<u32>> {
    match h.link().get().match_name(name.to_owned()).execute().try_next().await {
        Ok(Some(m)) => Ok(Some(m.header.index)),
        Ok(None) => Ok(None),
        Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code() == -libc::ENODEV => Ok(None),
        Err(e) => Err(other(e)),
    }
}

/// Sets a link up (a link is made down, and a veth end moved to another namespace goes down).
pub(crate) async fn up(h: &Handle, index: u32) -> io::Result<()> {
    h.link().set(LinkUnspec::new_with_index(index).up().build()).execute().await.map_err(other)
}

/// The netlink message of a route (for adding or deleting it); none when its interface is gone.
pub(crate) async fn route_message(h: &Handle, r: &KernelRoute) -> io::Result<Option<RouteMessage>> {
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
