//! The path walker: follows one packet from an instance towards an address, hop by hop, with the
//! same route tables and security-group evaluation the rest of the service uses, and explains
//! where and why it stops. Pure: it answers from a [`View`] of the model, built from plain data.
//!
//! The hops, in order: the source's security groups outbound; the source VPC's route table
//! (longest-prefix match); when that leads to a router interface, the pair (both sides Active)
//! and the peer VPC's route table, which must deliver locally (peering is not transitive);
//! delivery to the instance holding the address; the destination's security groups inbound; the
//! destination's route table towards the source, for the reply (locally, or over an active pair
//! that leads back to the source's VPC).
//! Replies to a packet that got through pass the security groups whatever their rules say
//! (stateful), so the reply needs only a route.

use std::collections::HashMap;
use std::net::IpAddr;

use xconnect_model::connectivity::*;
use xconnect_model::{
    AccountId, Attachment, AttachmentId, Cidr, DataCentreHost, DataCentreHostId, Grant, HubId, Instance, InstanceId,
    InterRegionBandwidth, NetworkKind, NextHop, Protocol, RegionId, RouteConflict, RouteEntry, RouterInterface,
    RouterInterfaceId, RouterInterfaceRole, RouterInterfaceStatus, SecurityGroupId, SecurityGroupRule, VSwitch,
    VSwitchId, Vbr, VbrId, Vpc, VpcId,
};

use crate::hub::{Learned, learn_from, vbr_locals, vswitch_locals};
use crate::routes::RouteTable;

/// What flows between two regions on a hub that has no inter-region bandwidth for them.
pub const TEST_BANDWIDTH_KBPS: u64 = 10;
use crate::security::Rules;

mod walk;

/// The model data a view is built from.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub vpcs: Vec<Vpc>,
    pub vswitches: Vec<VSwitch>,
    pub instances: Vec<Instance>,
    pub rules: Vec<SecurityGroupRule>,
    pub route_entries: Vec<RouteEntry>,
    pub router_interfaces: Vec<RouterInterface>,
    /// The attachments of every hub a VPC of the snapshot is attached to.
    pub attachments: Vec<Attachment>,
    pub inter_region_bandwidths: Vec<InterRegionBandwidth>,
    /// The grants the snapshot's VPCs gave, to explain a VPC that is granted but not attached.
    pub grants: Vec<Grant>,
    /// The VBRs among the hubs' attached networks (or the source host's), and their hosts.
    pub vbrs: Vec<Vbr>,
    pub hosts: Vec<DataCentreHost>,
}

/// A packet to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub from: InstanceId,
    pub to: IpAddr,
    pub protocol: Protocol,
    /// Destination port, for tcp and udp.
    pub port: Option<u16>,
}

pub(crate) struct VpcView {
    pub(crate) vpc: Vpc,
    /// What the table is built from, so that one change rebuilds this VPC's table alone.
    pub(crate) vswitches: Vec<VSwitch>,
    pub(crate) custom: Vec<RouteEntry>,
    pub(crate) table: RouteTable,
    /// Blocks its hub offered that were not installed.
    pub(crate) conflicts: Vec<RouteConflict>,
}

/// The hub side of the view: attachments by id, by network and by hub, and the inter-region
/// bandwidths of each hub by region pair.
#[derive(Default)]
pub(crate) struct Hubs {
    pub(crate) attachments: HashMap<AttachmentId, Attachment>,
    pub(crate) by_network: HashMap<String, AttachmentId>,
    pub(crate) by_hub: HashMap<HubId, Vec<Attachment>>,
    /// Each hub's own table (`hub::installed`), computed once: every network learns from it,
    /// and the plan's hub routers hold it.
    pub(crate) installed: HashMap<HubId, Vec<Learned>>,
    pub(crate) bandwidth: HashMap<(HubId, RegionId, RegionId), u32>,
    pub(crate) grants: HashMap<String, Vec<Grant>>,
}

