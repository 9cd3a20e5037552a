//! Physical connections: a partner account's lines into a data centre (seed 004).

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{list_filter, page, quota, visible};
use crate::{Caller, Control, new_id, now};

pub(crate) fn partner_only(caller: &Caller, what: &str) -> Result<()> {
    if caller.account.kind == AccountKind::Partner {
        Ok(())
    } else {
        Err(Error::Forbidden { message: format!("only partner accounts {what}") })
    }
}

impl Control {
    /// Partner only: a physical connection at one of its access points.
    pub async fn physical_connection_create(
        &self,
        caller: &Caller,
        req: PhysicalConnectionCreateRequest,
    ) -> Result<PhysicalConnection> {
        let limit = self.quotas().physical_connections_per_account;
        let input = (|| -> Result<_> {
            partner_only(caller, "own physical connections")?;
            let name = Name::parse("name", &req.name)?;
            let ap = req.access_point.trim();
            if ap.is_empty() || ap.chars().count() > 64 || ap.chars().any(char::is_control) {
                return Err(Error::invalid("access_point", "name the access point in 1 to 64 characters"));
            }
            let region = self.catalog().region_id(&req.region)?;
            let port_type = PortType::parse("port_type", &req.port_type)?;
            let max = i64::from(port_type.line_rate_mbps());
            if !(1..=max).contains(&req.bandwidth_mbps) {
                return Err(Error::invalid(
                    "bandwidth_mbps",
                    format_args!("{} is out of range: a {port_type} port carries 1 to {max}", req.bandwidth_mbps),
                ));
            }
            Ok(PhysicalConnection {
                id: new_id(),
                account_id: caller.account.id.clone(),
                name,
                access_point: ap.to_owned(),
                region,
                port_type,
                bandwidth_mbps: req.bandwidth_mbps as u32,
                status: "Enabled".into(),
                created_at: now(),
            })
        })();
        self.mutate(
            caller,
            "physical_connection_create",
            input,
            tx!(|tx, _, c| {
                quota(tx.physical_connection_count(&c.account_id).await?, limit, "physical connections per account")?;
                tx.physical_connection_insert(&c).await?;
                Ok(c)
            }),
        )
        .await
    }

    pub async fn physical_connection_get(&self, caller: &Caller, id: &str) -> Result<PhysicalConnection> {
        let id = PhysicalConnectionId::parse("physical_connection_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                visible(
                    caller,
                    tx.physical_connection_get(&id).await?,
                    |c| &c.account_id,
                    PhysicalConnectionId::KIND,
                    &id,
                )
            }),
        )
        .await
    }

    pub async fn physical_connection_list(
        &self,
        caller: &Caller,
        q: PhysicalConnectionListQuery,
    ) -> Result<Page<PhysicalConnection>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.physical_connection_list(&f).await)).await?))
    }
}
