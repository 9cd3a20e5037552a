//! Peering: router interfaces, the two sides of a link between two VRouters (Alibaba Cloud's
//! Express Connect router interfaces, AWS's and Huawei's VPC peering), and the orders that
//! record what an account pays for.

use std::fmt;

use crate::catalog::RegionId;
use crate::error::Error;
use crate::id::*;
use crate::name::{Description, Name};
use crate::time::Timestamp;

/// Which side of a pair an interface is. Only the initiator can initiate the connection, and
/// only the initiator chooses (and pays for) the bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouterInterfaceRole {
    Initiator,
    Acceptor,
}

impl RouterInterfaceRole {
    pub const ALL: [RouterInterfaceRole; 2] = [RouterInterfaceRole::Initiator, RouterInterfaceRole::Acceptor];

    pub fn as_str(self) -> &'static str {
        match self {
            RouterInterfaceRole::Initiator => "initiator",
            RouterInterfaceRole::Acceptor => "acceptor",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<RouterInterfaceRole, Error> {
        RouterInterfaceRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let names = RouterInterfaceRole::ALL.map(RouterInterfaceRole::as_str);
            Error::invalid(field, format_args!("'{s}' is not a role: use {}", crate::error::or_list(&names)))
        })
    }
}

impl fmt::Display for RouterInterfaceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The bandwidth of a pair, by the names the clouds sell it under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub enum RouterInterfaceSpec {
    #[serde(rename = "Mini.2")]
    Mini2,
    #[serde(rename = "Mini.5")]
    Mini5,
    #[serde(rename = "Small.1")]
    Small1,
    #[serde(rename = "Small.2")]
    Small2,
    #[serde(rename = "Small.5")]
    Small5,
    #[serde(rename = "Middle.1")]
    Middle1,
    #[serde(rename = "Middle.2")]
    Middle2,
    #[serde(rename = "Middle.5")]
    Middle5,
    #[serde(rename = "Large.1")]
    Large1,
    #[serde(rename = "Large.2")]
    Large2,
    #[serde(rename = "Xlarge.1")]
    Xlarge1,
}

impl RouterInterfaceSpec {
    /// What an acceptor may say for its spec (or leave it out): it follows its initiator's.
    pub const ACCEPTOR_DEFAULT: &str = "Default";

    pub const ALL: [RouterInterfaceSpec; 11] = [
        RouterInterfaceSpec::Mini2,
        RouterInterfaceSpec::Mini5,
        RouterInterfaceSpec::Small1,
        RouterInterfaceSpec::Small2,
        RouterInterfaceSpec::Small5,
        RouterInterfaceSpec::Middle1,
        RouterInterfaceSpec::Middle2,
        RouterInterfaceSpec::Middle5,
        RouterInterfaceSpec::Large1,
        RouterInterfaceSpec::Large2,
        RouterInterfaceSpec::Xlarge1,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouterInterfaceSpec::Mini2 => "Mini.2",
            RouterInterfaceSpec::Mini5 => "Mini.5",
            RouterInterfaceSpec::Small1 => "Small.1",
            RouterInterfaceSpec::Small2 => "Small.2",
            RouterInterfaceSpec::Small5 => "Small.5",
            RouterInterfaceSpec::Middle1 => "Middle.1",
            RouterInterfaceSpec::Middle2 => "Middle.2",
            RouterInterfaceSpec::Middle5 => "Middle.5",
            RouterInterfaceSpec::Large1 => "Large.1",
            RouterInterfaceSpec::Large2 => "Large.2",
            RouterInterfaceSpec::Xlarge1 => "Xlarge.1",
        }
    }

    /// The bandwidth the spec buys, in Mbit/s.
    pub fn mbps(self) -> u32 {
        match self {
            RouterInterfaceSpec::Mini2 => 2,
            RouterInterfaceSpec::Mini5 => 5,
            RouterInterfaceSpec::Small1 => 10,
            RouterInterfaceSpec::Small2 => 20,
            RouterInterfaceSpec::Small5 => 50,
            RouterInterfaceSpec::Middle1 => 100,
            RouterInterfaceSpec::Middle2 => 200,
            RouterInterfaceSpec::Middle5 => 500,
            RouterInterfaceSpec::Large1 => 1000,
            RouterInterfaceSpec::Large2 => 2000,
            RouterInterfaceSpec::Xlarge1 => 10000,
        }
    }

    /// Parses a spec by its name (`Large.1`), case-insensitively, as the consoles spell it
    /// (`Large 1`) too.
    pub fn parse(field: &str, s: &str) -> Result<RouterInterfaceSpec, Error> {
        let wanted = s.trim().replace(' ', ".").to_ascii_lowercase();
        RouterInterfaceSpec::ALL.into_iter().find(|spec| spec.as_str().to_ascii_lowercase() == wanted).ok_or_else(
            || {
                let names: Vec<String> =
                    RouterInterfaceSpec::ALL.iter().map(|s| format!("{} ({} Mbit/s)", s.as_str(), s.mbps())).collect();
                Error::invalid(field, format_args!("'{s}' is not a spec; use one of {}", names.join(", ")))
            },
        )
    }
}

