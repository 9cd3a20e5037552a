//! The resources of the model as the API shows them: plain data, serialized with snake_case
//! fields and each with its `id`.

use std::fmt;
use std::net::IpAddr;

use crate::catalog::RegionId;
use crate::cidr::Cidr;
use crate::error::Error;
use crate::id::*;
use crate::name::{Description, Name};
use crate::time::Timestamp;

/// What an account may do: the operator runs the service, tenants own networks, partners own
/// physical connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Operator,
    Tenant,
    Partner,
}

impl AccountKind {
    /// The kinds the operator makes: there is one operator account, made by `serve`.
    pub const NEW: [AccountKind; 2] = [AccountKind::Tenant, AccountKind::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Operator => "operator",
            AccountKind::Tenant => "tenant",
            AccountKind::Partner => "partner",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<AccountKind, Error> {
        match s {
            "operator" => Ok(AccountKind::Operator),
            "tenant" => Ok(AccountKind::Tenant),
            "partner" => Ok(AccountKind::Partner),
            _ => Err(Error::invalid(field, format_args!("'{s}' is not an account kind: use tenant or partner"))),
        }
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Account {
    pub id: AccountId,
    /// The account's number, as Alibaba Cloud's API names accounts (`OwnerId`,
    /// `OppositeInterfaceOwnerId`, ...): derived from the id ([`AccountId::number`]), so it is
    /// the same on every front and every server.
    #[schema(minimum = 1_000_000_000_000_000_u64, maximum = 9_999_999_999_999_999_u64)]
    pub number: u64,
    pub kind: AccountKind,
    pub name: Name,
    pub created_at: Timestamp,
}

impl Account {
    /// An account with the number its id gives it.
    pub fn new(id: AccountId, kind: AccountKind, name: Name, created_at: Timestamp) -> Account {
        Account { number: id.number(), id, kind, name, created_at }
    }
}

/// An access key as listed: never with its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AccessKey {
    pub id: AccessKeyId,
    pub account_id: AccountId,
    pub created_at: Timestamp,
}

/// A new access key with its secret, returned once, when it is created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AccessKeySecret {
    pub access_key_id: AccessKeyId,
    pub access_key_secret: String,
    pub account_id: AccountId,
}

/// The answer to creating an account: the account and its first key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AccountCreated {
    pub account: Account,
    pub access_key: AccessKeySecret,
}

/// A VPC: a private network in one region. Its VRouter and system route table come with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Vpc {
    pub id: VpcId,
    pub account_id: AccountId,
    pub region: RegionId,
    pub cidr_block: Cidr,
    pub name: Option<Name>,
    pub description: Description,
    pub vrouter_id: VRouterId,
    pub route_table_id: RouteTableId,
    pub created_at: Timestamp,
}

/// A vswitch: a block of a VPC in one zone, where instances live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct VSwitch {
    pub id: VSwitchId,
    pub account_id: AccountId,
    pub vpc_id: VpcId,
    pub region: RegionId,
    pub zone: String,
    pub cidr_block: Cidr,
    pub name: Option<Name>,
    pub description: Description,
    pub created_at: Timestamp,
}

/// An instance: an address in a vswitch, guarded by one to five security groups.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Instance {
    pub id: InstanceId,
    pub account_id: AccountId,
    pub vpc_id: VpcId,
    pub vswitch_id: VSwitchId,
    pub region: RegionId,
    pub zone: String,
    #[schema(value_type = String, format = "ip")]
    pub private_ip: IpAddr,
    pub security_group_ids: Vec<SecurityGroupId>,
    pub name: Option<Name>,
    pub description: Description,
    pub created_at: Timestamp,
}

/// A security group of one VPC. By default it denies all inbound and allows all outbound
/// traffic; replies to allowed traffic always pass.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SecurityGroup {
    pub id: SecurityGroupId,
    pub account_id: AccountId,
    pub vpc_id: VpcId,
    pub region: RegionId,
    pub name: Option<Name>,
    pub description: Description,
    pub created_at: Timestamp,
}

