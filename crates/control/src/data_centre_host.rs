//! Data centre hosts: addresses behind a VBR, which connectivity tests start from and reach.

use std::net::IpAddr;

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, changeable, list_filter, opt_name, page, quota, visible};
use crate::{Caller, Control, new_id, now};

impl Control {
    /// A host in the data centre behind one of the caller's VBRs, to test from and to.
    pub async fn data_centre_host_create(
        &self,
        caller: &Caller,
        req: DataCentreHostCreateRequest,
    ) -> Result<DataCentreHost> {
        let limit = self.quotas().data_centre_hosts_per_vbr;
        let input = (|| -> Result<_> {
            let vbr = VbrId::parse("vbr_id", &req.vbr_id)?;
            let ip: IpAddr =
                req.ip.parse().map_err(|_| Error::invalid("ip", format_args!("'{}' is not an IP address", req.ip)))?;
            Ok((vbr, ip, opt_name("name", &req.name)?))
        })();
        self.mutate(
            caller,
            "data_centre_host_create",
            input,
            tx!(|tx, caller, (vbr_id, ip, name)| {
                let vbr = changeable(caller, tx.vbr_get(&vbr_id).await?, |v| &v.account_id, VbrId::KIND, &vbr_id)?;
                quota(tx.data_centre_host_count(&vbr_id).await?, limit, "data centre hosts per VBR")?;
                if !vbr.routes.iter().any(|r| r.contains_addr(ip)) {
                    let routes: Vec<String> = vbr.routes.iter().map(|r| r.to_string()).collect();
                    return Err(Error::rejected(
                        "Host.NotInDataCentre",
                        format_args!(
                            "{ip} is in none of VBR {vbr_id}'s data centre routes ({}): add its block to the VBR's \
                         routes first",
                            if routes.is_empty() { "none".to_owned() } else { routes.join(", ") }
                        ),
                    ));
                }
                if let Some(h) = tx.data_centre_host_by_ip(&vbr_id, ip).await? {
                    return Err(Error::conflict("Host.IpInUse", format_args!("host {} already has {ip}", h.id)));
                }
                let host = DataCentreHost {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vbr_id,
                    ip,
                    name,
                    created_at: now(),
                };
                tx.data_centre_host_insert(&host).await?;
                Ok(host)
            }),
        )
        .await
    }

    pub async fn data_centre_host_get(&self, caller: &Caller, id: &str) -> Result<DataCentreHost> {
        let id = DataCentreHostId::parse("host_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                visible(caller, tx.data_centre_host_get(&id).await?, |h| &h.account_id, DataCentreHostId::KIND, &id)
            }),
        )
        .await
    }

    /// The caller's data centre hosts; `vbr_id` narrows to one VBR's.
    pub async fn data_centre_host_list(
        &self,
        caller: &Caller,
        q: DataCentreHostListQuery,
    ) -> Result<Page<DataCentreHost>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        let vbr = q.vbr_id.as_deref().map(|v| VbrId::parse("vbr_id", v)).transpose()?;
        let rows = self.read((f, vbr), tx!(|tx, (f, vbr)| tx.data_centre_host_list(&f, vbr.as_ref()).await)).await?;
        Ok(page(rows))
    }

    pub async fn data_centre_host_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = DataCentreHostId::parse("host_id", id);
        self.mutate(
            caller,
            "data_centre_host_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(
                    caller,
                    tx.data_centre_host_get(&id).await?,
                    |h| &h.account_id,
                    DataCentreHostId::KIND,
                    &id,
                )?;
                tx.data_centre_host_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
