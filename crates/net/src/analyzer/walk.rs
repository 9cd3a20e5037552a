//! The walk itself: one packet followed hop by hop through a [`View`], each check it passes
//! written down, and the first one that stops it named with its fix.

use std::net::IpAddr;

use super::*;
use crate::security::{Decision, Packet};

impl View {
    /// Follows the packet; `None` when the source instance is not in the view.
    pub fn test(&self, q: &Question) -> Option<ConnectivityAnswer> {
        let src = self.instances.get(&q.from)?;
        let vpc = self.vpcs.get(&src.vpc_id)?;
        let probe = Probe { to: q.to, protocol: q.protocol, port: q.port };
        let mut walk = Walk::new(&probe, src.private_ip);
        walk.answer.from_instance_id = Some(src.id.clone());
        let what = probe.describe();

        // The source's groups, outbound. The far end's groups count for group peers, so the
        // instance the packet would reach is looked up first.
        // Group peers work within one region only: a far end in another region has no groups.
        let far = self.destination(vpc, q.to).filter(|d| d.region == src.region);
        let peer_groups = far.map(|d| d.security_group_ids.as_slice()).unwrap_or(&[]);
        let packet = Packet {
            protocol: q.protocol,
            port: q.port,
            peer: q.to,
            peer_groups,
            peer_account: far.map(|d| &d.account_id),
        };
        let decision = self.rules_of(&src.id).evaluate(xconnect_model::Direction::Egress, &packet);
        let groups = list(&src.security_group_ids);
        let check = format!("{what} to {} outbound: {}", q.to, explain(&decision));
        if !walk.hop(HopKind::Egress, &groups, &src.account_id, check, decision.allowed()) {
            let fix = match &decision {
                Decision::Dropped(rule) => format!(
                    "rule {rule} drops it: delete that rule, or add an egress accept rule for {what} to {}/{} \
                     with a lower priority number to one of {groups}",
                    q.to,
                    host_len(q.to)
                ),
                _ => format!("add an egress accept rule for {what} to {} to one of {groups}", q.to),
            };
            return Some(walk.block(BlockCode::EgressDenied, fix));
        }

        // The source VPC's route table: delivered here, or over a router interface pair or
        // through a hub into another network, whose table must then deliver it.
        let first = self.forward(&mut walk, vpc, q.to, None);
        let source = Source {
            ip: src.private_ip,
            groups: &src.security_group_ids,
            network: src.vpc_id.as_str(),
            account: &src.account_id,
            region: &src.region,
        };
        Some(self.arrive(walk, first, &source, &probe))
    }

    /// Follows a packet from a host in a data centre; `None` when the host or its VBR is not in
    /// the view. The data centre sends what is not its own to its VBR, over the shared port's
    /// VLAN; its own firewalls are not modelled.
    pub fn test_from_host(
        &self,
        host: &DataCentreHostId,
        to: IpAddr,
        protocol: Protocol,
        port: Option<u16>,
    ) -> Option<ConnectivityAnswer> {
        let h = self.hosts.get(host)?;
        let vbr = self.vbrs.get(&h.vbr_id)?;
        let probe = Probe { to, protocol, port };
        let mut walk = Walk::new(&probe, h.ip);
        walk.answer.from_host_id = Some(h.id.clone());
        let check = format!(
            "host {} ({}) in the data centre behind VBR {} → the VBR over VLAN {} (shared port {})",
            h.id, h.ip, vbr.vbr.id, vbr.vbr.vlan_id, vbr.vbr.shared_port_id
        );
        walk.hop(HopKind::DataCentre, vbr.vbr.id.as_str(), &h.account_id, check, true);
        walk.narrow(Some(u64::from(vbr.vbr.bandwidth_mbps) * 1000));
        let first = self.forward_vbr(&mut walk, vbr, to, None);
        let source = Source {
            ip: h.ip,
            groups: &[],
            network: vbr.vbr.id.as_str(),
            account: &h.account_id,
            region: &vbr.vbr.region,
        };
        Some(self.arrive(walk, first, &source, &probe))
    }