impl Hubs {
    /// What a network learned from its hub, and what it did not install.
    fn learned(
        &self,
        network: &str,
        locals: &[(Cidr, String)],
        custom: &[RouteEntry],
    ) -> (Vec<Learned>, Vec<RouteConflict>) {
        let hub = self.by_network.get(network).and_then(|a| self.attachments.get(a)).map(|a| &a.hub_id);
        match hub.and_then(|h| Some((self.by_hub.get(h)?, self.installed.get(h)?))) {
            Some((attachments, table)) => learn_from(network, locals, custom, attachments, table),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// A VPC's route table with what it learned from its hub, and what it did not install.
    fn table(&self, vpc: &VpcId, vswitches: &[VSwitch], custom: &[RouteEntry]) -> (RouteTable, Vec<RouteConflict>) {
        // Most VPCs are on no hub: their table is built without the learning's bookkeeping.
        if !self.by_network.contains_key(vpc.as_str()) {
            return (RouteTable::new(vswitches, custom), Vec::new());
        }
        let (learned, conflicts) = self.learned(vpc.as_str(), &vswitch_locals(vswitches), custom);
        (RouteTable::with_learned(vswitches, custom, &learned), conflicts)
    }

    pub(crate) fn bandwidth(&self, hub: &HubId, a: &RegionId, b: &RegionId) -> Option<u32> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        self.bandwidth.get(&(hub.clone(), a.clone(), b.clone())).copied()
    }
}

/// The forwarding view: per VPC its route table, per address its instance, per group its rules,
/// and per instance the rules of all its groups compiled for evaluation.
pub struct View {
    pub(crate) vpcs: HashMap<VpcId, VpcView>,
    pub(crate) instances: HashMap<InstanceId, Instance>,
    pub(crate) by_address: HashMap<(VpcId, IpAddr), InstanceId>,
    pub(crate) rules: HashMap<SecurityGroupId, Vec<SecurityGroupRule>>,
    pub(crate) compiled: HashMap<InstanceId, Rules>,
    /// Which instances each group guards, to recompile only those when its rules change.
    pub(crate) members: HashMap<SecurityGroupId, Vec<InstanceId>>,
    pub(crate) interfaces: HashMap<RouterInterfaceId, RouterInterface>,
    pub(crate) hubs: Hubs,
    pub(crate) vbrs: HashMap<VbrId, VbrView>,
    pub(crate) hosts: HashMap<DataCentreHostId, DataCentreHost>,
    pub(crate) host_by_address: HashMap<(VbrId, IpAddr), DataCentreHostId>,
}

/// A VBR as the walker reads it: its table (data centre routes and learned ones).
pub(crate) struct VbrView {
    pub(crate) vbr: Vbr,
    pub(crate) table: RouteTable,
    pub(crate) conflicts: Vec<RouteConflict>,
}

impl View {
    pub fn new(s: Snapshot) -> View {
        let mut by_vpc: HashMap<VpcId, (Vec<VSwitch>, Vec<RouteEntry>)> = HashMap::new();
        for v in s.vswitches {
            by_vpc.entry(v.vpc_id.clone()).or_default().0.push(v);
        }
        for r in s.route_entries {
            by_vpc.entry(r.vpc_id.clone()).or_default().1.push(r);
        }
        let mut hubs = Hubs::default();
        for a in s.attachments {
            hubs.by_network.insert(a.network_id.clone(), a.id.clone());
            hubs.by_hub.entry(a.hub_id.clone()).or_default().push(a.clone());
            hubs.attachments.insert(a.id.clone(), a);
        }
        hubs.installed = hubs.by_hub.iter().map(|(h, atts)| (h.clone(), crate::hub::installed(atts))).collect();
        for b in s.inter_region_bandwidths {
            hubs.bandwidth.insert((b.hub_id, b.region_a, b.region_b), b.bandwidth_mbps);
        }
        for g in s.grants {
            hubs.grants.entry(g.network_id.clone()).or_default().push(g);
        }
        let vpcs = s
            .vpcs
            .into_iter()
            .map(|vpc| {
                let (vswitches, custom) = by_vpc.remove(&vpc.id).unwrap_or_default();
                let (table, conflicts) = hubs.table(&vpc.id, &vswitches, &custom);
                (vpc.id.clone(), VpcView { vpc, vswitches, custom, table, conflicts })
            })
            .collect();
        let mut rules: HashMap<SecurityGroupId, Vec<SecurityGroupRule>> = HashMap::new();
        for r in s.rules {
            rules.entry(r.security_group_id.clone()).or_default().push(r);
        }
        let by_address = s.instances.iter().map(|i| ((i.vpc_id.clone(), i.private_ip), i.id.clone())).collect();
        let mut members: HashMap<SecurityGroupId, Vec<InstanceId>> = HashMap::new();
        for i in &s.instances {
            for g in &i.security_group_ids {
                members.entry(g.clone()).or_default().push(i.id.clone());
            }
        }
        let compiled = s.instances.iter().map(|i| (i.id.clone(), compile(&rules, &i.security_group_ids))).collect();
        let instances = s.instances.into_iter().map(|i| (i.id.clone(), i)).collect();
        let interfaces = s.router_interfaces.into_iter().map(|r| (r.id.clone(), r)).collect();
        let vbrs = s
            .vbrs
            .into_iter()
            .map(|vbr| {
                let (learned, conflicts) = hubs.learned(vbr.id.as_str(), &vbr_locals(&vbr), &[]);
                let table = RouteTable::for_vbr(&vbr, &learned);
                (vbr.id.clone(), VbrView { vbr, table, conflicts })
            })
            .collect();
        let host_by_address = s.hosts.iter().map(|h| ((h.vbr_id.clone(), h.ip), h.id.clone())).collect();
        let hosts = s.hosts.into_iter().map(|h| (h.id.clone(), h)).collect();
        View { vpcs, instances, by_address, rules, compiled, members, interfaces, hubs, vbrs, hosts, host_by_address }
    }

