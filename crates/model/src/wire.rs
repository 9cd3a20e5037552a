//! Request bodies and list answers as they travel over HTTP. Request fields arrive as plain
//! strings and numbers and are validated into the model's types by the control layer, so that
//! every problem gets its own error code rather than a generic parse failure. Unknown fields are
//! refused.

/// One page of a list. Pass `next_token` back to get the next page; none means the last page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

mod list;
mod rules;
pub use list::*;
pub use rules::with_rules;

// The fixed words of a request that the control layer reads as plain strings, each from the list
// the parser itself keeps where there is one.
crate::schema::request_values! {
    /// The kinds of account the operator makes (there is one operator account).
    NewAccountKind => crate::schema::one_of(crate::AccountKind::NEW.map(crate::AccountKind::as_str), "The kind of account to make");
    /// Where a custom route sends its packets.
    NextHopType => crate::schema::one_of(crate::CustomNextHopType::ALL.map(crate::CustomNextHopType::as_str), "`router_interface` (with `next_hop_id`) or `blackhole`");
    /// The protocols a connectivity test sends.
    TestProtocol => crate::schema::one_of(crate::Protocol::TESTED.map(crate::Protocol::as_str), "The protocol of the test packet; icmp by default");
    /// A router interface's spec by name, or `Default` for an acceptor's (which follows its
    /// initiator's).
    SpecName => crate::schema::one_of(
        crate::RouterInterfaceSpec::ALL.iter().map(|s| s.as_str()).chain([crate::RouterInterfaceSpec::ACCEPTOR_DEFAULT]),
        "An initiator's bandwidth; an acceptor leaves it out or says Default",
    );
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountCreateRequest {
    /// `tenant` or `partner`.
    #[schema(value_type = NewAccountKind)]
    pub kind: String,
    #[schema(value_type = crate::Name)]
    pub name: String,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcCreateRequest {
    /// A region id, alias or display name from the catalogue.
    #[schema(value_type = crate::schema::RegionName)]
    pub region: String,
    /// IPv4, /8 to /28.
    #[schema(value_type = crate::schema::VpcBlock)]
    pub cidr_block: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    /// Makes a retried create return the first one's result instead of a second resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// Changes a resource's name or description; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
}

/// Changes a route entry's description (route entries have no name).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteEntryModifyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VSwitchCreateRequest {
    #[schema(value_type = crate::VpcId)]
    pub vpc_id: String,
    /// A zone of the VPC's region.
    #[schema(value_type = crate::schema::ZoneName)]
    pub zone: String,
    /// Inside the VPC's block, /16 to /29, overlapping no other vswitch of the VPC.
    #[schema(value_type = crate::schema::VSwitchBlock)]
    pub cidr_block: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceCreateRequest {
    #[schema(value_type = crate::VSwitchId)]
    pub vswitch_id: String,
    /// One to five security groups of the same VPC.
    #[schema(value_type = BTreeSet<crate::SecurityGroupId>, min_items = 1, max_items = 5)]
    pub security_group_ids: Vec<String>,
    /// An address of the vswitch; the lowest free one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::Ipv4Address>)]
    pub private_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceModifyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    /// Replaces the instance's groups: one to five of the same VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeSet<crate::SecurityGroupId>>, min_items = 1, max_items = 5)]
    pub security_group_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupCreateRequest {
    #[schema(value_type = crate::VpcId)]
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// A new rule. Give exactly one peer: `cidr_block`, or `peer_security_group_id` (with
/// `peer_account_id` when the group belongs to another account).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRuleCreateRequest {
    /// `ingress` or `egress`.
    #[schema(value_type = crate::Direction)]
    pub direction: String,
    /// `tcp`, `udp`, `icmp` or `all`.
    #[schema(value_type = crate::Protocol)]
    pub protocol: String,
    /// `from/to`, for tcp and udp only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::PortRangeText>)]
    pub port_range: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::Ipv4Block>)]
    pub cidr_block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::SecurityGroupId>)]
    pub peer_security_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::AccountId>)]
    pub peer_account_id: Option<String>,
    /// 1 to 100; 1 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub priority: Option<i64>,
    /// `accept` (default) or `drop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Policy>)]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteEntryCreateRequest {
    #[schema(value_type = crate::RouteTableId)]
    pub route_table_id: String,
    /// Must not overlap a vswitch block of the VPC.
    #[schema(value_type = crate::schema::Ipv4Block)]
    pub destination_cidr_block: String,
    /// `router_interface` (with `next_hop_id`, an interface of the same VRouter) or `blackhole`.
    #[schema(value_type = NextHopType)]
    pub next_hop_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::RouterInterfaceId>)]
    pub next_hop_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// "Can this instance reach that address?" The destination may be any address; the answer