    /// The rest of the way from the first network's route table: into the network the packet
    /// lands in, delivery, the destination's groups, and the way back.
    fn arrive(
        &self,
        mut walk: Walk,
        first: Result<Step<'_>, (BlockCode, String)>,
        src: &Source<'_>,
        q: &Probe,
    ) -> ConnectivityAnswer {
        let landing = match first {
            Ok(Step::Here(l)) => l,
            Ok(Step::Away(target, came)) => {
                let next = match target {
                    Target::Vpc(v) => self.forward(&mut walk, v, q.to, Some(&came)),
                    Target::Vbr(b) => self.forward_vbr(&mut walk, b, q.to, Some(&came)),
                };
                match next {
                    Ok(Step::Here(l)) => l,
                    Ok(Step::Away(..)) => unreachable!("an arrived packet is delivered where it arrived or not at all"),
                    Err((code, fix)) => return walk.block(code, fix),
                }
            }
            Err((code, fix)) => return walk.block(code, fix),
        };
        match landing {
            Landing::Vpc(target, vswitch_id) => self.land_in_vpc(walk, target, vswitch_id, src, q),
            Landing::DataCentre(vbr) => self.land_in_data_centre(walk, vbr, src, q),
        }
    }

    fn land_in_vpc(
        &self,
        mut walk: Walk,
        target: &VpcView,
        vswitch_id: VSwitchId,
        src: &Source<'_>,
        q: &Probe,
    ) -> ConnectivityAnswer {
        let what = q.describe();
        // Delivery inside the vswitch.
        let owner = &target.vpc.account_id;
        let dst = self.by_address.get(&(target.vpc.id.clone(), q.to)).and_then(|id| self.instances.get(id));
        let Some(dst) = dst.filter(|d| d.vswitch_id == vswitch_id) else {
            let check = format!("no instance has {} in vswitch {vswitch_id}", q.to);
            walk.hop(HopKind::Delivery, vswitch_id.as_str(), owner, check, false);
            let fix = format!(
                "check the address: `xconnect instance list --vpc {}` shows the instances and their addresses",
                target.vpc.id
            );
            return walk.block(BlockCode::NoInstance, fix);
        };
        walk.answer.to_instance_id = Some(dst.id.clone());
        let check = format!("instance {} holds {}", dst.id, q.to);
        walk.hop(HopKind::Delivery, vswitch_id.as_str(), &dst.account_id, check, true);

        // The destination's groups, inbound.
        let peer_groups = if src.region == &dst.region { src.groups } else { &[] };
        let packet =
            Packet { protocol: q.protocol, port: q.port, peer: src.ip, peer_groups, peer_account: Some(src.account) };
        let decision = self.rules_of(&dst.id).evaluate(xconnect_model::Direction::Ingress, &packet);
        let groups = list(&dst.security_group_ids);
        let check = format!("{what} from {} inbound: {}", src.ip, explain(&decision));
        if !walk.hop(HopKind::Ingress, &groups, &dst.account_id, check, decision.allowed()) {
            let first = dst.security_group_ids.first().map(|g| g.to_string()).unwrap_or_default();
            let by_group = match src.groups.first() {
                // Across regions only CIDR sources work; a data centre host has no groups.
                Some(g) if src.region == &dst.region && src.account == &dst.account_id => {
                    format!(" (or from security group {g})")
                }
                Some(g) if src.region == &dst.region => {
                    format!(" (or from security group {g} of account {})", src.account)
                }
                _ => String::new(),
            };
            let fix = match &decision {
                Decision::Dropped(rule) => format!(
                    "rule {rule} drops it: delete that rule, or add an ingress accept rule with a lower priority \
                     number for {what} from {}/{} to {first}",
                    src.ip,
                    host_len(src.ip)
                ),
                _ => format!(
                    "add an ingress rule to {first} accepting {what} from {}/{}{by_group}",
                    src.ip,
                    host_len(src.ip)
                ),
            };
            return walk.block(BlockCode::IngressDenied, fix);
        }

        // The way back: the reply passes the groups (stateful) but needs a route to the source.
        let here = target.vpc.id.as_str();
        match self.way_back(
            &mut walk,
            &target.table,
            &target.conflicts,
            here,
            target.vpc.route_table_id.as_str(),
            owner,
            src,
        ) {
            Ok(()) => walk.finish(),
            Err((code, fix)) => walk.block(code, fix),
        }
    }