    pub fn instance(&self, id: &InstanceId) -> Option<&Instance> {
        self.instances.get(id)
    }

    /// Adds a custom route entry, or replaces the one with its id, rebuilding only its VPC's
    /// table. False when its VPC is not in the view.
    pub fn route_entry_upsert(&mut self, entry: RouteEntry) -> bool {
        let Some(v) = self.vpcs.get_mut(&entry.vpc_id) else { return false };
        match v.custom.iter_mut().find(|r| r.id == entry.id) {
            Some(old) => *old = entry,
            None => v.custom.push(entry),
        }
        (v.table, v.conflicts) = self.hubs.table(&v.vpc.id, &v.vswitches, &v.custom);
        true
    }

    /// Adds a router interface or replaces the one with its id (a status or peer changed).
    pub fn router_interface_upsert(&mut self, ri: RouterInterface) {
        self.interfaces.insert(ri.id.clone(), ri);
    }

    /// Replaces the rules of one security group (all of them: a rule added, changed or revoked).
    pub fn security_group_rules_set(&mut self, group: SecurityGroupId, rules: Vec<SecurityGroupRule>) {
        if rules.is_empty() {
            self.rules.remove(&group);
        } else {
            self.rules.insert(group.clone(), rules);
        }
        for id in self.members.get(&group).into_iter().flatten() {
            if let Some(i) = self.instances.get(id) {
                self.compiled.insert(id.clone(), compile(&self.rules, &i.security_group_ids));
            }
        }
    }

    /// Removes a custom route entry, rebuilding only its VPC's table. False when it is not there.
    pub fn route_entry_remove(&mut self, vpc: &VpcId, id: &xconnect_model::RouteEntryId) -> bool {
        let Some(v) = self.vpcs.get_mut(vpc) else { return false };
        let before = v.custom.len();
        v.custom.retain(|r| &r.id != id);
        if v.custom.len() == before {
            return false;
        }
        (v.table, v.conflicts) = self.hubs.table(&v.vpc.id, &v.vswitches, &v.custom);
        true
    }

    pub(crate) fn rules_of(&self, instance: &InstanceId) -> &Rules {
        static NONE: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        self.compiled.get(instance).unwrap_or_else(|| NONE.get_or_init(Rules::default))
    }
}

/// The rules of all of an instance's groups, compiled together.
fn compile(rules: &HashMap<SecurityGroupId, Vec<SecurityGroupRule>>, groups: &[SecurityGroupId]) -> Rules {
    Rules::new(groups.iter().flat_map(|g| rules.get(g).into_iter().flatten()))
}
