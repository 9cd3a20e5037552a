//! The desired state of the Linux data plane: the namespaces, links, addresses, routes,
//! firewall rulesets and shaping that realise the model, computed by the `net` layer from the
//! same view the analyzer walks, for an agent to apply. Every name it gives starts with `xc-`
//! (or, for interfaces, `xc`) so that the agent never touches anything it did not make.

use std::net::IpAddr;

use crate::cidr::Cidr;

/// What a namespace stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NamespaceRole {
    /// A VPC's VRouter: forwarding on, the VPC's route table.
    Router,
    /// An instance: one interface, a default route to its router, its security groups.
    Instance,
    /// A hub's router in one region: links to the attached networks of that region and to the
    /// hub's routers in the other regions.
    Hub,
    /// A VBR: the data centre's routes over the shared port's VLAN, learned routes to its hub.
    Vbr,
    /// The data centre's own router behind a VBR: its hosts, and the VBR as its way out.
    DataCentre,
    /// A host in the data centre: one interface, a default route to the data centre's router.
    Host,
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Namespace {
    pub name: String,
    pub role: NamespaceRole,
    /// The model resource it realises (a VPC or an instance id).
    pub resource_id: String,
}

/// A veth pair: one end in each namespace.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Veth {
    pub a_namespace: String,
    pub a_name: String,
    pub b_namespace: String,
    pub b_name: String,
}

/// An 802.1Q VLAN interface on a link: a shared port's VLAN id, carried between a VBR and its
/// data centre.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Vlan {
    pub namespace: String,
    /// The link it is made on.
    pub parent: String,
    pub name: String,
    pub vlan_id: u16,
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Address {
    pub namespace: String,
    pub interface: String,
    /// The address with its prefix length, e.g. `192.168.1.2/24`.
    pub address: String,
}

/// Where a kernel route sends packets.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KernelNextHop {
    /// Straight out of an interface (on-link).
    Device { interface: String },
    /// To a gateway through an interface (on-link).
    Gateway {
        #[schema(value_type = String, format = "ip")]
        via: IpAddr,
        interface: String,
    },
    /// Dropped.
    Blackhole,
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct KernelRoute {
    pub namespace: String,
    pub destination: Cidr,
    pub next_hop: KernelNextHop,
}

/// An instance's security groups as an nftables ruleset (nft's JSON, as `nft -j -f -` reads
/// it), to be replaced atomically: the table is deleted and written again in one transaction.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Ruleset {
    pub namespace: String,
    pub table: String,
    /// The `{"nftables": [...]}` document that makes the table, its chains and rules.
    pub nftables: String,
}

/// Egress shaping of one interface to a rate: a link's two ends are each shaped.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Shaping {
    pub namespace: String,
    pub interface: String,
    /// The bought rate, in kbit/s of TCP payload.
    pub bought_kbps: u64,
    /// The rate to configure in kbit/s of frames: the bought rate × 1514 / 1448, so that the
    /// payload gets what was bought.
    pub rate_kbps: u64,
    /// The leaf queue's byte limit: about 50 ms at the rate, for low latency under load.
    pub queue_bytes: u64,
}

/// A link end whose sent bytes are an account's outbound data transfer: a VPC's end of a
/// router interface pair or of its hub attachment, a VBR's end towards its data centre.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Meter {
    pub namespace: String,
    pub interface: String,
    /// Whose transfer it is.
    pub account_id: String,
    /// What it is billed under: the router interface, attachment or VBR.
    pub resource_id: String,
}

impl Meter {
    /// The counter's name in usage reports: stable for as long as the link is wanted.
    pub fn counter_id(&self) -> String {
        format!("{}/{}", self.namespace, self.interface)
    }
}

/// Everything the data plane should hold, sorted, so that two computations of the same model
/// are equal and a diff is a diff of sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DesiredState {
    pub namespaces: Vec<Namespace>,
    pub veths: Vec<Veth>,
    #[serde(default)]
    pub vlans: Vec<Vlan>,
    pub addresses: Vec<Address>,
    pub routes: Vec<KernelRoute>,
    pub rulesets: Vec<Ruleset>,
    pub shaping: Vec<Shaping>,
    #[serde(default)]
    pub meters: Vec<Meter>,
}
