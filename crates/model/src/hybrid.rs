//! Data centres through partners (seed 004): a partner's physical connections at access points,
//! the shared ports it pushes to tenants on them, and the VBR a tenant builds on an accepted
//! port, which inherits the port's VLAN id for good.

use std::fmt;

use crate::catalog::RegionId;
use crate::cidr::Cidr;
use crate::error::Error;
use crate::id::*;
use crate::name::{Description, Name};
use crate::time::Timestamp;

/// The highest VLAN id a shared port may carry.
pub const MAX_VLAN_ID: u16 = 2999;

/// The optics of a physical connection's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum PortType {
    #[serde(rename = "1000Base-T")]
    GigT,
    #[serde(rename = "1000Base-LX")]
    GigLx,
    #[serde(rename = "10GBase-T")]
    TenGigT,
    #[serde(rename = "10GBase-LR")]
    TenGigLr,
    #[serde(rename = "40GBase-LR")]
    FortyGigLr,
    #[serde(rename = "100GBase-LR")]
    HundredGigLr,
}

impl PortType {
    pub const ALL: [PortType; 6] = [
        PortType::GigT,
        PortType::GigLx,
        PortType::TenGigT,
        PortType::TenGigLr,
        PortType::FortyGigLr,
        PortType::HundredGigLr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortType::GigT => "1000Base-T",
            PortType::GigLx => "1000Base-LX",
            PortType::TenGigT => "10GBase-T",
            PortType::TenGigLr => "10GBase-LR",
            PortType::FortyGigLr => "40GBase-LR",
            PortType::HundredGigLr => "100GBase-LR",
        }
    }

    /// The most the port carries, in Mbit/s.
    pub fn line_rate_mbps(self) -> u32 {
        match self {
            PortType::GigT | PortType::GigLx => 1_000,
            PortType::TenGigT | PortType::TenGigLr => 10_000,
            PortType::FortyGigLr => 40_000,
            PortType::HundredGigLr => 100_000,
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<PortType, Error> {
        PortType::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let all: Vec<&str> = PortType::ALL.iter().map(|p| p.as_str()).collect();
            Error::invalid(field, format_args!("'{s}' is not a port type; use one of {}", all.join(", ")))
        })
    }
}

impl fmt::Display for PortType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A partner's physical connection from its access point into a region.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PhysicalConnection {
    pub id: PhysicalConnectionId,
    /// The partner that owns it.
    pub account_id: AccountId,
    pub name: Name,
    /// The access point, by name (`Equinix DC11`).
    pub access_point: String,
    pub region: RegionId,
    pub port_type: PortType,
    pub bandwidth_mbps: u32,
    /// `Enabled`: xconnect's physical connections are in service from their creation.
    pub status: String,
    pub created_at: Timestamp,
}

/// Where a shared port is: pushed to the tenant and waiting, or answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum SharedPortStatus {
    Pending,
    Accepted,
    Declined,
}

impl SharedPortStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SharedPortStatus::Pending => "Pending",
            SharedPortStatus::Accepted => "Accepted",
            SharedPortStatus::Declined => "Declined",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<SharedPortStatus, Error> {
        match s {
            "Pending" => Ok(SharedPortStatus::Pending),
            "Accepted" => Ok(SharedPortStatus::Accepted),
            "Declined" => Ok(SharedPortStatus::Declined),
            _ => Err(Error::invalid(field, format_args!("'{s}' is not a shared port status"))),
        }
    }
}

impl fmt::Display for SharedPortStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A slice of a partner's physical connection, pushed to one tenant: a VLAN id and a bandwidth.
/// A declined port no longer holds its VLAN id or its bandwidth.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SharedPort {
    pub id: SharedPortId,
    /// The partner that made it.
    pub partner_account_id: AccountId,
    /// The tenant it is for.
    pub account_id: AccountId,
    pub physical_connection_id: PhysicalConnectionId,
    pub region: RegionId,
    pub access_point: String,
    /// 0 to 2999, unique on its physical connection.
    pub vlan_id: u16,
    pub bandwidth_mbps: u32,
    pub status: SharedPortStatus,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// A virtual border router: the tenant's router on an accepted shared port, joining its data
/// centre's network (over the port's VLAN) with the cloud.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Vbr {
    pub id: VbrId,
    pub account_id: AccountId,
    pub shared_port_id: SharedPortId,
    pub region: RegionId,
    /// The shared port's VLAN id, inherited; it never changes.
    pub vlan_id: u16,
    /// The shared port's bandwidth: what the data centre's traffic gets through the port.
    pub bandwidth_mbps: u32,
    /// The cloud side's address on the peering subnet.
    #[schema(value_type = String, format = "ip")]
    pub local_gateway_ip: std::net::IpAddr,
    /// The data centre's router's address on the peering subnet.
    #[schema(value_type = String, format = "ip")]
    pub peer_gateway_ip: std::net::IpAddr,
    pub peering_subnet: Cidr,
    /// The data centre's blocks, routed to it through the port.
    pub routes: Vec<Cidr>,
    pub name: Option<Name>,
    pub description: Description,
    pub created_at: Timestamp,
}

/// A host in the data centre behind a VBR: an address in one of the VBR's data centre routes,
/// for connectivity tests from and to the data centre. Its own firewalls are not modelled: it
/// sends and receives anything.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DataCentreHost {
    pub id: DataCentreHostId,
    pub account_id: AccountId,
    pub vbr_id: VbrId,
    #[schema(value_type = String, format = "ip")]
    pub ip: std::net::IpAddr,
    pub name: Option<Name>,
    pub created_at: Timestamp,
}
