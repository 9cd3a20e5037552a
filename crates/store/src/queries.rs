//! The queries: one method of [`Tx`] per thing the control layer needs to read or write, named
//! resource then verb. Rows are turned into model types here and nowhere else.

use std::net::IpAddr;

use xconnect_model::*;

use crate::Tx;
use crate::sql::{Bind, Row, binds};

/// Filters and paging for a list. Rows come oldest first; `after` is the position of the last
/// row of the previous page.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub account_id: Option<AccountId>,
    pub region: Option<RegionId>,
    pub vpc_id: Option<VpcId>,
    pub name: Option<Name>,
    pub after: Option<PageToken>,
    pub limit: u32,
}

/// Where a page ended: the creation time and id of its last row. Shown to callers as the
/// opaque `next_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken {
    pub created_at: i64,
    pub id: String,
}

impl PageToken {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    pub fn decode(s: &str) -> Result<PageToken> {
        let bad = || Error::invalid("next_token", "is not a token this service gave out; start again without it");
        let (t, id) = s.split_once('.').ok_or_else(bad)?;
        let created_at = t.parse().map_err(|_| bad())?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad());
        }
        Ok(PageToken { created_at, id: id.to_owned() })
    }
}

/// One page of rows and where the next one starts.
#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub items: Vec<T>,
    pub next: Option<PageToken>,
}

/// The filterable columns a table has.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) time_column: &'static str,
    pub(crate) has_region: bool,
    pub(crate) has_vpc: bool,
    pub(crate) has_name: bool,
    /// How a row belongs to an account, with `$?` for the account id.
    pub(crate) owner: &'static str,
}