/// follows the packet as far as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectivityTestRequest {
    /// The source: an instance, or (`from_host_id`) a host in a data centre; exactly one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::InstanceId>)]
    pub from_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::DataCentreHostId>)]
    pub from_host_id: Option<String>,
    #[schema(value_type = crate::schema::IpAddress)]
    pub destination_ip: String,
    /// `icmp` (default), `tcp`, `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TestProtocol>)]
    pub protocol: Option<String>,
    /// Destination port, for tcp and udp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<i64>,
}

/// A connectivity question to save as a network path, and ask again by its analyses.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkPathCreateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    pub question: ConnectivityTestRequest,
}

/// Every pair of these instances (or, when none are named, of all the caller's instances).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectivityMatrixRequest {
    /// Up to 1,000 instances; all of the caller's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeSet<crate::InstanceId>>, min_items = 1, max_items = 1000)]
    pub instance_ids: Option<Vec<String>>,
    /// `icmp` (default), `tcp`, `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TestProtocol>)]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<i64>,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, for scripts to match on.
    pub code: String,
    /// What went wrong and what to change.
    pub message: String,
    pub request_id: String,
}

/// One region of the catalogue with its area, as listed.
pub use crate::catalog::RegionEntry as Region;

/// The catalogue as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RegionList {
    pub areas: Vec<crate::catalog::Area>,
    pub regions: Vec<Region>,
}

/// A new router interface in a VPC's VRouter.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouterInterfaceCreateRequest {
    #[schema(value_type = crate::VpcId)]
    pub vpc_id: String,
    /// The local region, as the consoles ask for it; it must be the VPC's (which it is taken
    /// from when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::RegionName>)]
    pub region: Option<String>,
    /// `initiator` or `acceptor`.
    #[schema(value_type = crate::RouterInterfaceRole)]
    pub role: String,
    /// The region of the VPC on the other side.
    #[schema(value_type = crate::schema::RegionName)]
    pub peer_region: String,
    /// The initiator's bandwidth: Mini.2, Mini.5, Small.1, Small.2, Small.5, Middle.1, Middle.2,
    /// Middle.5, Large.1, Large.2 or Xlarge.1. The acceptor leaves it out (or says `Default`):
    /// its spec follows the initiator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SpecName>)]
    pub spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// Names the other side of a router interface. Allowed while the interface is Idle.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouterInterfacePeerRequest {
    #[schema(value_type = crate::AccountId)]
    pub peer_account_id: String,
    #[schema(value_type = crate::VRouterId)]
    pub peer_vrouter_id: String,
    #[schema(value_type = crate::RouterInterfaceId)]
    pub peer_router_interface_id: String,
    /// Changes the peer region given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::RegionName>)]
    pub peer_region: Option<String>,
}

/// A new hub.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HubCreateRequest {
    /// 1 to 64 letters, digits, `_`, `-`, `.`.
    #[schema(value_type = crate::Name)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    /// A label for grouping resources; `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub enterprise_project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// Lets another account's hub attach one of the caller's networks.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCreateRequest {
    /// The network: a VPC id.
    #[schema(value_type = crate::schema::NetworkId)]
    pub network_id: String,
    /// `vpc` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::NetworkKind>)]
    pub network_type: Option<String>,
    /// The network's region, as the consoles ask for it; checked against the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::RegionName>)]
    pub region: Option<String>,
    /// The hub's owner.
    #[schema(value_type = crate::AccountId)]
    pub grantee_account_id: String,
    #[schema(value_type = crate::HubId)]
    pub hub_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub remarks: Option<String>,
}