impl fmt::Display for RouterInterfaceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an interface is in its life. xconnect's operations are each one transaction, so an
/// interface is seen at rest only as Idle (never connected), Active or Inactive (deactivated);
/// Connecting and Deleting are the clouds' names for the moments in between, kept so that the
/// same words mean the same things to tools written for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum RouterInterfaceStatus {
    Idle,
    Connecting,
    Active,
    Inactive,
    Deleting,
}

impl RouterInterfaceStatus {
    pub const ALL: [RouterInterfaceStatus; 5] = [
        RouterInterfaceStatus::Idle,
        RouterInterfaceStatus::Connecting,
        RouterInterfaceStatus::Active,
        RouterInterfaceStatus::Inactive,
        RouterInterfaceStatus::Deleting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouterInterfaceStatus::Idle => "Idle",
            RouterInterfaceStatus::Connecting => "Connecting",
            RouterInterfaceStatus::Active => "Active",
            RouterInterfaceStatus::Inactive => "Inactive",
            RouterInterfaceStatus::Deleting => "Deleting",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<RouterInterfaceStatus, Error> {
        RouterInterfaceStatus::ALL.into_iter().find(|st| st.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let names = RouterInterfaceStatus::ALL.map(RouterInterfaceStatus::as_str);
            Error::invalid(field, format_args!("'{s}' is not a status: use {}", crate::error::or_list(&names)))
        })
    }

    /// Whether the interface has been connected to its peer (and not deleted since): the pair
    /// it belongs to counts against the one-pair-per-two-VRouters rule.
    pub fn connected(self) -> bool {
        matches!(self, RouterInterfaceStatus::Active | RouterInterfaceStatus::Inactive)
    }
}

impl fmt::Display for RouterInterfaceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The other side, as this side's owner named it. Nothing checks it when it is set (the other
/// side belongs to another account, which may not even exist); connecting checks both sides
/// against each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouterInterfacePeer {
    pub account_id: AccountId,
    pub vrouter_id: VRouterId,
    pub router_interface_id: RouterInterfaceId,
}

/// One side of a peering, in a VPC's VRouter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RouterInterface {
    pub id: RouterInterfaceId,
    pub account_id: AccountId,
    pub vpc_id: VpcId,
    pub vrouter_id: VRouterId,
    pub region: RegionId,
    pub role: RouterInterfaceRole,
    /// The initiator's chosen bandwidth. The acceptor has none of its own: its spec follows the
    /// initiator's when the two are connected.
    pub spec: Option<RouterInterfaceSpec>,
    pub status: RouterInterfaceStatus,
    /// The region of the other side.
    pub peer_region: RegionId,
    /// The other side, once set.
    pub peer: Option<RouterInterfacePeer>,
    pub name: Option<Name>,
    pub description: Description,
    pub created_at: Timestamp,
    /// When the pair was connected; none while Idle.
    pub connected_at: Option<Timestamp>,
}

