//! The queries of security groups and their rules.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{desc, enum_from, enum_text, int, name_value, opt_name, opt_text, text, ts};
use crate::sql::{Row, binds};

const SECURITY_GROUPS: Table = Table {
    name: "security_groups",
    columns: "id, account_id, vpc_id, region, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

const RULES: Table = Table {
    name: "security_group_rules",
    columns: "id, security_group_id, direction, protocol, port_from, port_to, peer_cidr, peer_group_id, \
              peer_account_id, priority, policy, description, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn security_group_row(row: &Row) -> Result<SecurityGroup> {
    Ok(SecurityGroup {
        id: SecurityGroupId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

fn rule_row(row: &Row) -> Result<SecurityGroupRule> {
    let port_from = row.opt_int("port_from")?;
    let port_to = row.opt_int("port_to")?;
    let port_range = match (port_from, port_to) {
        (Some(from), Some(to)) => Some(PortRange { from: from as u16, to: to as u16 }),
        _ => None,
    };
    let peer = match (opt_text(row, "peer_cidr")?, opt_text(row, "peer_group_id")?) {
        (Some(c), _) => RulePeer::Cidr {
            cidr_block: Cidr::parse("peer_cidr", &c).map_err(|e| Error::internal(format!("stored peer: {e}")))?,
        },
        (None, Some(g)) => RulePeer::SecurityGroup {
            security_group_id: SecurityGroupId::from_trusted(g),
            account_id: AccountId::from_trusted(text(row, "peer_account_id")?),
        },
        (None, None) => return Err(Error::internal("a stored rule has no peer")),
    };
    Ok(SecurityGroupRule {
        id: SecurityGroupRuleId::from_trusted(text(row, "id")?),
        security_group_id: SecurityGroupId::from_trusted(text(row, "security_group_id")?),
        direction: enum_from("direction", text(row, "direction")?)?,
        protocol: enum_from("protocol", text(row, "protocol")?)?,
        port_range,
        peer,
        priority: int(row, "priority")? as u8,
        policy: enum_from("policy", text(row, "policy")?)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn security_group_count(&mut self, vpc: &VpcId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM security_groups WHERE vpc_id = $1", binds![vpc.as_str()]).await
    }

    pub async fn security_group_insert(&mut self, g: &SecurityGroup) -> Result<()> {
        self.execute(
            "INSERT INTO security_groups (id, account_id, vpc_id, region, name, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            binds![
                g.id.to_string(),
                g.account_id.to_string(),
                g.vpc_id.to_string(),
                g.region.to_string(),
                name_value(&g.name),
                g.description.as_str().to_owned(),
                g.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn security_group_get(&mut self, id: &SecurityGroupId) -> Result<Option<SecurityGroup>> {
        let sql = format!("SELECT {} FROM security_groups WHERE id = $1", SECURITY_GROUPS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], security_group_row).await
    }

    pub async fn security_group_list(&mut self, f: &ListFilter) -> Result<Rows<SecurityGroup>> {
        self.list(&SECURITY_GROUPS, f, &[], security_group_row, |g| PageToken {
            created_at: g.created_at.millis(),
            id: g.id.to_string(),
        })
        .await
    }

    pub async fn security_group_update(&mut self, g: &SecurityGroup) -> Result<()> {
        self.execute(
            "UPDATE security_groups SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&g.name), g.description.as_str().to_owned(), g.id.to_string()],
        )
        .await
        .map(drop)
    }

    /// Deletes a group with its own rules.
    pub async fn security_group_delete(&mut self, id: &SecurityGroupId) -> Result<()> {
        self.execute("DELETE FROM security_group_rules WHERE security_group_id = $1", binds![id.to_string()]).await?;
        self.execute("DELETE FROM security_groups WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// Instances in the group, and rules of the owner's other groups that name it as their peer.
    pub async fn security_group_users(&mut self, id: &SecurityGroupId, owner: &AccountId) -> Result<(i64, i64)> {
        let members = self
            .count("SELECT COUNT(*) FROM instance_security_groups WHERE security_group_id = $1", binds![id.as_str()])
            .await?;
        let sql = "SELECT COUNT(*) FROM security_group_rules WHERE peer_group_id = $1 AND security_group_id <> $1 \
                   AND security_group_id IN (SELECT id FROM security_groups WHERE account_id = $2)";
        let referrers = self.count(sql, binds![id.to_string(), owner.to_string()]).await?;
        Ok((members, referrers))
    }

    pub async fn security_group_rule_insert(&mut self, r: &SecurityGroupRule) -> Result<()> {
        let (peer_cidr, peer_group, peer_account) = match &r.peer {
            RulePeer::Cidr { cidr_block } => (Some(cidr_block.to_string()), None, None),
            RulePeer::SecurityGroup { security_group_id, account_id } => {
                (None, Some(security_group_id.to_string()), Some(account_id.to_string()))
            }
        };
        self.execute(
            "INSERT INTO security_group_rules (id, security_group_id, direction, protocol, port_from, port_to, \
             peer_cidr, peer_group_id, peer_account_id, priority, policy, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            binds![
                r.id.to_string(),
                r.security_group_id.to_string(),
                enum_text(&r.direction),
                enum_text(&r.protocol),
                r.port_range.map(|p| i64::from(p.from)),
                r.port_range.map(|p| i64::from(p.to)),
                peer_cidr,
                peer_group,
                peer_account,
                i64::from(r.priority),
                enum_text(&r.policy),
                r.description.as_str().to_owned(),
                r.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn security_group_rule_get(&mut self, id: &SecurityGroupRuleId) -> Result<Option<SecurityGroupRule>> {
        let sql = format!("SELECT {} FROM security_group_rules WHERE id = $1", RULES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], rule_row).await
    }

    pub async fn security_group_rule_list(
        &mut self,
        group: &SecurityGroupId,
        f: &ListFilter,
    ) -> Result<Rows<SecurityGroupRule>> {
        let f = ListFilter { account_id: None, region: None, vpc_id: None, name: None, ..f.clone() };
        self.list(&RULES, &f, &[("security_group_id", group.to_string())], rule_row, |r| PageToken {
            created_at: r.created_at.millis(),
            id: r.id.to_string(),
        })
        .await
    }

    /// Every rule of a group, oldest first: as many as the per-group quota lets it have.
    pub async fn security_group_rules_of(&mut self, group: &SecurityGroupId) -> Result<Vec<SecurityGroupRule>> {
        let sql = format!(
            "SELECT {} FROM security_group_rules WHERE security_group_id = $1 ORDER BY created_at, id",
            RULES.columns
        );
        self.fetch_all(&sql, binds![group.to_string()], rule_row).await
    }

    pub async fn security_group_rule_count(&mut self, group: &SecurityGroupId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM security_group_rules WHERE security_group_id = $1", binds![group.as_str()])
            .await
    }

    /// Every rule of every group of a VPC, for the forwarding view.
    pub async fn security_group_rule_list_by_vpc(&mut self, vpc: &VpcId) -> Result<Vec<SecurityGroupRule>> {
        let sql = format!(
            "SELECT {} FROM security_group_rules WHERE security_group_id IN \
             (SELECT id FROM security_groups WHERE vpc_id = $1) ORDER BY created_at, id",
            RULES.columns
        );
        self.fetch_all(&sql, binds![vpc.to_string()], rule_row).await
    }

    /// A rule of the same group that says exactly what `r` says (all but id, description and
    /// time), if there is one.
    pub async fn security_group_rule_twin(&mut self, r: &SecurityGroupRule) -> Result<Option<SecurityGroupRule>> {
        let (cidr, group, owner) = match &r.peer {
            RulePeer::Cidr { cidr_block } => (cidr_block.to_string(), String::new(), String::new()),
            RulePeer::SecurityGroup { security_group_id, account_id } => {
                (String::new(), security_group_id.to_string(), account_id.to_string())
            }
        };
        let sql = format!(
            "SELECT {} FROM security_group_rules WHERE security_group_id = $1 AND direction = $2 AND protocol = $3 \
             AND COALESCE(port_from, -1) = $4 AND COALESCE(port_to, -1) = $5 AND COALESCE(peer_cidr, '') = $6 \
             AND COALESCE(peer_group_id, '') = $7 AND priority = $8 AND policy = $9 \
             AND COALESCE(peer_account_id, '') = $10 LIMIT 1",
            RULES.columns
        );
        let binds = binds![
            r.security_group_id.to_string(),
            enum_text(&r.direction),
            enum_text(&r.protocol),
            r.port_range.map_or(-1, |p| i64::from(p.from)),
            r.port_range.map_or(-1, |p| i64::from(p.to)),
            cidr,
            group,
            i64::from(r.priority),
            enum_text(&r.policy),
            owner,
        ];
        self.fetch_optional(&sql, binds, rule_row).await
    }

    pub async fn security_group_rule_delete(&mut self, id: &SecurityGroupRuleId) -> Result<()> {
        self.execute("DELETE FROM security_group_rules WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
