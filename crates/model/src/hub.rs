//! Transit hubs (seeds 000 and 002): a hub owned by one account, the grants by which other
//! accounts let it attach their networks, and the attachments, each advertising CIDR blocks
//! that the other attached networks learn.

use std::fmt;

use crate::catalog::RegionId;
use crate::cidr::Cidr;
use crate::error::Error;
use crate::id::*;
use crate::name::{Description, Name};
use crate::time::Timestamp;

/// The kinds of network a hub attaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetworkKind {
    Vpc,
    Vbr,
}

impl NetworkKind {
    /// The kind of a network by its id's prefix.
    pub fn of(network_id: &str) -> Option<NetworkKind> {
        if network_id.starts_with(VpcId::PREFIX) {
            Some(NetworkKind::Vpc)
        } else if network_id.starts_with(VbrId::PREFIX) {
            Some(NetworkKind::Vbr)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkKind::Vpc => "vpc",
            NetworkKind::Vbr => "vbr",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<NetworkKind, Error> {
        match s {
            "vpc" => Ok(NetworkKind::Vpc),
            "vbr" => Ok(NetworkKind::Vbr),
            _ => Err(Error::invalid(field, format_args!("'{s}' is not a network type: use vpc or vbr"))),
        }
    }
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transit hub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Hub {
    pub id: HubId,
    pub account_id: AccountId,
    pub name: Name,
    pub description: Description,
    /// A label grouping resources for management (the consoles' enterprise project).
    pub enterprise_project: Name,
    pub created_at: Timestamp,
}

/// A network owner's permission for a hub of another account to attach the network.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: GrantId,
    /// The network's owner, who gave the grant.
    pub account_id: AccountId,
    pub network_type: NetworkKind,
    pub network_id: String,
    pub region: RegionId,
    /// The hub's owner, to whom it was given.
    pub grantee_account_id: AccountId,
    pub hub_id: HubId,
    pub remarks: Description,
    pub created_at: Timestamp,
}

/// A network attached to a hub, and the blocks it advertises to the others.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    pub hub_id: HubId,
    /// The hub's owner, who attached it.
    pub hub_account_id: AccountId,
    pub network_type: NetworkKind,
    pub network_id: String,
    /// The network's owner.
    pub network_account_id: AccountId,
    pub region: RegionId,
    /// What the other attached networks learn: the blocks named when it was attached, or (when
    /// none were) the network's own blocks as they are now: a VPC's vswitch blocks, a VBR's
    /// data centre routes.
    pub cidr_blocks: Vec<Cidr>,
    /// Whether `cidr_blocks` follow the network's own blocks (none were named).
    pub advertises_default: bool,
    pub description: Description,
    pub created_at: Timestamp,
}

/// Bandwidth between two regions on a hub, taken from a bandwidth package bound to it. The two
/// regions are kept in sorted order, so a pair has one spelling.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct InterRegionBandwidth {
    pub id: InterRegionBandwidthId,
    pub account_id: AccountId,
    pub hub_id: HubId,
    pub bandwidth_package_id: BandwidthPackageId,
    pub region_a: RegionId,
    pub region_b: RegionId,
    pub bandwidth_mbps: u32,
    pub created_at: Timestamp,
}

/// How a bandwidth package is paid: prepaid for a number of months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    Monthly,
    Yearly,
}

impl BillingMode {
    pub const ALL: [BillingMode; 2] = [BillingMode::Monthly, BillingMode::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::Monthly => "monthly",
            BillingMode::Yearly => "yearly",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<BillingMode, Error> {
        BillingMode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            let names = BillingMode::ALL.map(BillingMode::as_str);
            Error::invalid(
                field,
                format_args!("'{s}' is not a billing mode: use {} (prepaid)", crate::error::or_list(&names)),
            )
        })
    }

    /// Months in one term of `period` units.
    pub fn months(self, period: u32) -> u32 {
        match self {
            BillingMode::Monthly => period,
            BillingMode::Yearly => period * 12,
        }
    }
}

/// Where a bandwidth package is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum BandwidthPackageStatus {
    /// Bought, not yet paid: it cannot be bound or used.
    PendingPayment,
    /// Paid and within its term.
    Normal,
    /// Its term ended and it was not renewed.
    Expired,
}

impl BandwidthPackageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BandwidthPackageStatus::PendingPayment => "PendingPayment",
            BandwidthPackageStatus::Normal => "Normal",
            BandwidthPackageStatus::Expired => "Expired",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<BandwidthPackageStatus, Error> {
        match s {
            "PendingPayment" => Ok(BandwidthPackageStatus::PendingPayment),
            "Normal" => Ok(BandwidthPackageStatus::Normal),
            "Expired" => Ok(BandwidthPackageStatus::Expired),
            _ => Err(Error::invalid(field, format_args!("'{s}' is not a package status"))),
        }
    }
}

impl fmt::Display for BandwidthPackageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bandwidth bought for traffic between regions: within one area (`area_a` = `area_b`) or
/// between two.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BandwidthPackage {
    pub id: BandwidthPackageId,
    pub account_id: AccountId,
    pub name: Name,
    pub description: Description,
    pub billing_mode: BillingMode,
    /// Months (monthly) or years (yearly) per term.
    pub period: u32,
    pub auto_renew: bool,
    pub bandwidth_mbps: u32,
    pub area_a: String,
    pub area_b: String,
    pub enterprise_project: Name,
    pub status: BandwidthPackageStatus,
    /// The hub it is bound to, if any. Only a paid package is bound.
    pub hub_id: Option<HubId>,
    /// The hub it was bought for, to be bound to when it is paid.
    pub hub_on_payment: Option<HubId>,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    /// The end of the current term, once paid.
    pub expires_at: Option<Timestamp>,
}

impl BandwidthPackage {
    /// Whether two regions in areas `a` and `b` lie in the package's areas.
    pub fn covers(&self, a: &str, b: &str) -> bool {
        (self.area_a == a && self.area_b == b) || (self.area_a == b && self.area_b == a)
    }

    /// The area pair in one spelling, for "one package per hub per area pair".
    pub fn area_pair(&self) -> (&str, &str) {
        if self.area_a <= self.area_b { (&self.area_a, &self.area_b) } else { (&self.area_b, &self.area_a) }
    }
}

/// Where a cross-border permit application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum PermitStatus {
    PendingApproval,
    Approved,
    Rejected,
}

impl PermitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PermitStatus::PendingApproval => "PendingApproval",
            PermitStatus::Approved => "Approved",
            PermitStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<PermitStatus, Error> {
        match s {
            "PendingApproval" => Ok(PermitStatus::PendingApproval),
            "Approved" => Ok(PermitStatus::Approved),
            "Rejected" => Ok(PermitStatus::Rejected),
            _ => Err(Error::invalid(field, format_args!("'{s}' is not a permit status"))),
        }
    }
}

impl fmt::Display for PermitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One signed document of a permit application, as uploaded: its name, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PermitDocument {
    pub name: String,
    pub size: u64,
    /// Lowercase hex of the SHA-256 of the document's bytes.
    pub sha256: String,
}

/// A cross-border permit application: needed, approved, before an account buys a package that
/// joins the Chinese mainland with another area.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Permit {
    pub id: PermitId,
    pub account_id: AccountId,
    pub enterprise: String,
    pub representative: String,
    pub documents: Vec<PermitDocument>,
    pub status: PermitStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}