    fn land_in_data_centre(&self, mut walk: Walk, vbr: &VbrView, src: &Source<'_>, q: &Probe) -> ConnectivityAnswer {
        let owner = &vbr.vbr.account_id;
        let component = vbr.vbr.id.as_str();
        if src.network != component {
            let check = format!(
                "VBR {} → the data centre over VLAN {} (shared port {})",
                vbr.vbr.id, vbr.vbr.vlan_id, vbr.vbr.shared_port_id
            );
            walk.hop(HopKind::DataCentre, component, owner, check, true);
            walk.narrow(Some(u64::from(vbr.vbr.bandwidth_mbps) * 1000));
        }
        let Some(host) = self.host_by_address.get(&(vbr.vbr.id.clone(), q.to)).and_then(|h| self.hosts.get(h)) else {
            let check = format!("no host of the data centre behind VBR {} has {}", vbr.vbr.id, q.to);
            walk.hop(HopKind::Delivery, component, owner, check, false);
            let fix =
                format!("check the address: `xconnect data-centre-host list --vbr {}` shows the hosts", vbr.vbr.id);
            return walk.block(BlockCode::NoInstance, fix);
        };
        walk.answer.to_host_id = Some(host.id.clone());
        walk.hop(HopKind::Delivery, component, owner, format!("host {} holds {}", host.id, q.to), true);
        let check = "on premises: the data centre's own firewalls are not modelled; everything is let in".to_owned();
        walk.hop(HopKind::Ingress, component, owner, check, true);
        // Replies go from the data centre to the VBR, whose table must lead back to the source.
        match self.way_back(&mut walk, &vbr.table, &vbr.conflicts, component, component, owner, src) {
            Ok(()) => walk.finish(),
            Err((code, fix)) => walk.block(code, fix),
        }
    }

    /// The reply's route in the network it landed in (`here`), which must lead back to the
    /// source's network: delivered here, over an active pair, or through the hub.
    #[allow(clippy::too_many_arguments)]
    fn way_back(
        &self,
        walk: &mut Walk,
        table: &RouteTable,
        conflicts: &[RouteConflict],
        here: &str,
        component: &str,
        owner: &AccountId,
        src: &Source<'_>,
    ) -> Result<(), (BlockCode, String)> {
        let ip = src.ip;
        let route = table.lookup(ip);
        let verdict: Result<String, (BlockCode, String, String)> = match route.map(|r| (r, &r.next_hop)) {
            Some((r, NextHop::Local { .. } | NextHop::DataCentre { .. })) if here == src.network => {
                Ok(format!("replies to {ip} match {} → {}", r.destination, hop_name(&r.next_hop)))
            }
            Some((r, NextHop::RouterInterface { router_interface_id: ri })) => match self.pair(ri) {
                Ok((_, p)) if p.vpc_id.as_str() == src.network => {
                    Ok(format!("replies to {ip} match {} → router interface {ri} → {} (Active)", r.destination, p.id))
                }
                Ok((_, p)) => Err((
                    BlockCode::NoReturnRoute,
                    format!(
                        "replies to {ip} match {} → router interface {ri}, whose pair leads to VPC {}, not the source's",
                        r.destination, p.vpc_id
                    ),
                    format!("route {ip} in {component} over the pair that leads to the source"),
                )),
                Err((check, fix)) => Err((
                    BlockCode::PeerNotActive,
                    format!("replies to {ip} match {} → router interface {ri}, but {check}", r.destination),
                    fix,
                )),
            },
            Some((r, NextHop::Hub { hub_id, attachment_id })) => match self.hubs.attachments.get(attachment_id) {
                Some(a) if a.network_id == src.network => {
                    Ok(format!("replies to {ip} match {} → hub {hub_id}, to attachment {attachment_id}", r.destination))
                }
                _ => Err((
                    BlockCode::NoReturnRoute,
                    format!(
                        "replies to {ip} match {} → hub {hub_id}, attachment {attachment_id}, which is not the \
                         source's network",
                        r.destination
                    ),
                    format!("route {ip} in {component} towards the source's network"),
                )),
            },
            None if conflicts.iter().any(|c| c.destination_cidr_block.contains_addr(ip)) => {
                let c = conflicts.iter().find(|c| c.destination_cidr_block.contains_addr(ip)).expect("found above");
                Err((
                    BlockCode::RouteConflict,
                    format!(
                        "no route covers {ip}: {} learned from hub {} (attachment {}) was not installed, it \
                         conflicts with {}",
                        c.destination_cidr_block, c.hub_id, c.attachment_id, c.conflicts_with
                    ),
                    format!("remove the clash with {}, or advertise a block that does not clash", c.conflicts_with),
                ))
            }
            found => {
                let check = match found {
                    Some((r, hop)) => format!(
                        "replies to {ip} match {} → {}, which does not lead back to the source",
                        r.destination,
                        hop_name(hop)
                    ),
                    None => format!("no route covers {ip}, so replies are lost"),
                };
                let fix = match walk.arrived_over.as_ref() {
                    Some(Came::Hub(hub)) => format!(
                        "the source's network must advertise a block holding {ip} in its attachment to hub {hub}, so \
                         that this network learns a route back"
                    ),
                    Some(Came::Pair(ri)) => format!(
                        "add a route back: `xconnect route-entry create --route-table {component} --destination <the \
                         source's block, holding {ip}> --next-hop {ri}`"
                    ),
                    None => format!("add a route back to {ip} in {component}"),
                };
                Err((BlockCode::NoReturnRoute, check, fix))
            }
        };
        match verdict {
            Ok(check) => {
                walk.hop(HopKind::ReturnRoute, component, owner, check, true);
                Ok(())
            }
            Err((code, check, fix)) => {
                walk.hop(HopKind::ReturnRoute, component, owner, check, false);
                Err((code, fix))
            }
        }
    }