// The fixed words of a rule and a test. Each enum keeps the list of its values and their
// spellings here, once: the server parses requests with it, the OpenAPI document states it, and
// the CLI checks and completes its arguments from it, so none of them can take a word another
// refuses.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Ingress, Direction::Egress];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Direction, Error> {
        word(field, s, &Direction::ALL, Direction::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
}

impl Protocol {
    /// What a rule may match.
    pub const ALL: [Protocol; 4] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::All];
    /// What a connectivity test may send: one packet is of one protocol, so not `all`.
    pub const TESTED: [Protocol; 3] = [Protocol::Icmp, Protocol::Tcp, Protocol::Udp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "all",
        }
    }

    /// A rule's protocol, one of [`Protocol::ALL`].
    pub fn parse(field: &str, s: &str) -> Result<Protocol, Error> {
        word(field, s, &Protocol::ALL, Protocol::as_str)
    }

    /// A test packet's protocol, one of [`Protocol::TESTED`].
    pub fn parse_tested(field: &str, s: &str) -> Result<Protocol, Error> {
        word(field, s, &Protocol::TESTED, Protocol::as_str)
    }

    /// Whether rules of this protocol carry a port range.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Accept,
    Drop,
}

impl Policy {
    pub const ALL: [Policy; 2] = [Policy::Accept, Policy::Drop];

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Accept => "accept",
            Policy::Drop => "drop",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Policy, Error> {
        word(field, s, &Policy::ALL, Policy::as_str)
    }
}

/// The one of `among` spelt `s`, or an error that lists them: "'sideways': use ingress or
/// egress".
fn word<T: Copy>(field: &str, s: &str, among: &[T], name: fn(T) -> &'static str) -> Result<T, Error> {
    among.iter().copied().find(|&w| name(w) == s).ok_or_else(|| {
        let names: Vec<&str> = among.iter().map(|&w| name(w)).collect();
        Error::invalid(field, format_args!("'{s}': use {}", crate::error::or_list(&names)))
    })
}

/// An inclusive port range, written `from/to` (`22/22`, `8000/8080`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub fn parse(field: &str, s: &str) -> Result<PortRange, Error> {
        let bad = || {
            Error::invalid(
                field,
                format_args!("'{s}' is not a port range: write from/to with 1 <= from <= to <= 65535, e.g. 22/22"),
            )
        };
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let from: u16 = a.parse().map_err(|_| bad())?;
        let to: u16 = b.parse().map_err(|_| bad())?;
        if from == 0 {
            return Err(bad());
        }
        if from > to {
            // Of the right form (which the document states) but backwards, which no pattern says.
            return Err(Error::rejected(
                "PortRange.Reversed",
                format_args!("{field}: '{s}' runs backwards: write the lower port first, e.g. {to}/{from}"),
            ));
        }
        Ok(PortRange { from, to })
    }

    pub fn contains(self, port: u16) -> bool {
        (self.from..=self.to).contains(&port)
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.from, self.to)
    }
}

impl fmt::Debug for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for PortRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PortRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PortRange::parse("port_range", &s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for PortRange {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_with_pattern("^[0-9]{1,5}/[0-9]{1,5}$")
    }
}
impl utoipa::ToSchema for PortRange {}

/// The other end a rule matches: a CIDR block, or the members of a security group (of this
/// account or, named with its owner's account id, of another one in the same region).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RulePeer {
    Cidr { cidr_block: Cidr },
    SecurityGroup { security_group_id: SecurityGroupId, account_id: AccountId },
}

/// One rule of a security group. Lower priority numbers win; at equal priority a drop wins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SecurityGroupRule {
    pub id: SecurityGroupRuleId,
    pub security_group_id: SecurityGroupId,
    pub direction: Direction,
    pub protocol: Protocol,
    /// Present for tcp and udp only.
    pub port_range: Option<PortRange>,
    /// The source of an ingress rule, the destination of an egress rule.
    pub peer: RulePeer,
    /// 1 (first) to 100 (last).
    pub priority: u8,
    pub policy: Policy,
    pub description: Description,
    pub created_at: Timestamp,
}

