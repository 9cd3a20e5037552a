//! VPCs: a private network in one region with its VRouter and route table, made, renamed and
//! deleted (only when nothing is left in it).

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{
    Deleted, Get, Save, changeable, counted, description, idempotency, list_filter, opt_name, page, quota, unused,
    visible,
};
use crate::{Caller, Control, new_id, now};

impl Control {
    pub async fn vpc_create(&self, caller: &Caller, req: VpcCreateRequest) -> Result<Vpc> {
        let limit = self.quotas().vpcs_per_region;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let region = self.catalog().region_id(&req.region)?;
            let cidr = Cidr::parse("cidr_block", &req.cidr_block)?
                .require("cidr_block", Family::V4, 8, 28)?
                .require_unreserved("cidr_block")?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok(((region, cidr, name, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.vpc_get(id));
        self.create(
            caller,
            "vpc_create",
            input,
            get,
            tx!(|tx, caller, (region, cidr_block, name, description)| {
                quota(tx.vpc_count(&caller.account.id, &region).await?, limit, "VPCs per region")?;
                let vpc = Vpc {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    region,
                    cidr_block,
                    name,
                    description,
                    vrouter_id: new_id(),
                    route_table_id: new_id(),
                    created_at: now(),
                };
                tx.vpc_insert(&vpc).await?;
                Ok(vpc)
            }),
        )
        .await
    }

    pub async fn vpc_get(&self, caller: &Caller, id: &str) -> Result<Vpc> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.vpc_get(id));
        self.fetch(caller, VpcId::parse("vpc_id", id), get).await
    }

    /// A VPC and those of its vswitches the caller may see, oldest first, from one snapshot:
    /// Alibaba's DescribeVpcAttribute lists the VPC's vswitch ids, and paging through
    /// `vswitch_list` costs a transaction and a page token a page, besides the VPC's own read.
    pub async fn vpc_get_with_vswitches(&self, caller: &Caller, id: &str) -> Result<(Vpc, Vec<VSwitch>)> {
        let id = VpcId::parse("vpc_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                let vpc = visible(caller, tx.vpc_get(&id).await?, |v| &v.account_id, VpcId::KIND, &id)?;
                let mut vswitches = tx.vswitch_list_by_vpc(&id).await?;
                // The same vswitches `vswitch_list` would show this caller.
                vswitches.retain(|v| caller.can_see(&v.account_id));
                Ok((vpc, vswitches))
            }),
        )
        .await
    }

    pub async fn vpc_list(&self, caller: &Caller, q: VpcListQuery) -> Result<Page<Vpc>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.vpc_list(&f).await)).await?))
    }

    pub async fn vpc_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<Vpc> {
        let id = VpcId::parse("vpc_id", id);
        let (get, save): (Get<_, _>, Save<_>) = (|tx, id| Box::pin(tx.vpc_get(id)), |tx, v| Box::pin(tx.vpc_update(v)));
        self.rename(caller, "vpc_modify", id, req, get, save).await
    }

    /// Deletes a VPC with its VRouter and route table; refused while anything lives in it.
    pub async fn vpc_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = VpcId::parse("vpc_id", id);
        self.mutate(
            caller,
            "vpc_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.vpc_get(&id).await?, |v| &v.account_id, VpcId::KIND, &id)?;
                unused(format!("VPC {id}"), counted(&tx.vpc_dependents(&id).await?))?;
                tx.vpc_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