    /// The instance a packet to `to` from VPC `vpc` would reach, if the routes lead to one: for
    /// the group peers of egress rules, which are checked before the route.
    fn destination(&self, vpc: &VpcView, to: IpAddr) -> Option<&Instance> {
        let at = match &vpc.table.lookup(to)?.next_hop {
            NextHop::Local { .. } => &vpc.vpc.id,
            NextHop::RouterInterface { router_interface_id } => {
                let (_, p) = self.pair(router_interface_id).ok()?;
                let far = self.vpcs.get(&p.vpc_id)?;
                match far.table.lookup(to)?.next_hop {
                    NextHop::Local { .. } => &far.vpc.id,
                    _ => return None,
                }
            }
            NextHop::Hub { attachment_id, .. } => {
                let a = self.hubs.attachments.get(attachment_id)?;
                let far = self.vpcs.get(&VpcId::parse("network_id", &a.network_id).ok()?)?;
                match far.table.lookup(to)?.next_hop {
                    NextHop::Local { .. } => &far.vpc.id,
                    _ => return None,
                }
            }
            _ => return None,
        };
        self.by_address.get(&(at.clone(), to)).and_then(|id| self.instances.get(id))
    }

    /// An active pair from the interface `id`: both sides Active and naming each other. Else
    /// what is wrong and what would fix it.
    pub(crate) fn pair(
        &self,
        id: &RouterInterfaceId,
    ) -> Result<(&RouterInterface, &RouterInterface), (String, String)> {
        let Some(local) = self.interfaces.get(id) else {
            return Err((format!("router interface {id} does not exist"), format!("delete the routes that use {id}")));
        };
        if local.status != RouterInterfaceStatus::Active {
            let fix = match (local.status, local.role) {
                (RouterInterfaceStatus::Inactive, _) => {
                    format!("activate it: `xconnect router-interface activate {id}`")
                }
                (_, RouterInterfaceRole::Initiator) if local.peer.is_some() => {
                    format!("connect the pair: `xconnect router-interface connect {id}`")
                }
                (_, RouterInterfaceRole::Initiator) => {
                    format!("name its acceptor with `xconnect router-interface set-peer {id} ...`, then connect it")
                }
                _ => "the initiator's owner must connect the pair".to_owned(),
            };
            return Err((format!("router interface {id} is {}", local.status), fix));
        }
        let peer = local.peer.as_ref().map(|p| &p.router_interface_id);
        // Each side must name the other whole (id, account and VRouter), as `connect` required.
        let Some(p) = peer.and_then(|p| self.interfaces.get(p)).filter(|p| p.names(local) && local.names(p)) else {
            let named = peer.map(|p| p.to_string()).unwrap_or_default();
            return Err((
                format!("its peer {named} no longer exists"),
                format!("delete the routes that use {id}, deactivate and delete it, and connect a new pair"),
            ));
        };
        if p.status != RouterInterfaceStatus::Active {
            return Err((
                format!("its peer {} of account {} is {}", p.id, p.account_id, p.status),
                format!("the owner of {} (account {}) must activate it", p.id, p.account_id),
            ));
        }
        Ok((local, p))
    }