/// Attaches a network to one of the caller's hubs: its own, or another account's that granted
/// the hub.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentCreateRequest {
    #[schema(value_type = crate::HubId)]
    pub hub_id: String,
    /// The network: a VPC id.
    #[schema(value_type = crate::schema::NetworkId)]
    pub network_id: String,
    /// `vpc` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::NetworkKind>)]
    pub network_type: Option<String>,
    /// The network's owner when it is another account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::AccountId>)]
    pub network_account_id: Option<String>,
    /// The network's region, as the consoles ask for it; checked against the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::RegionName>)]
    pub region: Option<String>,
    /// The blocks to advertise, inside the VPC's block; its vswitch blocks when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::schema::OwnBlock>>, min_items = 1, max_items = 20)]
    pub cidr_blocks: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// Buys a bandwidth package: pending payment until `pay`, then Normal for its term.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthPackageCreateRequest {
    /// 1 to 64 letters, digits, `_`, `-`, `.`.
    #[schema(value_type = crate::Name)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    /// `monthly` or `yearly`, prepaid.
    #[schema(value_type = crate::BillingMode)]
    pub billing_mode: String,
    /// Months (1 to 11) or years (1 to 3) per term.
    #[schema(minimum = 1, maximum = 11)]
    pub period: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
    /// 1 to 10,000.
    #[schema(minimum = 1, maximum = 10000)]
    pub bandwidth_mbps: i64,
    /// One area (bandwidth between regions of that area) or two (between the two), by id or
    /// name: `["chinese-mainland"]`, `["chinese-mainland", "north-america"]`.
    #[schema(value_type = Vec<crate::schema::AreaName>, min_items = 1, max_items = 2)]
    pub areas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub enterprise_project: Option<String>,
    /// Bind to this hub (one of yours) when paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::HubId>)]
    pub hub_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::ClientToken>)]
    pub client_token: Option<String>,
}

/// Changes a package's name, description or auto-renewal; absent fields stay.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthPackageModifyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
}

/// Binds a Normal package to one of the caller's hubs.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthPackageBindRequest {
    #[schema(value_type = crate::HubId)]
    pub hub_id: String,
}

/// Bandwidth between two regions on a hub, from a package bound to it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterRegionBandwidthCreateRequest {
    #[schema(value_type = crate::HubId)]
    pub hub_id: String,
    #[schema(value_type = crate::BandwidthPackageId)]
    pub bandwidth_package_id: String,
    /// Two different regions, lying in the package's areas.
    #[schema(value_type = BTreeSet<crate::schema::RegionName>, min_items = 2, max_items = 2)]
    pub regions: Vec<String>,
    #[schema(minimum = 1, maximum = 10000)]
    pub bandwidth_mbps: i64,
}

/// Changes an inter-region bandwidth, up or down.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterRegionBandwidthModifyRequest {
    #[schema(minimum = 1, maximum = 10000)]
    pub bandwidth_mbps: i64,
}

/// One signed document of a permit application, uploaded as base64.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitDocumentUpload {
    /// The file's name, e.g. `service-agreement.pdf`.
    #[schema(value_type = crate::schema::Text128)]
    pub name: String,
    /// The file's bytes, base64 (standard alphabet, padded).
    #[schema(value_type = crate::schema::Base64)]
    pub content_base64: String,
}

/// Applies for a cross-border permit.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitCreateRequest {
    #[schema(value_type = crate::schema::Text128)]
    pub enterprise: String,
    #[schema(value_type = crate::schema::Text64)]
    pub representative: String,
    /// The signed documents: 1 to 10, together under the request size limit.
    #[schema(min_items = 1, max_items = 10)]
    pub documents: Vec<PermitDocumentUpload>,
}

/// Operator only: rejects a permit application, saying why.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitRejectRequest {
    #[schema(value_type = crate::schema::Reason)]
    pub reason: String,
}

/// Operator only: moves the service's clock ahead (for tests of terms and expiry).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvanceRequest {
    /// Seconds to move ahead, 1 to 10 years' worth.
    #[schema(minimum = 1, maximum = 316224000)]
    pub seconds: i64,
}

/// The service's clock: the real time plus the operator's offset.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Clock {
    pub now: crate::Timestamp,
    pub offset_ms: i64,
}