/// Where a route sends matching packets. Later capabilities add kinds (VBR), so every match on
/// it must handle the ones it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NextHop {
    /// Delivered inside the VPC, to the vswitch that holds the destination.
    Local { vswitch_id: VSwitchId },
    /// Dropped on purpose.
    Blackhole,
    /// Sent over a router interface of the same VRouter to its peer's VPC.
    RouterInterface { router_interface_id: RouterInterfaceId },
    /// Learned from a hub: sent through the hub to the attached network that advertises it.
    Hub { hub_id: HubId, attachment_id: AttachmentId },
    /// A VBR's route to its data centre, through its shared port.
    DataCentre { vbr_id: VbrId },
}

impl NextHop {
    pub fn type_name(&self) -> &'static str {
        match self {
            NextHop::Local { .. } => "local",
            NextHop::Blackhole => "blackhole",
            NextHop::RouterInterface { .. } => "router_interface",
            NextHop::Hub { .. } => "hub",
            NextHop::DataCentre { .. } => "data_centre",
        }
    }

    /// The id of the thing the route points at, if any.
    pub fn target_id(&self) -> Option<&str> {
        match self {
            NextHop::Local { vswitch_id } => Some(vswitch_id.as_str()),
            NextHop::Blackhole => None,
            NextHop::RouterInterface { router_interface_id } => Some(router_interface_id.as_str()),
            NextHop::Hub { hub_id, .. } => Some(hub_id.as_str()),
            NextHop::DataCentre { vbr_id } => Some(vbr_id.as_str()),
        }
    }

    /// Rebuilds a next hop from its stored type and target id.
    pub fn from_parts(kind: &str, id: Option<String>) -> Option<NextHop> {
        match (kind, id) {
            ("blackhole", None) => Some(NextHop::Blackhole),
            ("local", Some(id)) => Some(NextHop::Local { vswitch_id: VSwitchId::from_trusted(id) }),
            ("router_interface", Some(id)) => {
                Some(NextHop::RouterInterface { router_interface_id: RouterInterfaceId::from_trusted(id) })
            }
            _ => None,
        }
    }
}

/// The next hops a custom route entry may name; the others are the system's and the hub's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomNextHopType {
    RouterInterface,
    Blackhole,
}

impl CustomNextHopType {
    pub const ALL: [CustomNextHopType; 2] = [CustomNextHopType::RouterInterface, CustomNextHopType::Blackhole];

    /// As [`NextHop::type_name`] spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomNextHopType::RouterInterface => "router_interface",
            CustomNextHopType::Blackhole => "blackhole",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<CustomNextHopType, Error> {
        CustomNextHopType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            Error::invalid(
                field,
                format_args!(
                    "'{s}' is not a next hop type: use {}",
                    crate::error::or_list(&CustomNextHopType::ALL.map(CustomNextHopType::as_str))
                ),
            )
        })
    }
}

/// A custom route entry of a route table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouteEntry {
    pub id: RouteEntryId,
    pub account_id: AccountId,
    pub route_table_id: RouteTableId,
    pub vpc_id: VpcId,
    pub destination_cidr_block: Cidr,
    pub next_hop: NextHop,
    pub description: Description,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// Made by the system for each vswitch block; it cannot be changed.
    System,
    /// Made by the account.
    Custom,
    /// Learned from the hub the VPC is attached to: another attached network's block.
    Learned,
}

/// One line of a route table as shown: system routes derived from the vswitches, and the
/// custom entries with their ids.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouteTableEntry {
    pub destination_cidr_block: Cidr,
    pub next_hop: NextHop,
    pub kind: RouteKind,
    /// The custom entry's id; none for system routes.
    pub route_entry_id: Option<RouteEntryId>,
}

