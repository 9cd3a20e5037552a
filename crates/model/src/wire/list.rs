//! What each list takes: paging, and exactly the filters of that list, one query type per list.

/// Paging and every filter any list takes: what the control layer's lists read and what the
/// client sends. Over HTTP each list has its own query type (below) naming only the filters it
/// takes, so that the OpenAPI document is exact and any other filter is refused, not ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1 to 100 items per page; 50 by default.
    pub max_results: Option<u32>,
    /// The `next_token` of the previous page.
    pub next_token: Option<String>,
    pub region: Option<String>,
    pub vpc_id: Option<String>,
    pub name: Option<String>,
    /// Operator only: resources of this account.
    pub account_id: Option<String>,
    pub route_table_id: Option<String>,
    pub status: Option<String>,
    pub role: Option<String>,
    pub hub_id: Option<String>,
    pub vbr_id: Option<String>,
}

/// Declares one list's query: paging, then exactly the filters that list takes, each with the
/// words and the form (`field: Type`, the type whose schema it takes) the OpenAPI document shows
/// for it.
macro_rules! list_query {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// 1 to 100 items per page; 50 by default.
            #[param(minimum = 1, maximum = 100)]
            pub max_results: Option<u32>,
            /// The `next_token` of the previous page.
            #[param(pattern = "^[0-9]{1,18}\\.[A-Za-z0-9-]{1,64}$")]
            pub next_token: Option<String>,
            $($(#[$fdoc])* #[param(value_type = Option<$ty>)] pub $field: Option<String>,)*
        }

        impl $name {
            /// The filters this list takes, as named on the wire.
            pub const FILTERS: &[&str] = &[$(stringify!($field)),*];
        }

        impl From<$name> for ListQuery {
            fn from(q: $name) -> ListQuery {
                ListQuery {
                    max_results: q.max_results,
                    next_token: q.next_token,
                    $($field: q.$field,)*
                    ..ListQuery::default()
                }
            }
        }
    };
}

list_query!(
    /// `GET /v1/accounts`.
    AccountListQuery {
        /// Only accounts with this name.
        name: crate::Name,
    }
);
list_query!(
    /// `GET /v1/vpcs`.
    VpcListQuery {
        /// Only VPCs in this region (id, alias or display name).
        region: crate::schema::RegionName,
        /// Only VPCs with this name.
        name: crate::Name,
        /// Operator only: the VPCs of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/vswitches`.
    VSwitchListQuery {
        /// Only vswitches in this region.
        region: crate::schema::RegionName,
        /// Only vswitches of this VPC.
        vpc_id: crate::VpcId,
        /// Only vswitches with this name.
        name: crate::Name,
        /// Operator only: the vswitches of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/instances`.
    InstanceListQuery {
        /// Only instances in this region.
        region: crate::schema::RegionName,
        /// Only instances in this VPC.
        vpc_id: crate::VpcId,
        /// Only instances with this name.
        name: crate::Name,
        /// Operator only: the instances of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/security-groups`.
    SecurityGroupListQuery {
        /// Only groups in this region.
        region: crate::schema::RegionName,
        /// Only groups of this VPC.
        vpc_id: crate::VpcId,
        /// Only groups with this name.
        name: crate::Name,
        /// Operator only: the groups of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/security-groups/{security_group_id}/rules`: the group's rules, paged.
    SecurityGroupRuleListQuery {}
);
list_query!(
    /// `GET /v1/route-entries`.
    RouteEntryListQuery {
        /// Only the custom entries of this VPC's route table.
        vpc_id: crate::VpcId,
        /// Only the custom entries of this route table.
        route_table_id: crate::RouteTableId,
        /// Operator only: the entries of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/router-interfaces`.
    RouterInterfaceListQuery {
        /// Only interfaces in this region.
        region: crate::schema::RegionName,
        /// Only interfaces of this VPC's VRouter.
        vpc_id: crate::VpcId,
        /// Only interfaces with this name.
        name: crate::Name,
        /// Only interfaces in this state: Idle, Active or Inactive.
        status: crate::RouterInterfaceStatus,
        /// Only initiators or only acceptors: `initiator` or `acceptor`.
        role: crate::RouterInterfaceRole,
        /// Operator only: the interfaces of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/orders`.
    OrderListQuery {
        /// Only orders in this region.
        region: crate::schema::RegionName,
        /// Operator only: the orders of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/hubs`.
    HubListQuery {
        /// Only hubs with this name.
        name: crate::Name,
        /// Operator only: the hubs of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/grants` and `GET /v1/grants/received`.
    GrantListQuery {
        /// Only grants of networks in this region.
        region: crate::schema::RegionName,
        /// Operator only: the grants of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/attachments`.
    AttachmentListQuery {
        /// Only attachments of networks in this region.
        region: crate::schema::RegionName,
        /// Only the attachments of this hub.
        hub_id: crate::HubId,
        /// Operator only: the attachments of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/bandwidth-packages`.
    BandwidthPackageListQuery {
        /// Only packages with this name.
        name: crate::Name,
        /// Operator only: the packages of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/inter-region-bandwidths`.
    InterRegionBandwidthListQuery {
        /// Only the inter-region bandwidths of this hub.
        hub_id: crate::HubId,
        /// Operator only: the inter-region bandwidths of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/permits`.
    PermitListQuery {
        /// Operator only: the applications of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/physical-connections`.
    PhysicalConnectionListQuery {
        /// Only connections in this region.
        region: crate::schema::RegionName,
        /// Only connections with this name.
        name: crate::Name,
        /// Operator only: the connections of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/shared-ports`.
    SharedPortListQuery {
        /// Only ports in this region.
        region: crate::schema::RegionName,
        /// Operator only: the ports of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/vbrs`.
    VbrListQuery {
        /// Only VBRs in this region.
        region: crate::schema::RegionName,
        /// Only VBRs with this name.
        name: crate::Name,
        /// Operator only: the VBRs of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/data-centre-hosts`.
    DataCentreHostListQuery {
        /// Only hosts with this name.
        name: crate::Name,
        /// Only the hosts behind this VBR.
        vbr_id: crate::VbrId,
        /// Operator only: the hosts of this account.
        account_id: crate::AccountId,
    }
);
list_query!(
    /// `GET /v1/audit-events`.
    AuditListQuery {
        /// Operator only: the events of this account.
        account_id: crate::AccountId,
    }
);
