//! The queries of the audit trail.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{opt_text, text, ts};
use crate::sql::{Row, binds};

const AUDIT: Table = Table {
    name: "audit_events",
    columns: "id, at, account_id, access_key_id, action, resource_id, request_id, result",
    time_column: "at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

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

impl Tx {
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
}
