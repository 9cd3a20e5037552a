//! Lists and pages: the filters a list takes, the position a page ends at, and the one query that
//! reads a page of any table.

use xconnect_model::*;

use crate::Tx;
use crate::row::range;
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

impl Tx {
    /// The row of `table` where `scope_column` is `scope` whose block overlaps `block`, found
    /// through the (scope, range_first) index: two blocks overlap when each starts before the
    /// other ends. The one place that rule is written in SQL.
    pub(crate) async fn first_overlapping<T>(
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::VPCS;

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