/// Builds `SELECT … WHERE … ORDER BY time, id LIMIT n` with `$N` placeholders, which both
/// backends read.
fn list_sql(table: &Table, f: &ListFilter, extra: &[(&str, String)]) -> (String, Vec<Bind>) {
    let mut sql = format!("SELECT {} FROM {} WHERE 1 = 1", table.columns, table.name);
    let mut binds = Vec::new();
    let mut push = |sql: &mut String, clause: &str, b: Bind| {
        binds.push(b);
        sql.push_str(&clause.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(a) = &f.account_id {
        push(&mut sql, &format!(" AND {}", table.owner), Bind::from(a.to_string()));
    }
    if let (true, Some(r)) = (table.has_region, &f.region) {
        push(&mut sql, " AND region = $?", Bind::from(r.to_string()));
    }
    if let (true, Some(v)) = (table.has_vpc, &f.vpc_id) {
        push(&mut sql, " AND vpc_id = $?", Bind::from(v.to_string()));
    }
    if let (true, Some(n)) = (table.has_name, &f.name) {
        push(&mut sql, " AND name = $?", Bind::from(n.to_string()));
    }
    for (column, value) in extra {
        push(&mut sql, &format!(" AND {column} = $?"), Bind::from(value.clone()));
    }
    if let Some(after) = &f.after {
        let t = table.time_column;
        push(&mut sql, &format!(" AND ({t} > $?"), Bind::from(after.created_at));
        push(&mut sql, &format!(" OR ({t} = $?"), Bind::from(after.created_at));
        push(&mut sql, " AND id > $?))", Bind::from(after.id.clone()));
    }
    // One row more than asked says whether another page follows.
    sql.push_str(&format!(" ORDER BY {} ASC, id ASC LIMIT {}", table.time_column, f.limit + 1));
    (sql, binds)
}

pub(crate) fn text(row: &Row, col: &str) -> Result<String> {
    row.text(col)
}

pub(crate) fn opt_text(row: &Row, col: &str) -> Result<Option<String>> {
    row.opt_text(col)
}

pub(crate) fn int(row: &Row, col: &str) -> Result<i64> {
    row.int(col)
}

fn cidr(row: &Row, col: &str) -> Result<Cidr> {
    Cidr::parse(col, &text(row, col)?).map_err(|e| Error::internal(format!("stored {col}: {e}")))
}

pub(crate) fn ts(row: &Row, col: &str) -> Result<Timestamp> {
    Ok(Timestamp::from_millis(int(row, col)?))
}

pub(crate) fn opt_name(row: &Row) -> Result<Option<Name>> {
    Ok(opt_text(row, "name")?.map(Name::from_trusted))
}

pub(crate) fn desc(row: &Row) -> Result<Description> {
    Ok(Description::from_trusted(text(row, "description")?))
}

/// The integer range of a block the store keeps beside it (IPv4 only, like the blocks it holds).
fn range(c: &Cidr) -> Result<(i64, i64)> {
    c.v4_range().ok_or_else(|| Error::internal(format!("{c}: only IPv4 blocks are stored with ranges")))
}

pub(crate) fn name_value(n: &Option<Name>) -> Option<String> {
    n.as_ref().map(|n| n.to_string())
}

const ACCOUNTS: Table = Table {
    name: "accounts",
    columns: "id, kind, name, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

const VPCS: Table = Table {
    name: "vpcs",
    columns: "id, account_id, region, cidr_block, name, description, vrouter_id, route_table_id, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

const VSWITCHES: Table = Table {
    name: "vswitches",
    columns: "id, account_id, vpc_id, region, zone, cidr_block, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

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

const INSTANCES: Table = Table {
    name: "instances",
    columns: "id, account_id, vpc_id, vswitch_id, region, zone, private_ip, name, description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: true,
    has_name: true,
    owner: "account_id = $?",
};

const ROUTE_ENTRIES: Table = Table {
    name: "route_entries",
    columns: "id, account_id, route_table_id, vpc_id, destination_cidr_block, next_hop_type, next_hop_id, \
              description, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: true,
    has_name: false,
    owner: "account_id = $?",
};

const AUDIT: Table = Table {
    name: "audit_events",
    columns: "id, at, account_id, access_key_id, action, resource_id, request_id, result",
    time_column: "at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn account_row(row: &Row) -> Result<Account> {
    let kind = text(row, "kind")?;
    Ok(Account {
        id: AccountId::from_trusted(text(row, "id")?),
        kind: AccountKind::parse("kind", &kind).map_err(|e| Error::internal(format!("stored kind: {e}")))?,
        name: Name::from_trusted(text(row, "name")?),
        created_at: ts(row, "created_at")?,
    })
}

fn vpc_row(row: &Row) -> Result<Vpc> {
    Ok(Vpc {
        id: VpcId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        cidr_block: cidr(row, "cidr_block")?,
        name: opt_name(row)?,
        description: desc(row)?,
        vrouter_id: VRouterId::from_trusted(text(row, "vrouter_id")?),
        route_table_id: RouteTableId::from_trusted(text(row, "route_table_id")?),
        created_at: ts(row, "created_at")?,
    })
}

fn vswitch_row(row: &Row) -> Result<VSwitch> {
    Ok(VSwitch {
        id: VSwitchId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        zone: text(row, "zone")?,
        cidr_block: cidr(row, "cidr_block")?,
        name: opt_name(row)?,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

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

pub(crate) fn enum_from<T: serde::de::DeserializeOwned>(col: &str, s: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| Error::internal(format!("stored {col}: {e}")))
}

fn enum_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("a unit enum serializes as a string, not {other:?}"),
    }
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

fn route_entry_row(row: &Row) -> Result<RouteEntry> {
    let kind = text(row, "next_hop_type")?;
    let next_hop = NextHop::from_parts(&kind, opt_text(row, "next_hop_id")?)
        .ok_or_else(|| Error::internal(format!("stored next hop of type {kind} does not decode")))?;
    Ok(RouteEntry {
        id: RouteEntryId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        route_table_id: RouteTableId::from_trusted(text(row, "route_table_id")?),
        vpc_id: VpcId::from_trusted(text(row, "vpc_id")?),
        destination_cidr_block: cidr(row, "destination_cidr_block")?,
        next_hop,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

fn audit_row(row: &Row) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: EventId::from_trusted(text(row, "id")?),
        at: ts(row, "at")?,
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        access_key_id: opt_text(row, "access_key_id")?.map(AccessKeyId::from_trusted),
        action: text(row, "action")?,
        resource_id: opt_text(row, "resource_id")?,
        request_id: RequestId::from_trusted(text(row, "request_id")?),
        result: text(row, "result")?,
    })
}

/// A stored access key with its sealed secret, for the signature check.
#[derive(Debug, Clone)]
pub struct StoredAccessKey {
    pub key: AccessKey,
    pub account: Account,
    pub secret_sealed: String,
}

/// What a client token remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientToken {
    pub action: String,
    pub fingerprint: String,
    pub resource_id: String,
}

impl Tx {
    /// The row of `table` where `scope_column` is `scope` whose block overlaps `block`, found
    /// through the (scope, range_first) index: two blocks overlap when each starts before the
    /// other ends. The one place that rule is written in SQL.
    async fn first_overlapping<T>(
        &mut self,
        table: &Table,
        scope_column: &str,
        scope: String,
        block: &Cidr,
        decode: fn(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let (first, last) = range(block)?;
        let sql = format!(
            "SELECT {} FROM {} WHERE {scope_column} = $1 AND range_first <= $2 AND range_last >= $3 \
             ORDER BY range_first LIMIT 1",
            table.columns, table.name
        );
        self.fetch_optional(&sql, binds![scope, last, first], decode).await
    }

    pub(crate) async fn list<T>(
        &mut self,
        table: &Table,
        f: &ListFilter,
        extra: &[(&str, String)],
        decode: fn(&Row) -> Result<T>,
        position: fn(&T) -> PageToken,
    ) -> Result<Rows<T>> {
        let (sql, binds) = list_sql(table, f, extra);
        let mut items = self.fetch_all(&sql, binds, decode).await?;
        let next = if items.len() > f.limit as usize {
            items.truncate(f.limit as usize);
            items.last().map(position)
        } else {
            None
        };
        Ok(Rows { items, next })
    }

    // ---- accounts and keys ----

    pub async fn account_insert(&mut self, a: &Account) -> Result<()> {
        self.execute(
            "INSERT INTO accounts (id, kind, name, created_at) VALUES ($1, $2, $3, $4)",
            binds![a.id.to_string(), a.kind.as_str(), a.name.to_string(), a.created_at.millis()],
        )
        .await
        .map(drop)
    }

    pub async fn account_get(&mut self, id: &AccountId) -> Result<Option<Account>> {
        self.fetch_optional(
            "SELECT id, kind, name, created_at FROM accounts WHERE id = $1",
            binds![id.to_string()],
            account_row,
        )
        .await
    }

    pub async fn account_list(&mut self, f: &ListFilter) -> Result<Rows<Account>> {
        let f = ListFilter { account_id: None, ..f.clone() };
        self.list(&ACCOUNTS, &f, &[], account_row, |a| PageToken {
            created_at: a.created_at.millis(),
            id: a.id.to_string(),
        })
        .await
    }

    /// Whether an operator account exists yet.
    pub async fn account_operator_exists(&mut self) -> Result<bool> {
        Ok(self.count("SELECT COUNT(*) FROM accounts WHERE kind = $1", binds!["operator"]).await? > 0)
    }

    pub async fn access_key_insert(&mut self, k: &AccessKey, secret_sealed: &str) -> Result<()> {
        self.execute(
            "INSERT INTO access_keys (id, account_id, secret_sealed, created_at) VALUES ($1, $2, $3, $4)",
            binds![k.id.to_string(), k.account_id.to_string(), secret_sealed.to_owned(), k.created_at.millis()],
        )
        .await
        .map(drop)
    }

    /// The key, its account and its sealed secret, for checking a signature.
    pub async fn access_key_get(&mut self, id: &str) -> Result<Option<StoredAccessKey>> {
        self.fetch_optional(
            "SELECT k.id, k.account_id, k.secret_sealed, k.created_at, a.kind, a.name, \
             a.created_at AS account_created_at \
             FROM access_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = $1",
            binds![id.to_owned()],
            |row| {
                let account_id = AccountId::from_trusted(text(row, "account_id")?);
                Ok(StoredAccessKey {
                    key: AccessKey {
                        id: AccessKeyId::from_trusted(text(row, "id")?),
                        account_id: account_id.clone(),
                        created_at: ts(row, "created_at")?,
                    },
                    account: Account {
                        id: account_id,
                        kind: AccountKind::parse("kind", &text(row, "kind")?)?,
                        name: Name::from_trusted(text(row, "name")?),
                        created_at: ts(row, "account_created_at")?,
                    },
                    secret_sealed: text(row, "secret_sealed")?,
                })
            },
        )
        .await
    }

    pub async fn access_key_list(&mut self, account: &AccountId) -> Result<Vec<AccessKey>> {
        self.fetch_all(
            "SELECT id, account_id, created_at FROM access_keys WHERE account_id = $1 ORDER BY created_at, id",
            binds![account.to_string()],
            |row| {
                Ok(AccessKey {
                    id: AccessKeyId::from_trusted(text(row, "id")?),
                    account_id: AccountId::from_trusted(text(row, "account_id")?),
                    created_at: ts(row, "created_at")?,
                })
            },
        )
        .await
    }

    // ---- VPCs ----

    pub async fn vpc_insert(&mut self, v: &Vpc) -> Result<()> {
        self.execute(
            "INSERT INTO vpcs (id, account_id, region, cidr_block, name, description, vrouter_id, route_table_id, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            binds![
                v.id.to_string(),
                v.account_id.to_string(),
                v.region.to_string(),
                v.cidr_block.to_string(),
                name_value(&v.name),
                v.description.as_str().to_owned(),
                v.vrouter_id.to_string(),
                v.route_table_id.to_string(),
                v.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn vpc_get(&mut self, id: &VpcId) -> Result<Option<Vpc>> {
        let sql = format!("SELECT {} FROM vpcs WHERE id = $1", VPCS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vpc_row).await
    }

    /// Every VPC's id, for the data plane's whole desired state.
    pub async fn vpc_ids_all(&mut self) -> Result<Vec<VpcId>> {
        self.fetch_all("SELECT id FROM vpcs ORDER BY created_at, id", binds![], |row| {
            Ok(VpcId::from_trusted(text(row, "id")?))
        })
        .await
    }

    pub async fn vpc_get_by_route_table(&mut self, id: &RouteTableId) -> Result<Option<Vpc>> {
        let sql = format!("SELECT {} FROM vpcs WHERE route_table_id = $1", VPCS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vpc_row).await
    }

    pub async fn vpc_list(&mut self, f: &ListFilter) -> Result<Rows<Vpc>> {
        self.list(&VPCS, f, &[], vpc_row, |v| PageToken { created_at: v.created_at.millis(), id: v.id.to_string() })
            .await
    }

    /// How many VPCs an account has in a region, for its quota.
    pub async fn vpc_count(&mut self, account: &AccountId, region: &RegionId) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM vpcs WHERE account_id = $1 AND region = $2";
        self.count(sql, binds![account.to_string(), region.to_string()]).await
    }

    pub async fn vswitch_count(&mut self, vpc: &VpcId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM vswitches WHERE vpc_id = $1", binds![vpc.as_str()]).await
    }

    pub async fn security_group_count(&mut self, vpc: &VpcId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM security_groups WHERE vpc_id = $1", binds![vpc.as_str()]).await
    }

    pub async fn vpc_update(&mut self, v: &Vpc) -> Result<()> {
        self.execute(
            "UPDATE vpcs SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&v.name), v.description.as_str().to_owned(), v.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn vpc_delete(&mut self, id: &VpcId) -> Result<()> {
        self.execute("DELETE FROM vpcs WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// How many things still live in a VPC, by kind, for refusing its deletion.
    pub async fn vpc_dependents(&mut self, id: &VpcId) -> Result<Vec<(&'static str, i64)>> {
        self.dependents(
            id.as_str(),
            &[
                ("vswitches", "SELECT COUNT(*) FROM vswitches WHERE vpc_id = $1"),
                ("security groups", "SELECT COUNT(*) FROM security_groups WHERE vpc_id = $1"),
                ("route entries", "SELECT COUNT(*) FROM route_entries WHERE vpc_id = $1"),
                ("router interfaces", "SELECT COUNT(*) FROM router_interfaces WHERE vpc_id = $1"),
                ("hub attachments", "SELECT COUNT(*) FROM attachments WHERE network_id = $1"),
                ("grants", "SELECT COUNT(*) FROM grants WHERE network_id = $1"),
            ],
        )
        .await
    }

    /// Each kind whose count (`sql`, with `id` as `$1`) is not zero, with its count.
    pub(crate) async fn dependents(
        &mut self,
        id: &str,
        kinds: &[(&'static str, &str)],
    ) -> Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for (kind, sql) in kinds {
            let n = self.count(sql, binds![id]).await?;
            if n > 0 {
                out.push((*kind, n));
            }
        }
        Ok(out)
    }

    // ---- vswitches ----

    pub async fn vswitch_insert(&mut self, v: &VSwitch) -> Result<()> {
        let (first, last) = range(&v.cidr_block)?;
        self.execute(
            "INSERT INTO vswitches (id, account_id, vpc_id, region, zone, cidr_block, name, description, created_at, \
             range_first, range_last) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            binds![
                v.id.to_string(),
                v.account_id.to_string(),
                v.vpc_id.to_string(),
                v.region.to_string(),
                v.zone.clone(),
                v.cidr_block.to_string(),
                name_value(&v.name),
                v.description.as_str().to_owned(),
                v.created_at.millis(),
                first,
                last,
            ],
        )
        .await
        .map(drop)
    }

    pub async fn vswitch_get(&mut self, id: &VSwitchId) -> Result<Option<VSwitch>> {
        let sql = format!("SELECT {} FROM vswitches WHERE id = $1", VSWITCHES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], vswitch_row).await
    }

    pub async fn vswitch_list(&mut self, f: &ListFilter) -> Result<Rows<VSwitch>> {
        self.list(&VSWITCHES, f, &[], vswitch_row, |v| PageToken {
            created_at: v.created_at.millis(),
            id: v.id.to_string(),
        })
        .await
    }

    /// Every vswitch of a VPC, for overlap checks and system routes.
    pub async fn vswitch_list_by_vpc(&mut self, vpc: &VpcId) -> Result<Vec<VSwitch>> {
        let sql = format!("SELECT {} FROM vswitches WHERE vpc_id = $1 ORDER BY created_at, id", VSWITCHES.columns);
        self.fetch_all(&sql, binds![vpc.to_string()], vswitch_row).await
    }

    /// A vswitch of the VPC whose block overlaps `block`, if there is one.
    pub async fn vswitch_overlapping(&mut self, vpc: &VpcId, block: &Cidr) -> Result<Option<VSwitch>> {
        self.first_overlapping(&VSWITCHES, "vpc_id", vpc.to_string(), block, vswitch_row).await
    }

    pub async fn vswitch_update(&mut self, v: &VSwitch) -> Result<()> {
        self.execute(
            "UPDATE vswitches SET name = $1, description = $2 WHERE id = $3",
            binds![name_value(&v.name), v.description.as_str().to_owned(), v.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn vswitch_delete(&mut self, id: &VSwitchId) -> Result<()> {
        self.execute("DELETE FROM vswitches WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn vswitch_instance_count(&mut self, id: &VSwitchId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM instances WHERE vswitch_id = $1", binds![id.as_str()]).await
    }

    // ---- security groups and rules ----

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

    /// Deletes the rules of other accounts' groups that name this group as their peer.
    pub async fn security_group_rule_delete_foreign_refs(
        &mut self,
        id: &SecurityGroupId,
        owner: &AccountId,
    ) -> Result<u64> {
        let sql = "DELETE FROM security_group_rules WHERE peer_group_id = $1 AND security_group_id IN \
                   (SELECT id FROM security_groups WHERE account_id <> $2)";
        self.execute(sql, binds![id.to_string(), owner.to_string()]).await
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
        let (cidr, group) = match &r.peer {
            RulePeer::Cidr { cidr_block } => (cidr_block.to_string(), String::new()),
            RulePeer::SecurityGroup { security_group_id, .. } => (String::new(), security_group_id.to_string()),
        };
        let sql = format!(
            "SELECT {} FROM security_group_rules WHERE security_group_id = $1 AND direction = $2 AND protocol = $3 \
             AND COALESCE(port_from, -1) = $4 AND COALESCE(port_to, -1) = $5 AND COALESCE(peer_cidr, '') = $6 \
             AND COALESCE(peer_group_id, '') = $7 AND priority = $8 AND policy = $9 LIMIT 1",
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
        ];
        self.fetch_optional(&sql, binds, rule_row).await
    }

    pub async fn security_group_rule_delete(&mut self, id: &SecurityGroupRuleId) -> Result<()> {
        self.execute("DELETE FROM security_group_rules WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    // ---- instances ----

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

    // ---- route entries ----

    pub async fn route_entry_insert(&mut self, r: &RouteEntry) -> Result<()> {
        let (first, last) = range(&r.destination_cidr_block)?;
        let next_hop_id = r.next_hop.target_id().map(str::to_owned);
        self.execute(
            "INSERT INTO route_entries (id, account_id, route_table_id, vpc_id, destination_cidr_block, \
             next_hop_type, \
             next_hop_id, description, created_at, range_first, range_last) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            binds![
                r.id.to_string(),
                r.account_id.to_string(),
                r.route_table_id.to_string(),
                r.vpc_id.to_string(),
                r.destination_cidr_block.to_string(),
                r.next_hop.type_name(),
                next_hop_id,
                r.description.as_str().to_owned(),
                r.created_at.millis(),
                first,
                last,
            ],
        )
        .await
        .map(drop)
    }

    pub async fn route_entry_get(&mut self, id: &RouteEntryId) -> Result<Option<RouteEntry>> {
        let sql = format!("SELECT {} FROM route_entries WHERE id = $1", ROUTE_ENTRIES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], route_entry_row).await
    }

    pub async fn route_entry_list(&mut self, f: &ListFilter, table: Option<&RouteTableId>) -> Result<Rows<RouteEntry>> {
        let extra: Vec<(&str, String)> = table.map(|t| ("route_table_id", t.to_string())).into_iter().collect();
        self.list(&ROUTE_ENTRIES, f, &extra, route_entry_row, |r| PageToken {
            created_at: r.created_at.millis(),
            id: r.id.to_string(),
        })
        .await
    }

    /// Every custom entry of a route table.
    pub async fn route_entry_list_by_table(&mut self, table: &RouteTableId) -> Result<Vec<RouteEntry>> {
        let sql = format!(
            "SELECT {} FROM route_entries WHERE route_table_id = $1 ORDER BY created_at, id",
            ROUTE_ENTRIES.columns
        );
        self.fetch_all(&sql, binds![table.to_string()], route_entry_row).await
    }

    /// A custom entry of the table whose destination overlaps `block`, if there is one.
    pub async fn route_entry_overlapping(&mut self, table: &RouteTableId, block: &Cidr) -> Result<Option<RouteEntry>> {
        self.first_overlapping(&ROUTE_ENTRIES, "route_table_id", table.to_string(), block, route_entry_row).await
    }

    /// The custom entry of the table for exactly this destination, if there is one.
    pub async fn route_entry_by_destination(
        &mut self,
        table: &RouteTableId,
        block: &Cidr,
    ) -> Result<Option<RouteEntry>> {
        let sql = format!(
            "SELECT {} FROM route_entries WHERE route_table_id = $1 AND destination_cidr_block = $2",
            ROUTE_ENTRIES.columns
        );
        self.fetch_optional(&sql, binds![table.to_string(), block.to_string()], route_entry_row).await
    }

    pub async fn route_entry_count(&mut self, table: &RouteTableId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM route_entries WHERE route_table_id = $1", binds![table.to_string()]).await
    }

    pub async fn route_entry_update(&mut self, r: &RouteEntry) -> Result<()> {
        self.execute(
            "UPDATE route_entries SET description = $1 WHERE id = $2",
            binds![r.description.as_str().to_owned(), r.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn route_entry_delete(&mut self, id: &RouteEntryId) -> Result<()> {
        self.execute("DELETE FROM route_entries WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    // ---- audit trail and client tokens ----

    pub async fn audit_insert(&mut self, e: &AuditEvent) -> Result<()> {
        self.execute(
            "INSERT INTO audit_events (id, at, account_id, access_key_id, action, resource_id, request_id, result) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            binds![
                e.id.to_string(),
                e.at.millis(),
                e.account_id.to_string(),
                e.access_key_id.as_ref().map(|k| k.to_string()),
                e.action.clone(),
                e.resource_id.clone(),
                e.request_id.to_string(),
                e.result.clone()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn audit_list(&mut self, f: &ListFilter) -> Result<Rows<AuditEvent>> {
        self.list(&AUDIT, f, &[], audit_row, |e| PageToken { created_at: e.at.millis(), id: e.id.to_string() }).await
    }

    /// Records a changing request's nonce; false if the same key used it before (a replay).
    pub async fn request_nonce_insert(&mut self, key: &AccessKeyId, nonce: &str, expires_at: i64) -> Result<bool> {
        let sql = "INSERT INTO request_nonces (expires_at, access_key_id, nonce) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        Ok(self.execute(sql, binds![expires_at, key.to_string(), nonce]).await? == 1)
    }

    /// Forgets nonces whose dates have left the replay window (the date check refuses those).
    pub async fn request_nonce_prune(&mut self, now: i64) -> Result<u64> {
        self.execute("DELETE FROM request_nonces WHERE expires_at < $1", binds![now]).await
    }

    /// One stored sealed secret, to check at start that the sealing key opens them.
    pub async fn access_key_any_sealed(&mut self) -> Result<Option<String>> {
        self.fetch_optional("SELECT secret_sealed FROM access_keys ORDER BY created_at LIMIT 1", binds![], |r| {
            r.text("secret_sealed")
        })
        .await
    }

    pub async fn client_token_get(&mut self, account: &AccountId, token: &str) -> Result<Option<ClientToken>> {
        self.fetch_optional(
            "SELECT action, fingerprint, resource_id FROM client_tokens WHERE account_id = $1 AND token = $2",
            binds![account.to_string(), token.to_owned()],
            |row| {
                Ok(ClientToken {
                    action: text(row, "action")?,
                    fingerprint: text(row, "fingerprint")?,
                    resource_id: text(row, "resource_id")?,
                })
            },
        )
        .await
    }

    pub async fn client_token_insert(
        &mut self,
        account: &AccountId,
        token: &str,
        t: &ClientToken,
        now: Timestamp,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO client_tokens (account_id, token, action, fingerprint, resource_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            binds![
                account.to_string(),
                token.to_owned(),
                t.action.clone(),
                t.fingerprint.clone(),
                t.resource_id.clone(),
                now.millis()
            ],
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        let t = PageToken { created_at: 1700000000123, id: "vpc-abc".into() };
        assert_eq!(PageToken::decode(&t.encode()).unwrap(), t);
        for bad in ["", "x.vpc-1", "12", "12.", "12.a'b"] {
            assert!(PageToken::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_sql_numbers_its_placeholders() {
        let f = ListFilter {
            account_id: Some(AccountId::from_trusted("acc-x".into())),
            after: Some(PageToken { created_at: 5, id: "vpc-y".into() }),
            limit: 10,
            ..Default::default()
        };
        let (sql, binds) = list_sql(&VPCS, &f, &[]);
        assert!(sql.contains("account_id = $1"), "{sql}");
        assert!(sql.contains("created_at > $2 OR (created_at = $3 AND id > $4))"), "{sql}");
        assert!(sql.ends_with("LIMIT 11"), "{sql}");
        assert_eq!(binds.len(), 4);
    }
}
