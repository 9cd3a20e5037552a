//! The queries of router interfaces (peering).

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{desc, name_value, opt_name, opt_text, stored, text, ts};
use crate::sql::{Row, binds};

const ROUTER_INTERFACES: Table = Table {
    name: "router_interfaces",
    columns: "id, account_id, vpc_id, vrouter_id, region, role, spec, status, peer_region, peer_account_id, \
              peer_vrouter_id, peer_router_interface_id, name, description, created_at, connected_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

fn router_interface_row(row: &Row) -> Result<RouterInterface> {
    let peer = match (
        opt_text(row, "peer_account_id")?,
        opt_text(row, "peer_vrouter_id")?,
        opt_text(row, "peer_router_interface_id")?,
    ) {
        (Some(a), Some(v), Some(r)) => Some(RouterInterfacePeer {
            account_id: AccountId::from_trusted(a),
            vrouter_id: VRouterId::from_trusted(v),
            router_interface_id: RouterInterfaceId::from_trusted(r),
        }),
        _ => None,
    };
    Ok(RouterInterface {
        id: RouterInterfaceId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        vrouter_id: VRouterId::from_trusted(text(row, "vrouter_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        role: RouterInterfaceRole::parse("role", &text(row, "role")?).map_err(stored("role"))?,
        spec: opt_text(row, "spec")?
            .map(|s| RouterInterfaceSpec::parse("spec", &s))
            .transpose()
            .map_err(stored("spec"))?,
        status: RouterInterfaceStatus::parse("status", &text(row, "status")?).map_err(stored("status"))?,
        peer_region: RegionId::from_trusted(text(row, "peer_region")?),
        peer,
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
        connected_at: row.opt_int("connected_at")?.map(Timestamp::from_millis),
    })
}

/// The filters a router interface list takes besides the common ones.
#[derive(Debug, Clone, Default)]
pub struct RouterInterfaceFilter {
    pub status: Option<RouterInterfaceStatus>,
    pub role: Option<RouterInterfaceRole>,
}

impl Tx {
    pub async fn router_interface_insert(&mut self, r: &RouterInterface) -> Result<()> {
        let sql = format!(
            "INSERT INTO router_interfaces ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16)",
            ROUTER_INTERFACES.columns
        );
        let peer = r.peer.as_ref();
        let b = binds![
            r.id.to_string(),
            r.account_id.to_string(),
            r.vpc_id.to_string(),
            r.vrouter_id.to_string(),
            r.region.to_string(),
            r.role.as_str(),
            r.spec.map(|s| s.as_str().to_owned()),
            r.status.as_str(),
            r.peer_region.to_string(),
            peer.map(|p| p.account_id.to_string()),
            peer.map(|p| p.vrouter_id.to_string()),
            peer.map(|p| p.router_interface_id.to_string()),
            name_value(&r.name),
            r.description.as_str().to_owned(),
            r.created_at.millis(),
            r.connected_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Writes back everything that may change after creation: spec, status, peer, name,
    /// description and when it was connected.
    pub async fn router_interface_update(&mut self, r: &RouterInterface) -> Result<()> {
        let peer = r.peer.as_ref();
        self.execute(
            "UPDATE router_interfaces SET spec = $1, status = $2, peer_region = $3, peer_account_id = $4, \
             peer_vrouter_id = $5, peer_router_interface_id = $6, name = $7, description = $8, connected_at = $9 \
             WHERE id = $10",
            binds![
                r.spec.map(|s| s.as_str().to_owned()),
                r.status.as_str(),
                r.peer_region.to_string(),
                peer.map(|p| p.account_id.to_string()),
                peer.map(|p| p.vrouter_id.to_string()),
                peer.map(|p| p.router_interface_id.to_string()),
                name_value(&r.name),
                r.description.as_str().to_owned(),
                r.connected_at.map(|t| t.millis()),
                r.id.to_string(),
            ],
        )
        .await
        .map(drop)
    }

    pub async fn router_interface_get(&mut self, id: &RouterInterfaceId) -> Result<Option<RouterInterface>> {
        let sql = format!("SELECT {} FROM router_interfaces WHERE id = $1", ROUTER_INTERFACES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], router_interface_row).await
    }

    pub async fn router_interface_list(
        &mut self,
        f: &ListFilter,
        more: &RouterInterfaceFilter,
    ) -> Result<Rows<RouterInterface>> {
        let mut extra: Vec<(&str, String)> = Vec::new();
        if let Some(s) = more.status {
            extra.push(("status", s.as_str().to_owned()));
        }
        if let Some(r) = more.role {
            extra.push(("role", r.as_str().to_owned()));
        }
        self.list(&ROUTER_INTERFACES, f, &extra, router_interface_row, |r| PageToken {
            created_at: r.created_at.millis(),
            id: r.id.to_string(),
        })
        .await
    }

    /// Every interface of a VPC, for the forwarding view.
    pub async fn router_interface_list_by_vpc(&mut self, vpc: &VpcId) -> Result<Vec<RouterInterface>> {
        let sql = format!(
            "SELECT {} FROM router_interfaces WHERE vpc_id = $1 ORDER BY created_at, id",
            ROUTER_INTERFACES.columns
        );
        self.fetch_all(&sql, binds![vpc.to_string()], router_interface_row).await
    }

    /// How many interfaces a VRouter has, for its limit.
    pub async fn router_interface_count(&mut self, vrouter: &VRouterId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM router_interfaces WHERE vrouter_id = $1", binds![vrouter.to_string()]).await
    }

    /// The connected interfaces (Active or Inactive) between the two VRouters, on either side.
    pub async fn router_interface_connected_between(
        &mut self,
        a: &VRouterId,
        b: &VRouterId,
    ) -> Result<Vec<RouterInterface>> {
        let sql = format!(
            "SELECT {} FROM router_interfaces WHERE status IN ('Active', 'Inactive') AND \
             ((vrouter_id = $1 AND peer_vrouter_id = $2) OR (vrouter_id = $2 AND peer_vrouter_id = $1)) \
             ORDER BY created_at, id",
            ROUTER_INTERFACES.columns
        );
        self.fetch_all(&sql, binds![a.to_string(), b.to_string()], router_interface_row).await
    }

    pub async fn router_interface_delete(&mut self, id: &RouterInterfaceId) -> Result<()> {
        self.execute("DELETE FROM router_interfaces WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