    /// One VPC's route table: where it sends a packet to `to`. `arrived` is how the packet came
    /// into this VPC, for one it reached through a pair or a hub: such a packet is delivered
    /// locally or not at all.
    fn forward<'v>(
        &'v self,
        walk: &mut Walk,
        vpc: &'v VpcView,
        to: IpAddr,
        arrived: Option<&Came>,
    ) -> Result<Step<'v>, (BlockCode, String)> {
        let table = &vpc.vpc.route_table_id;
        let owner = &vpc.vpc.account_id;
        let Some(route) = vpc.table.lookup(to) else {
            if let Some(c) = vpc.conflicts.iter().find(|c| c.destination_cidr_block.contains_addr(to)) {
                let check = format!(
                    "no route covers {to}: {} learned from hub {} (attachment {}) was not installed, it conflicts \
                     with {}",
                    c.destination_cidr_block, c.hub_id, c.attachment_id, c.conflicts_with
                );
                walk.hop(HopKind::Route, table.as_str(), owner, check, false);
                let fix = format!(
                    "remove the clash with {} (or have the other network advertise a block that does not clash)",
                    c.conflicts_with
                );
                return Err((BlockCode::RouteConflict, fix));
            }
            let attached = self.hubs.by_network.get(vpc.vpc.id.as_str()).and_then(|a| self.hubs.attachments.get(a));
            // Granted to a hub but attached to none. What the hub's networks advertise is not
            // consulted: a grant is taken without looking at the hub, so the grantor must learn
            // nothing of it here either, and the answer is the same for every destination and
            // for a hub id that never existed.
            let granted = self.hubs.grants.get(vpc.vpc.id.as_str()).and_then(|grants| grants.first());
            if let (None, None, Some(g)) = (arrived, attached, granted) {
                let check = format!(
                    "no route covers {to}; VPC {} is granted to hub {} of account {} but attached to no hub",
                    vpc.vpc.id, g.hub_id, g.grantee_account_id
                );
                walk.hop(HopKind::Route, table.as_str(), owner, check, false);
                let fix = format!(
                    "account {} must attach VPC {} to hub {}: `xconnect attachment create --hub {} --vpc {} \
                     --owner {}`",
                    g.grantee_account_id, vpc.vpc.id, g.hub_id, g.hub_id, vpc.vpc.id, vpc.vpc.account_id
                );
                return Err((BlockCode::NotAttached, fix));
            }
            let check = format!("no route covers {to}");
            walk.hop(HopKind::Route, table.as_str(), owner, check, false);
            let fix = match (arrived, attached) {
                (Some(_), _) => format!("{to} is in none of VPC {}'s vswitches", vpc.vpc.id),
                (None, Some(a)) => format!(
                    "no network attached to hub {} advertises {to}: attach the network that holds it (another \
                     account's network needs its owner's grant to hub {} first), or add a route in route table \
                     {table}",
                    a.hub_id, a.hub_id
                ),
                (None, None) => format!(
                    "add a route to {to} (or a block that holds it) in route table {table}, for example over a \
                     router interface (`xconnect route-entry create --route-table {table} --destination <block> \
                     --next-hop ri-...`), or attach this VPC to a hub (another account's hub needs your grant: \
                     `xconnect grant create --vpc {} --hub hub-... --grantee acc-...`)",
                    vpc.vpc.id
                ),
            };
            return Err((BlockCode::NoRoute, fix));
        };
        match &route.next_hop {
            NextHop::Local { vswitch_id } => {
                let check = format!("{to} matches {} → local, vswitch {vswitch_id}", route.destination);
                walk.hop(HopKind::Route, table.as_str(), owner, check, true);
                Ok(Step::Here(Landing::Vpc(vpc, vswitch_id.clone())))
            }
            NextHop::Blackhole => {
                let entry = route.entry.as_ref().map(|e| e.to_string()).unwrap_or_default();
                let check = format!("{to} matches {} → blackhole (route entry {entry})", route.destination);
                walk.hop(HopKind::Route, table.as_str(), owner, check, false);
                let fix = format!(
                    "route entry {entry} sends {} to a blackhole: delete it, or add a more specific route to {to} \
                     ahead of it",
                    route.destination
                );
                Err((BlockCode::Blackhole, fix))
            }
            NextHop::RouterInterface { .. } | NextHop::Hub { .. } if arrived.is_some() => {
                let check = format!(
                    "{to} matches {} → {}: a packet that arrived over {} is not sent on (neither peering nor a hub \
                     is transitive)",
                    route.destination,
                    hop_name(&route.next_hop),
                    arrived.map(Came::describe).unwrap_or_default()
                );
                walk.hop(HopKind::Route, table.as_str(), owner, check, false);
                Err((BlockCode::NoRoute, format!("connect {to}'s VPC directly with the source's VPC")))
            }
            NextHop::Hub { hub_id, attachment_id } => {
                let check = format!(
                    "{to} matches {} → hub {hub_id} (learned from attachment {attachment_id})",
                    route.destination
                );
                walk.hop(HopKind::Route, table.as_str(), owner, check, true);
                self.through_hub(walk, &vpc.vpc.region, owner, hub_id, attachment_id)
            }
            NextHop::RouterInterface { router_interface_id: ri } => {
                let check = format!("{to} matches {} → router interface {ri}", route.destination);
                walk.hop(HopKind::Route, table.as_str(), owner, check, true);
                match self.pair(ri) {
                    Ok((local, p)) => {
                        let mbps = local.bandwidth_mbps().or(p.bandwidth_mbps());
                        let spec = local.spec.or(p.spec).map(|s| format!("{s}, ")).unwrap_or_default();
                        let check = format!(
                            "router interface {ri} (Active) → {} of account {} (Active); {spec}{} Mbit/s",
                            p.id,
                            p.account_id,
                            mbps.unwrap_or(0)
                        );
                        walk.hop(HopKind::Peering, &format!("{ri} → {}", p.id), owner, check, true);
                        walk.narrow(mbps.map(|m| u64::from(m) * 1000));
                        walk.arrived_over = Some(Came::Pair(p.id.clone()));
                        let far = self.vpcs.get(&p.vpc_id).expect("a pair's VPCs are in the view");
                        Ok(Step::Away(Target::Vpc(far), Came::Pair(local.id.clone())))
                    }
                    Err((check, fix)) => {
                        walk.hop(HopKind::Peering, ri.as_str(), owner, check, false);
                        Err((BlockCode::PeerNotActive, fix))
                    }
                }
            }
            other => {
                let check =
                    format!("{to} matches {} → {}, which this view cannot follow", route.destination, hop_name(other));
                walk.hop(HopKind::Route, table.as_str(), owner, check, false);
                Err((BlockCode::NoRoute, "this kind of next hop is not yet followed by the analyzer".to_owned()))
            }
        }
    }

    /// A VBR's route table: into its data centre, or through its hub into another network.
    fn forward_vbr<'v>(
        &'v self,
        walk: &mut Walk,
        vbr: &'v VbrView,
        to: IpAddr,
        arrived: Option<&Came>,
    ) -> Result<Step<'v>, (BlockCode, String)> {
        let component = vbr.vbr.id.as_str();
        let owner = &vbr.vbr.account_id;
        let Some(route) = vbr.table.lookup(to) else {
            if let Some(c) = vbr.conflicts.iter().find(|c| c.destination_cidr_block.contains_addr(to)) {
                let check = format!(
                    "no route covers {to}: {} learned from hub {} was not installed, it conflicts with {}",
                    c.destination_cidr_block, c.hub_id, c.conflicts_with
                );
                walk.hop(HopKind::Route, component, owner, check, false);
                return Err((BlockCode::RouteConflict, format!("remove the clash with {}", c.conflicts_with)));
            }
            walk.hop(HopKind::Route, component, owner, format!("VBR {component} has no route to {to}"), false);
            let fix = match arrived {
                Some(_) => format!("{to} is in none of the data centre's blocks: add it to VBR {component}'s routes"),
                None => format!(
                    "attach VBR {component} to a hub whose networks advertise {to} (another account's hub needs \
                     your grant first)"
                ),
            };
            return Err((BlockCode::NoRoute, fix));
        };
        match &route.next_hop {
            NextHop::DataCentre { .. } => {
                let check = format!("{to} matches {} → the data centre (VLAN {})", route.destination, vbr.vbr.vlan_id);
                walk.hop(HopKind::Route, component, owner, check, true);
                Ok(Step::Here(Landing::DataCentre(vbr)))
            }
            NextHop::Hub { .. } if arrived.is_some() => {
                let check = format!(
                    "{to} matches {} → {}: a packet that arrived through a hub is not sent on",
                    route.destination,
                    hop_name(&route.next_hop)
                );
                walk.hop(HopKind::Route, component, owner, check, false);
                Err((BlockCode::NoRoute, format!("attach {to}'s network to the source's hub")))
            }
            NextHop::Hub { hub_id, attachment_id } => {
                let check = format!(
                    "{to} matches {} → hub {hub_id} (learned from attachment {attachment_id})",
                    route.destination
                );
                walk.hop(HopKind::Route, component, owner, check, true);
                self.through_hub(walk, &vbr.vbr.region, owner, hub_id, attachment_id)
            }
            other => {
                let check =
                    format!("{to} matches {} → {}, which a VBR does not use", route.destination, hop_name(other));
                walk.hop(HopKind::Route, component, owner, check, false);
                Err((BlockCode::NoRoute, "this kind of next hop is not followed from a VBR".to_owned()))
            }
        }
    }

    /// Through a hub from a network in region `from` to the attached network that advertises
    /// the route: free within a region, at the inter-region bandwidth across two, or at the
    /// test bandwidth when none is assigned.
    fn through_hub<'v>(
        &'v self,
        walk: &mut Walk,
        from: &RegionId,
        owner: &AccountId,
        hub_id: &HubId,
        attachment_id: &AttachmentId,
    ) -> Result<Step<'v>, (BlockCode, String)> {
        let far = self.hubs.attachments.get(attachment_id).and_then(|a| {
            let target = match NetworkKind::of(&a.network_id)? {
                NetworkKind::Vpc => Target::Vpc(self.vpcs.get(&VpcId::parse("network_id", &a.network_id).ok()?)?),
                NetworkKind::Vbr => Target::Vbr(self.vbrs.get(&VbrId::parse("network_id", &a.network_id).ok()?)?),
                _ => return None,
            };
            Some((a, target))
        });
        let Some((a, far)) = far else {
            let check = format!("attachment {attachment_id} of hub {hub_id} is not in view");
            walk.hop(HopKind::Hub, hub_id.as_str(), owner, check, false);
            return Err((BlockCode::NoRoute, "ask again: the hub changed while the path was followed".into()));
        };
        let into = &a.region;
        let check = if from == into {
            format!("hub {hub_id} → {} in {into}, the same region: no bandwidth package needed", a.network_id)
        } else if let Some(mbps) = self.hubs.bandwidth(hub_id, from, into) {
            walk.narrow(Some(u64::from(mbps) * 1000));
            format!("hub {hub_id} → {} in {into}; inter-region bandwidth {from} ↔ {into}: {mbps} Mbit/s", a.network_id)
        } else {
            walk.narrow(Some(TEST_BANDWIDTH_KBPS));
            walk.answer.test_bandwidth_only = true;
            format!(
                "hub {hub_id} → {} in {into}; no inter-region bandwidth {from} ↔ {into}: only the \
                 {TEST_BANDWIDTH_KBPS} kbit/s test bandwidth (enough for ping; assign an inter-region bandwidth \
                 for more)",
                a.network_id
            )
        };
        walk.hop(HopKind::Hub, hub_id.as_str(), &a.hub_account_id, check, true);
        walk.arrived_over = Some(Came::Hub(hub_id.clone()));
        Ok(Step::Away(far, Came::Hub(hub_id.clone())))
    }
}

