//! Vswitches: a VPC's subnets in a zone, whose blocks never overlap in their VPC.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{
    Deleted, Get, Save, changeable, counted, description, idempotency, list_filter, opt_name, page, quota, unused,
    visible,
};
use crate::{Caller, Control, new_id, now};

impl Control {
    pub async fn vswitch_create(&self, caller: &Caller, req: VSwitchCreateRequest) -> Result<VSwitch> {
        let limit = self.quotas().vswitches_per_vpc;
        let catalog = self.catalog().clone();
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vpc_id = VpcId::parse("vpc_id", &req.vpc_id)?;
            let cidr = Cidr::parse("cidr_block", &req.cidr_block)?.require("cidr_block", Family::V4, 16, 29)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            let zone = req.zone.clone();
            Ok(((vpc_id, zone, cidr, name, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.vswitch_get(id));
        self.create(
            caller,
            "vswitch_create",
            input,
            get,
            move |tx, caller, (vpc_id, zone, cidr_block, name, description)| {
                let catalog = catalog.clone();
                Box::pin(async move {
                    let vpc = changeable(caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                    catalog.check_zone(&vpc.region, &zone)?;
                    if !vpc.cidr_block.contains(&cidr_block) {
                        return Err(Error::rejected(
                            "VSwitch.CidrNotInVpc",
                            format_args!(
                                "cidr_block {cidr_block} is not inside VPC {}'s block {}",
                                vpc.id, vpc.cidr_block
                            ),
                        ));
                    }
                    if let Some(other) = tx.vswitch_overlapping(&vpc.id, &cidr_block).await? {
                        return Err(Error::conflict(
                            "VSwitch.CidrOverlap",
                            format_args!(
                                "cidr_block {cidr_block} overlaps vswitch {} ({}); choose a free block",
                                other.id, other.cidr_block
                            ),
                        ));
                    }
                    if let Some(route) = tx.route_entry_overlapping(&vpc.route_table_id, &cidr_block).await? {
                        return Err(Error::conflict(
                            "VSwitch.CidrOverlapsRoute",
                            format_args!(
                                "cidr_block {cidr_block} overlaps route entry {} to {}",
                                route.id, route.destination_cidr_block
                            ),
                        ));
                    }
                    quota(tx.vswitch_count(&vpc.id).await?, limit, "vswitches per VPC")?;
                    let vswitch = VSwitch {
                        id: new_id(),
                        account_id: caller.account.id.clone(),
                        vpc_id: vpc.id,
                        region: vpc.region,
                        zone,
                        cidr_block,
                        name,
                        description,
                        created_at: now(),
                    };
                    tx.vswitch_insert(&vswitch).await?;
                    Ok(vswitch)
                })
            },
        )
        .await
    }

    pub async fn vswitch_get(&self, caller: &Caller, id: &str) -> Result<VSwitch> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.vswitch_get(id));
        self.fetch(caller, VSwitchId::parse("vswitch_id", id), get).await
    }

    /// A vswitch and its VPC, from one snapshot: Alibaba's DescribeVSwitchAttributes answers
    /// with the VPC's route table, and one read costs one transaction where two cost two.
    pub async fn vswitch_get_with_vpc(&self, caller: &Caller, id: &str) -> Result<(VSwitch, Vpc)> {
        let id = VSwitchId::parse("vswitch_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                let vswitch = visible(caller, tx.vswitch_get(&id).await?, |v| &v.account_id, VSwitchId::KIND, &id)?;
                let vpc_id = vswitch.vpc_id.clone();
                let vpc = visible(caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                Ok((vswitch, vpc))
            }),
        )
        .await
    }

    pub async fn vswitch_list(&self, caller: &Caller, q: VSwitchListQuery) -> Result<Page<VSwitch>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.vswitch_list(&f).await)).await?))
    }

    pub async fn vswitch_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<VSwitch> {
        let id = VSwitchId::parse("vswitch_id", id);
        let (get, save): (Get<_, _>, Save<_>) =
            (|tx, id| Box::pin(tx.vswitch_get(id)), |tx, v| Box::pin(tx.vswitch_update(v)));
        self.rename(caller, "vswitch_modify", id, req, get, save).await
    }

    pub async fn vswitch_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = VSwitchId::parse("vswitch_id", id);
        self.mutate(
            caller,
            "vswitch_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.vswitch_get(&id).await?, |v| &v.account_id, VSwitchId::KIND, &id)?;
                let n = tx.vswitch_instance_count(&id).await?;
                unused(format!("vswitch {id}"), counted(&[("instances", n)]))?;
                tx.vswitch_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
