//! Route learning through a hub: what each attached VPC learns from the other attachments, and
//! which learned blocks are left out as conflicts. Pure and deterministic: attachments are
//! considered in the order they were made, so a network attached later can never take a route
//! away from one attached earlier.

use xconnect_model::{Attachment, AttachmentId, Cidr, HubId, RouteConflict, RouteEntry, VSwitch, Vbr};

/// A block learned from a hub and installed in a VPC's route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    pub destination: Cidr,
    pub hub_id: HubId,
    pub attachment_id: AttachmentId,
}

/// A VPC's own blocks as learning sees them: its vswitches, each with its name in words.
pub fn vswitch_locals(vswitches: &[VSwitch]) -> Vec<(Cidr, String)> {
    vswitches.iter().map(|v| (v.cidr_block, format!("vswitch {} ({})", v.id, v.cidr_block))).collect()
}

/// A VBR's own blocks: the data centre's, which it routes through its port.
pub fn vbr_locals(vbr: &Vbr) -> Vec<(Cidr, String)> {
    vbr.routes.iter().map(|r| (*r, format!("data centre route {r} of VBR {}", vbr.id))).collect()
}

/// The hub's own table: every attachment's blocks, attachments in the order they were made,
/// less each block that overlaps one installed before it. Its blocks never overlap, so a
/// destination is in at most one of them: where the hub sends a packet does not depend on the
/// network it came from, and a hub router's longest-prefix match in the kernel finds the same
/// attachment a network learned the route from.
pub fn installed(attachments: &[Attachment]) -> Vec<Learned> {
    let mut installed: Vec<Learned> = Vec::new();
    for a in ordered(attachments) {
        for block in &a.cidr_blocks {
            if !installed.iter().any(|l| l.destination.overlaps(block)) {
                installed.push(Learned { destination: *block, hub_id: a.hub_id.clone(), attachment_id: a.id.clone() });
            }
        }
    }
    installed
}

fn ordered(attachments: &[Attachment]) -> Vec<&Attachment> {
    let mut ordered: Vec<&Attachment> = attachments.iter().collect();
    ordered.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    ordered
}

/// What `network` (a VPC or a VBR) learns from the attachments of its hub (`attachments`: all
/// of them, its own included): the other attachments' blocks the hub installed (see
/// [`installed`]). A block is not installed in the network, and is returned as a conflict
/// instead, when it overlaps one of the network's own blocks (`locals`: vswitches, or a VBR's
/// data centre routes) or one of the blocks it advertises itself, equals a custom route's
/// destination, or overlaps a block advertised earlier by another attachment (so the hub did
/// not install it).
pub fn learn(
    network: &str,
    locals: &[(Cidr, String)],
    custom: &[RouteEntry],
    attachments: &[Attachment],
) -> (Vec<Learned>, Vec<RouteConflict>) {
    learn_from(network, locals, custom, attachments, &installed(attachments))
}