/// Where a network's route table sends a packet.
enum Step<'v> {
    /// Into this network: one of a VPC's vswitches, or a VBR's data centre.
    Here(Landing<'v>),
    /// Into another network, over a pair or through a hub.
    Away(Target<'v>, Came),
}

/// Where a packet is delivered.
enum Landing<'v> {
    Vpc(&'v VpcView, VSwitchId),
    DataCentre(&'v VbrView),
}

/// A network a packet is sent into.
enum Target<'v> {
    Vpc(&'v VpcView),
    Vbr(&'v VbrView),
}

/// What the walk needs of the source: its address, its groups (none for a data centre host),
/// the network it is in (a VPC's or VBR's id), its account and region.
struct Source<'a> {
    ip: IpAddr,
    groups: &'a [SecurityGroupId],
    network: &'a str,
    account: &'a AccountId,
    region: &'a RegionId,
}

/// The packet: where to, and what.
struct Probe {
    to: IpAddr,
    protocol: Protocol,
    port: Option<u16>,
}

impl Probe {
    fn describe(&self) -> String {
        match (self.protocol, self.port) {
            (Protocol::Tcp, Some(p)) => format!("tcp port {p}"),
            (Protocol::Udp, Some(p)) => format!("udp port {p}"),
            (Protocol::Icmp, _) => "icmp".to_owned(),
            (p, _) => format!("{p:?}").to_lowercase(),
        }
    }
}

/// How a packet left for another VPC: over a pair (the far side's interface is the way back)
/// or through a hub.
#[derive(Debug, Clone)]
enum Came {
    Pair(RouterInterfaceId),
    Hub(HubId),
}

impl Came {
    fn describe(&self) -> String {
        match self {
            Came::Pair(ri) => format!("router interface {ri}"),
            Came::Hub(hub) => format!("hub {hub}"),
        }
    }
}

fn hop_name(hop: &NextHop) -> String {
    match hop.target_id() {
        Some(id) => format!("{} {id}", hop.type_name()),
        None => hop.type_name().to_owned(),
    }
}

/// The answer as it is built, hop by hop.
struct Walk {
    answer: ConnectivityAnswer,
    /// How the packet left the source's VPC, if it did: for the fix of a missing way back.
    arrived_over: Option<Came>,
}

impl Walk {
    fn new(q: &Probe, source_ip: IpAddr) -> Walk {
        Walk {
            arrived_over: None,
            answer: ConnectivityAnswer {
                reachable: false,
                from_instance_id: None,
                from_host_id: None,
                source_ip,
                destination_ip: q.to,
                protocol: q.protocol,
                port: q.port,
                to_instance_id: None,
                to_host_id: None,
                bandwidth_kbps: None,
                test_bandwidth_only: false,
                hops: Vec::new(),
                blocked: None,
            },
        }
    }

    /// The answer of a packet that got through every check.
    fn finish(mut self) -> ConnectivityAnswer {
        self.answer.reachable = true;
        self.answer
    }

    /// Records a hop; returns whether it passed.
    fn hop(&mut self, kind: HopKind, component: &str, owner: &AccountId, check: String, passed: bool) -> bool {
        self.answer.hops.push(Hop { kind, component: component.to_owned(), account_id: owner.clone(), check, passed });
        passed
    }

    /// Narrows the path's bandwidth to `kbps`, if that is narrower.
    fn narrow(&mut self, kbps: Option<u64>) {
        self.answer.bandwidth_kbps = match (self.answer.bandwidth_kbps, kbps) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn block(mut self, code: BlockCode, fix: String) -> ConnectivityAnswer {
        self.answer.blocked = Some(Blocked { code, hop: self.answer.hops.len() - 1, fix });
        self.answer
    }
}

fn explain(d: &Decision) -> String {
    match d {
        Decision::Accepted(rule) => format!("accepted by rule {rule}"),
        Decision::Dropped(rule) => format!("dropped by rule {rule}"),
        Decision::Default { allowed: true } => "allowed (no rule matches; outbound is allowed by default)".to_owned(),
        Decision::Default { allowed: false } => "denied (no rule matches; inbound is denied by default)".to_owned(),
    }
}

fn list(groups: &[SecurityGroupId]) -> String {
    groups.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")
}

fn host_len(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}