/// Partner only: a physical connection at an access point.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhysicalConnectionCreateRequest {
    #[schema(value_type = crate::Name)]
    pub name: String,
    /// The access point's name, 1 to 64 characters (`Equinix DC11`).
    #[schema(value_type = crate::schema::Text64)]
    pub access_point: String,
    /// The region the access point connects into.
    #[schema(value_type = crate::schema::RegionName)]
    pub region: String,
    /// 1000Base-T, 1000Base-LX, 10GBase-T, 10GBase-LR, 40GBase-LR or 100GBase-LR.
    #[schema(value_type = crate::PortType)]
    pub port_type: String,
    /// Up to the port's line rate.
    #[schema(minimum = 1, maximum = 100000)]
    pub bandwidth_mbps: i64,
}

/// Partner only: a shared port on one of its connections, pushed to a tenant.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedPortCreateRequest {
    #[schema(value_type = crate::PhysicalConnectionId)]
    pub physical_connection_id: String,
    /// The tenant account it is for.
    #[schema(value_type = crate::AccountId)]
    pub tenant_account_id: String,
    /// 0 to 2999, unique on the connection.
    #[schema(minimum = 0, maximum = 2999)]
    pub vlan_id: i64,
    /// The ports of a connection together never exceed it.
    #[schema(minimum = 1, maximum = 100000)]
    pub bandwidth_mbps: i64,
}

/// A VBR on an accepted shared port of the caller's.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VbrCreateRequest {
    #[schema(value_type = crate::SharedPortId)]
    pub shared_port_id: String,
    /// The VBR inherits the port's VLAN id; if given, it must be that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 2999)]
    pub vlan_id: Option<i64>,
    /// The cloud side's address, in the peering subnet.
    #[schema(value_type = crate::schema::Ipv4Address)]
    pub local_gateway_ip: String,
    /// The data centre side's address, in the peering subnet.
    #[schema(value_type = crate::schema::Ipv4Address)]
    pub peer_gateway_ip: String,
    /// IPv4, /24 to /30.
    #[schema(value_type = crate::schema::PeeringSubnet)]
    pub peering_subnet: String,
    /// The data centre's blocks, routed to it through the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::schema::OwnBlock>>, max_items = 200)]
    pub routes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
}

/// Changes a VBR's name, description or data centre routes. Its VLAN id never changes: a
/// request naming another is refused.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VbrModifyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Description>)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 2999)]
    pub vlan_id: Option<i64>,
    /// Replaces the data centre routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::schema::OwnBlock>>, max_items = 200)]
    pub routes: Option<Vec<String>>,
}

/// A host in the data centre behind one of the caller's VBRs.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataCentreHostCreateRequest {
    #[schema(value_type = crate::VbrId)]
    pub vbr_id: String,
    /// An address in one of the VBR's data centre routes, unique behind it.
    #[schema(value_type = crate::schema::Ipv4Address)]
    pub ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::Name>)]
    pub name: Option<String>,
}

/// Operator only (the data plane reports as the operator): outbound bytes of one resource in
/// one counter window.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageReportRequest {
    /// The account the traffic is billed to.
    #[schema(value_type = crate::AccountId)]
    pub account_id: String,
    /// The counter's name, stable across reports (`xc-veth-ri-…`).
    #[schema(value_type = crate::schema::CounterName)]
    pub counter_id: String,
    #[schema(value_type = crate::schema::CounterName)]
    pub resource_id: String,
    /// The window's start, RFC 3339.
    #[schema(value_type = crate::Timestamp)]
    pub window_start: String,
    /// 1 to 86,400.
    #[schema(minimum = 1, maximum = 86400)]
    pub window_seconds: i64,
    /// At most 100 Gbit/s over the window: 12,500,000,000 bytes a second.
    #[schema(minimum = 0, maximum = 1_080_000_000_000_000_i64)]
    pub bytes_out: i64,
}

/// Which statement: a calendar month, and (operator only) whose.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// `YYYY-MM`, UTC.
    #[param(value_type = crate::schema::Month, inline)]
    pub month: String,
    /// Operator only: another account's statement.
    #[param(value_type = Option<crate::AccountId>)]
    pub account_id: Option<String>,
}
