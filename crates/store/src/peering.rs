//! The queries of peering: router interfaces and orders, in the manner of `queries.rs`.

use xconnect_model::*;

use crate::Tx;
use crate::queries::{ListFilter, PageToken, Rows, Table, desc, int, name_value, opt_name, opt_text, text, ts};
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

const ORDERS: Table = Table {
    name: "orders",
    columns: "id, account_id, product, resource_id, region, item, bandwidth_mbps, started_at, ended_at",
    time_column: "started_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn stored(col: &str) -> impl Fn(Error) -> Error + '_ {
    move |e| Error::internal(format!("stored {col}: {e}"))
}

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

fn order_row(row: &Row) -> Result<Order> {
    let product = text(row, "product")?;
    Ok(Order {
        id: OrderId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        product: OrderProduct::parse(&product)
            .ok_or_else(|| Error::internal(format!("stored product {product} is unknown")))?,
        resource_id: text(row, "resource_id")?,
        region: Some(text(row, "region")?).filter(|r| !r.is_empty()).map(RegionId::from_trusted),
        item: text(row, "item")?,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        started_at: ts(row, "started_at")?,
        ended_at: row.opt_int("ended_at")?.map(Timestamp::from_millis),
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

    /// How many route entries send packets to this interface.
    pub async fn route_entry_count_by_next_hop(&mut self, id: &str) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM route_entries WHERE next_hop_id = $1", binds![id.to_owned()]).await
    }

    // ---- orders ----

    pub async fn order_insert(&mut self, o: &Order) -> Result<()> {
        let sql = format!("INSERT INTO orders ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", ORDERS.columns);
        let b = binds![
            o.id.to_string(),
            o.account_id.to_string(),
            o.product.as_str(),
            o.resource_id.clone(),
            o.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            o.item.clone(),
            i64::from(o.bandwidth_mbps),
            o.started_at.millis(),
            o.ended_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Ends the running orders of a resource (it was deleted).
    pub async fn order_end(&mut self, resource_id: &str, at: Timestamp) -> Result<u64> {
        self.execute(
            "UPDATE orders SET ended_at = $1 WHERE resource_id = $2 AND ended_at IS NULL",
            binds![at.millis(), resource_id.to_owned()],
        )
        .await
    }

    /// Every order of an account, oldest first, for its statement.
    pub async fn order_list_by_account(&mut self, account: &AccountId) -> Result<Vec<Order>> {
        let sql = format!("SELECT {} FROM orders WHERE account_id = $1 ORDER BY started_at, id", ORDERS.columns);
        self.fetch_all(&sql, binds![account.to_string()], order_row).await
    }

    pub async fn order_list(&mut self, f: &ListFilter) -> Result<Rows<Order>> {
        let f = ListFilter { vpc_id: None, name: None, ..f.clone() };
        self.list(&ORDERS, &f, &[], order_row, |o| PageToken {
            created_at: o.started_at.millis(),
            id: o.id.to_string(),
        })
        .await
    }
}