/// [`learn`], with the hub's table (`hub`, as [`installed`] makes it from `attachments`)
/// computed once by the caller for all its networks.
pub fn learn_from(
    network: &str,
    locals: &[(Cidr, String)],
    custom: &[RouteEntry],
    attachments: &[Attachment],
    hub: &[Learned],
) -> (Vec<Learned>, Vec<RouteConflict>) {
    let ordered = ordered(attachments);
    let own: Vec<&Cidr> =
        ordered.iter().filter(|a| a.network_id == network).flat_map(|a| a.cidr_blocks.iter()).collect();
    let mut learned: Vec<Learned> = Vec::new();
    let mut conflicts = Vec::new();
    for a in ordered.iter().filter(|a| a.network_id != network) {
        for block in &a.cidr_blocks {
            let clash = if let Some((_, what)) = locals.iter().find(|(c, _)| c.overlaps(block)) {
                Some(what.clone())
            } else if let Some(b) = own.iter().find(|b| b.overlaps(block)) {
                Some(format!("this VPC's own advertised block {b}"))
            } else if let Some(r) = custom.iter().find(|r| &r.destination_cidr_block == block) {
                Some(format!("route entry {} to {}", r.id, r.destination_cidr_block))
            } else {
                hub.iter()
                    .find(|l| l.destination.overlaps(block) && l.attachment_id != a.id)
                    .map(|l| format!("{} advertised earlier by attachment {}", l.destination, l.attachment_id))
            };
            match clash {
                Some(conflicts_with) => conflicts.push(RouteConflict {
                    destination_cidr_block: *block,
                    hub_id: a.hub_id.clone(),
                    attachment_id: a.id.clone(),
                    conflicts_with,
                }),
                None => {
                    learned.push(Learned { destination: *block, hub_id: a.hub_id.clone(), attachment_id: a.id.clone() })
                }
            }
        }
    }
    (learned, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xconnect_model::{
        AccountId, Description, ID_ENTROPY_BYTES, NetworkKind, NextHop, RegionId, ResourceId, Timestamp, VpcId,
    };

    fn id<T: ResourceId>(n: u8) -> T {
        T::from_entropy(&[n; ID_ENTROPY_BYTES])
    }

    fn cidr(s: &str) -> Cidr {
        Cidr::parse("c", s).unwrap()
    }

    fn attachment(n: u8, vpc: u8, blocks: &[&str]) -> Attachment {
        Attachment {
            id: id(n),
            hub_id: id(1),
            hub_account_id: id(1),
            network_type: NetworkKind::Vpc,
            network_id: id::<VpcId>(vpc).to_string(),
            network_account_id: id::<AccountId>(vpc),
            region: RegionId::from_trusted("cn-qingdao".into()),
            cidr_blocks: blocks.iter().map(|b| cidr(b)).collect(),
            advertises_default: false,
            description: Description::default(),
            created_at: Timestamp::from_millis(i64::from(n)),
        }
    }

    fn vswitch(block: &str) -> VSwitch {
        VSwitch {
            id: id(50),
            account_id: id(10),
            vpc_id: id(10),
            region: RegionId::from_trusted("cn-qingdao".into()),
            zone: "z".into(),
            cidr_block: cidr(block),
            name: None,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn each_vpc_learns_the_others_blocks_and_clashes_are_left_out() {
        let me: VpcId = id(10);
        let custom = RouteEntry {
            id: id(60),
            account_id: id(10),
            route_table_id: id(10),
            vpc_id: id(10),
            destination_cidr_block: cidr("10.9.0.0/16"),
            next_hop: NextHop::Blackhole,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
        };
        let attachments = [
            attachment(1, 10, &["192.168.0.0/16"]),
            attachment(2, 20, &["172.16.0.0/16", "192.168.5.0/24"]),
            attachment(3, 30, &["172.16.8.0/24", "10.0.0.0/16", "10.9.0.0/16"]),
        ];
        let locals = vswitch_locals(&[vswitch("192.168.1.0/24")]);
        let (learned, conflicts) = learn(me.as_str(), &locals, &[custom], &attachments);
        let got: Vec<String> = learned.iter().map(|l| l.destination.to_string()).collect();
        assert_eq!(got, ["172.16.0.0/16", "10.0.0.0/16"]);
        let why: Vec<(String, &str)> =
            conflicts.iter().map(|c| (c.destination_cidr_block.to_string(), c.conflicts_with.as_str())).collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(why[0].0 == "192.168.5.0/24" && why[0].1.contains("own advertised block 192.168.0.0/16"));
        assert!(why[1].0 == "172.16.8.0/24" && why[1].1.contains("172.16.0.0/16 advertised earlier"));
        assert!(why[2].0 == "10.9.0.0/16" && why[2].1.contains("route entry"));
    }

    /// A block the hub did not install is learned by nobody, even by a network that could not
    /// learn the earlier block it overlaps: the hub would send the packet to that block's
    /// network instead.
    #[test]
    fn a_block_the_hub_left_out_is_learned_by_no_one() {
        let me: VpcId = id(10);
        let attachments = [
            attachment(1, 10, &["192.168.0.0/24"]),
            attachment(2, 20, &["10.0.0.0/16"]),
            attachment(3, 30, &["10.0.2.0/24", "172.16.0.0/16"]),
        ];
        let hub: Vec<String> = installed(&attachments).iter().map(|l| l.destination.to_string()).collect();
        assert_eq!(hub, ["192.168.0.0/24", "10.0.0.0/16", "172.16.0.0/16"]);
        // This VPC's vswitch clashes with 10.0.0.0/16, so it learns neither that nor the
        // 10.0.2.0/24 inside it.
        let locals = vswitch_locals(&[vswitch("10.0.1.0/24")]);
        let (learned, conflicts) = learn(me.as_str(), &locals, &[], &attachments);
        let got: Vec<String> = learned.iter().map(|l| l.destination.to_string()).collect();
        assert_eq!(got, ["172.16.0.0/16"]);
        assert_eq!(conflicts.len(), 2);
        assert!(conflicts[1].conflicts_with.contains("10.0.0.0/16 advertised earlier"), "{conflicts:?}");
    }

    #[test]
    fn a_vpc_alone_on_its_hub_learns_nothing() {
        let me: VpcId = id(10);
        let (learned, conflicts) = learn(me.as_str(), &[], &[], &[attachment(1, 10, &["192.168.0.0/16"])]);
        assert!(learned.is_empty() && conflicts.is_empty());
    }
}