/// A VPC's route table with every route in it, most specific first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouteTable {
    pub id: RouteTableId,
    pub account_id: AccountId,
    pub vpc_id: VpcId,
    pub vrouter_id: VRouterId,
    pub region: RegionId,
    pub entries: Vec<RouteTableEntry>,
    /// Blocks learned from a hub that were not installed, and why.
    pub conflicts: Vec<RouteConflict>,
}

/// A block learned from a hub that is not installed: it overlaps one of the VPC's own blocks,
/// equals a custom route's destination, or overlaps a block another attachment advertised
/// earlier (which the hub keeps).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouteConflict {
    pub destination_cidr_block: Cidr,
    pub hub_id: HubId,
    /// The attachment that advertises the block.
    pub attachment_id: AttachmentId,
    /// What it conflicts with, in words, naming it (`vswitch vsw-… 192.168.1.0/24`).
    pub conflicts_with: String,
}

/// One entry of the audit trail: who did what, when, under which request, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    pub account_id: AccountId,
    pub access_key_id: Option<AccessKeyId>,
    /// The operation, named resource then verb: `vpc_create`, `security_group_rule_delete`.
    pub action: String,
    pub resource_id: Option<String>,
    pub request_id: RequestId,
    /// `ok`, or the error code the request was refused with.
    pub result: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(PortRange::parse("p", "22/22").unwrap(), PortRange { from: 22, to: 22 });
        assert!(PortRange::parse("p", "1/65535").unwrap().contains(443));
        for bad in ["0/1", "22", "30/20", "1/70000", "-1/-1", "a/b"] {
            assert!(PortRange::parse("p", bad).is_err(), "{bad}");
        }
    }

    /// Each word is the one the API shows (serde's), parses back to its value, and is the only
    /// spelling taken; so the lists the CLI completes from are the server's.
    #[test]
    fn fixed_words_are_spelt_as_serialized() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + serde::Serialize>(
            all: &[T],
            name: fn(T) -> &'static str,
            parse: fn(&str, &str) -> Result<T, Error>,
        ) {
            for &w in all {
                assert_eq!(serde_json::to_value(w).unwrap(), name(w));
                assert_eq!(parse("f", name(w)).unwrap(), w);
                assert!(parse("f", &name(w).to_uppercase()).is_err());
            }
            let e = parse("f", "sideways").unwrap_err().to_string();
            assert!(all.iter().all(|&w| e.contains(name(w))), "{e}");
        }
        check(&Direction::ALL, Direction::as_str, Direction::parse);
        check(&Protocol::ALL, Protocol::as_str, Protocol::parse);
        check(&Protocol::TESTED, Protocol::as_str, Protocol::parse_tested);
        check(&Policy::ALL, Policy::as_str, Policy::parse);
        check(&AccountKind::NEW, AccountKind::as_str, AccountKind::parse);
        check(&crate::BillingMode::ALL, crate::BillingMode::as_str, crate::BillingMode::parse);
        assert_eq!(
            Protocol::parse("protocol", "sctp").unwrap_err().to_string(),
            "protocol: 'sctp': use tcp, udp, icmp or all"
        );
        assert!(Protocol::parse_tested("protocol", "all").is_err(), "a test packet is of one protocol");
        let hop = |t: CustomNextHopType| match t {
            CustomNextHopType::RouterInterface => {
                NextHop::RouterInterface { router_interface_id: RouterInterfaceId::from_trusted("ri-x".into()) }
            }
            CustomNextHopType::Blackhole => NextHop::Blackhole,
        };
        for t in CustomNextHopType::ALL {
            assert_eq!(hop(t).type_name(), t.as_str());
            assert_eq!(CustomNextHopType::parse("next_hop_type", t.as_str()).unwrap(), t);
        }
        assert!(CustomNextHopType::parse("next_hop_type", "local").is_err(), "the system's own");
    }

    #[test]
    fn next_hops_are_tagged() {
        let s = serde_json::to_string(&NextHop::Blackhole).unwrap();
        assert_eq!(s, r#"{"type":"blackhole"}"#);
    }
}
