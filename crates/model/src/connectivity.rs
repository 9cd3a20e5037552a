//! The answer to "can A reach B": a verdict, the hops the packet took with the check each one
//! passed, and for a packet that is stopped, the first check that stopped it, with a stable code
//! and what would fix it.

use std::fmt;
use std::net::IpAddr;

use crate::id::{AccountId, DataCentreHostId, InstanceId, NetworkPathId, PathAnalysisId};
use crate::name::{Description, Name};
use crate::resources::Protocol;
use crate::time::Timestamp;
use crate::wire::ConnectivityTestRequest;

/// Why a packet does not arrive: the stable codes of failed checks. Later capabilities may add
/// codes, so matches must allow for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BlockCode {
    /// The source's security groups do not let it out.
    EgressDenied,
    /// No route in the source's route table covers the destination.
    NoRoute,
    /// The route that covers the destination drops it on purpose.
    Blackhole,
    /// The route leads into a vswitch where no instance has the address.
    NoInstance,
    /// The destination's security groups do not let it in.
    IngressDenied,
    /// The destination's route table has no way back to the source.
    NoReturnRoute,
    /// The route leads to a router interface whose pair is not connected and active (an
    /// interface deactivated, never connected, or its peer gone).
    PeerNotActive,
    /// The block that would carry it was learned from a hub but not installed: it clashes with
    /// a local block, a custom route or a block another attachment advertised earlier.
    RouteConflict,
    /// The source's VPC is granted to a hub but not attached to it.
    NotAttached,
}

impl BlockCode {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockCode::EgressDenied => "egress_denied",
            BlockCode::NoRoute => "no_route",
            BlockCode::Blackhole => "blackhole",
            BlockCode::NoInstance => "no_instance",
            BlockCode::IngressDenied => "ingress_denied",
            BlockCode::NoReturnRoute => "no_return_route",
            BlockCode::PeerNotActive => "peer_not_active",
            BlockCode::RouteConflict => "route_conflict",
            BlockCode::NotAttached => "not_attached",
        }
    }
}

impl fmt::Display for BlockCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the path a hop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HopKind {
    /// The source instance's security groups, outbound.
    Egress,
    /// A route table's longest-prefix match.
    Route,
    /// The vswitch and instance that hold the destination address.
    Delivery,
    /// The destination instance's security groups, inbound.
    Ingress,
    /// The destination's route table, towards the source, for the reply.
    ReturnRoute,
    /// A router interface pair, from one VPC's VRouter into its peer's.
    Peering,
    /// A hub, from one attached network to another, within a region or across two.
    Hub,
    /// A VBR and its shared port's VLAN, between the cloud and a data centre.
    DataCentre,
}

/// One step of the path and the check made there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Hop {
    pub kind: HopKind,
    /// The component checked: a security group list, a route table, a vswitch, an instance. In
    /// another account's network, only "in account X's network".
    pub component: String,
    /// The account whose network this hop is in.
    pub account_id: AccountId,
    /// What was checked and what it found, in words.
    pub check: String,
    pub passed: bool,
}

/// The first check that stopped the packet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Blocked {
    pub code: BlockCode,
    /// Index of the hop in `hops`.
    pub hop: usize,
    /// What would let the packet through, in words.
    pub fix: String,
}

/// Every ordered pair of a set of instances at once: `verdicts[i][j]` answers whether
/// `instance_ids[i]` reaches the address of `instance_ids[j]`: `reachable`, the code of the
/// check that stops it, `self` on the diagonal, or `address_elsewhere` when the packet arrives
/// at another instance that holds the same address (VPCs whose blocks overlap).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConnectivityMatrix {
    pub instance_ids: Vec<InstanceId>,
    pub protocol: Protocol,
    pub port: Option<u16>,
    pub verdicts: Vec<Vec<String>>,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConnectivityAnswer {
    pub reachable: bool,
    /// The source: an instance, or a host in a data centre.
    pub from_instance_id: Option<InstanceId>,
    pub from_host_id: Option<DataCentreHostId>,
    #[schema(value_type = String, format = "ip")]
    pub source_ip: IpAddr,
    #[schema(value_type = String, format = "ip")]
    pub destination_ip: IpAddr,
    pub protocol: Protocol,
    pub port: Option<u16>,
    /// The instance that holds the destination address, when the path reached one.
    pub to_instance_id: Option<InstanceId>,
    /// The data centre host that holds it, when the path reached one.
    pub to_host_id: Option<DataCentreHostId>,
    /// The narrowest bandwidth on the way, in kbit/s: a router interface pair's spec, an
    /// inter-region bandwidth, or a hub's 10 kbit/s test bandwidth between two regions that
    /// have none. None when nothing on the way limits it (within a VPC or a region).
    pub bandwidth_kbps: Option<u64>,
    /// The path crosses regions on a hub with no inter-region bandwidth: a ping gets through,
    /// little else.
    pub test_bandwidth_only: bool,
    pub hops: Vec<Hop>,
    pub blocked: Option<Blocked>,
}

/// A connectivity question saved under a name, to be asked again: Alibaba Cloud NIS's network
/// path, whose analyses are asked later and read later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct NetworkPath {
    pub id: NetworkPathId,
    pub account_id: AccountId,
    pub name: Option<Name>,
    pub description: Description,
    /// The question, as a connectivity test asks it; checked when the path is made.
    pub question: ConnectivityTestRequest,
    pub created_at: Timestamp,
}

/// A network path's question answered once, and kept as answered then: the network may have
/// changed since, and a new analysis asks again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PathAnalysis {
    pub id: PathAnalysisId,
    pub account_id: AccountId,
    pub network_path_id: NetworkPathId,
    pub answer: ConnectivityAnswer,
    pub created_at: Timestamp,
}