impl RouterInterface {
    /// The pair's bandwidth in Mbit/s, once known.
    pub fn bandwidth_mbps(&self) -> Option<u32> {
        self.spec.map(RouterInterfaceSpec::mbps)
    }

    /// Whether this side names `other` as its peer, with `other`'s account and VRouter.
    pub fn names(&self, other: &RouterInterface) -> bool {
        self.peer.as_ref().is_some_and(|p| {
            p.router_interface_id == other.id && p.account_id == other.account_id && p.vrouter_id == other.vrouter_id
        })
    }
}

/// What an order is for. Later capabilities add products (bandwidth packages, shared ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrderProduct {
    /// The spec of an initiator router interface.
    RouterInterface,
    /// A bandwidth package: its bandwidth between its areas, prepaid per term.
    BandwidthPackage,
    /// A shared port's bandwidth, billed to its tenant while accepted.
    SharedPort,
}

impl OrderProduct {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderProduct::RouterInterface => "router_interface",
            OrderProduct::BandwidthPackage => "bandwidth_package",
            OrderProduct::SharedPort => "shared_port",
        }
    }

    pub fn parse(s: &str) -> Option<OrderProduct> {
        match s {
            "router_interface" => Some(OrderProduct::RouterInterface),
            "bandwidth_package" => Some(OrderProduct::BandwidthPackage),
            "shared_port" => Some(OrderProduct::SharedPort),
            _ => None,
        }
    }
}

impl fmt::Display for OrderProduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A charge-bearing order: an account bought `item` for `resource_id` from `started_at` until
/// `ended_at` (none while it runs). The price list turns orders into bill lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Order {
    pub id: OrderId,
    pub account_id: AccountId,
    pub product: OrderProduct,
    pub resource_id: String,
    /// The region the product is in; none for one that spans regions (a bandwidth package).
    pub region: Option<RegionId>,
    /// What was bought, by the product's own name for it (a spec such as `Large.1`).
    pub item: String,
    pub bandwidth_mbps: u32,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_by_name_and_bandwidth() {
        for spec in RouterInterfaceSpec::ALL {
            assert_eq!(RouterInterfaceSpec::parse("spec", spec.as_str()).unwrap(), spec);
            let json = serde_json::to_string(&spec).unwrap();
            assert_eq!(json, format!("\"{spec}\""));
        }
        assert_eq!(RouterInterfaceSpec::parse("spec", "Large 1").unwrap().mbps(), 1000);
        assert_eq!(RouterInterfaceSpec::parse("spec", "mini.2").unwrap().mbps(), 2);
        assert_eq!(RouterInterfaceSpec::Xlarge1.mbps(), 10000);
        let e = RouterInterfaceSpec::parse("spec", "Huge.9").unwrap_err().to_string();
        assert!(e.contains("Mini.2 (2 Mbit/s)") && e.contains("Xlarge.1 (10000 Mbit/s)"), "{e}");
    }

    #[test]
    fn statuses_parse_as_the_clouds_write_them() {
        for st in RouterInterfaceStatus::ALL {
            assert_eq!(serde_json::to_value(st).unwrap(), st.as_str());
            assert_eq!(RouterInterfaceStatus::parse("s", st.as_str()).unwrap(), st);
        }
        for role in RouterInterfaceRole::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
            assert_eq!(RouterInterfaceRole::parse("role", role.as_str()).unwrap(), role);
        }
        assert_eq!(
            RouterInterfaceRole::parse("role", "both").unwrap_err().to_string(),
            "role: 'both' is not a role: use initiator or acceptor"
        );
        let e = RouterInterfaceStatus::parse("status", "up").unwrap_err().to_string();
        assert!(e.ends_with("use Idle, Connecting, Active, Inactive or Deleting"), "{e}");
        assert_eq!(RouterInterfaceStatus::parse("s", "active").unwrap(), RouterInterfaceStatus::Active);
        assert!(RouterInterfaceStatus::parse("s", "up").is_err());
        assert!(RouterInterfaceStatus::Inactive.connected());
        assert!(!RouterInterfaceStatus::Idle.connected());
    }
}
