//! The queries of instances and the security groups they are in.

use std::net::IpAddr;

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{desc, name_value, opt_name, text, ts};
use crate::sql::{Row, binds};

const INSTANCES: Table = Table {
    name: "instances",
    columns: "id, account_id, vpc_id, vswitch_id, region, zone, private_ip, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

/// An instance row without its groups, which live in their own table.
fn instance_row(row: &Row) -> Result<Instance> {
    let ip = text(row, "private_ip")?;
    Ok(Instance {
        id: InstanceId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        vswitch_id: VSwitchId::from_trusted(text(row, "vswitch_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        zone: text(row, "zone")?,
        private_ip: ip.parse::<IpAddr>().map_err(|e| Error::internal(format!("stored ip {ip}: {e}")))?,
        security_group_ids: Vec::new(),
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn instance_insert(&mut self, i: &Instance) -> Result<()> {
        self.execute(
            "INSERT INTO instances (id, account_id, vpc_id, vswitch_id, region, zone, private_ip, name, description, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            binds![
                i.id.to_string(),
                i.account_id.to_string(),
                i.vpc_id.to_string(),
                i.vswitch_id.to_string(),
                i.region.to_string(),
                i.zone.clone(),
                i.private_ip.to_string(),
                name_value(&i.name),
                i.description.as_str().to_owned(),
                i.created_at.millis()
            ],
        )
        .await?;
        self.instance_groups_set(&i.id, &i.security_group_ids).await
    }

    async fn instance_groups_set(&mut self, id: &InstanceId, groups: &[SecurityGroupId]) -> Result<()> {
        self.execute("DELETE FROM instance_security_groups WHERE instance_id = $1", binds![id.to_string()]).await?;
        for (position, g) in groups.iter().enumerate() {
            self.execute(
                "INSERT INTO instance_security_groups (instance_id, security_group_id, position) VALUES ($1, $2, $3)",
                binds![id.to_string(), g.to_string(), position as i64],
            )
            .await?;
        }
        Ok(())
    }

    async fn instance_groups_fill(&mut self, instances: &mut [Instance]) -> Result<()> {
        for i in instances {
            i.security_group_ids = self
                .fetch_all(
                    "SELECT security_group_id FROM instance_security_groups WHERE instance_id = $1 ORDER BY position",
                    binds![i.id.to_string()],
                    |row| Ok(SecurityGroupId::from_trusted(text(row, "security_group_id")?)),
                )
                .await?;
        }
        Ok(())
    }

    pub async fn instance_get(&mut self, id: &InstanceId) -> Result<Option<Instance>> {
        let sql = format!("SELECT {} FROM instances WHERE id = $1", INSTANCES.columns);
        let mut found = self.fetch_optional(&sql, binds![id.to_string()], instance_row).await?;
        if let Some(i) = &mut found {
            self.instance_groups_fill(std::slice::from_mut(i)).await?;
        }
        Ok(found)
    }

    pub async fn instance_list(&mut self, f: &ListFilter) -> Result<Rows<Instance>> {
        let mut rows = self
            .list(&INSTANCES, f, &[], instance_row, |i| PageToken {
                created_at: i.created_at.millis(),
                id: i.id.to_string(),
            })
            .await?;
        self.instance_groups_fill(&mut rows.items).await?;
        Ok(rows)
    }

    /// Every instance of a VPC, with its groups, for the forwarding view.
    pub async fn instance_list_by_vpc(&mut self, vpc: &VpcId) -> Result<Vec<Instance>> {
        let sql = format!("SELECT {} FROM instances WHERE vpc_id = $1 ORDER BY created_at, id", INSTANCES.columns);
        let mut all = self.fetch_all(&sql, binds![vpc.to_string()], instance_row).await?;
        self.instance_groups_fill(&mut all).await?;
        Ok(all)
    }

    /// The addresses in use in a vswitch.
    pub async fn instance_ips_in_vswitch(&mut self, vswitch: &VSwitchId) -> Result<Vec<IpAddr>> {
        self.fetch_all("SELECT private_ip FROM instances WHERE vswitch_id = $1", binds![vswitch.to_string()], |row| {
            let ip = text(row, "private_ip")?;
            ip.parse().map_err(|e| Error::internal(format!("stored ip {ip}: {e}")))
        })
        .await
    }

    pub async fn instance_update(&mut self, i: &Instance) -> Result<()> {
        self.execute(
            "UPDATE instances SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&i.name), i.description.as_str().to_owned(), i.id.to_string()],
        )
        .await?;
        self.instance_groups_set(&i.id, &i.security_group_ids).await
    }

    pub async fn instance_delete(&mut self, id: &InstanceId) -> Result<()> {
        self.execute("DELETE FROM instance_security_groups WHERE instance_id = $1", binds![id.to_string()]).await?;
        self.execute("DELETE FROM instances WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
