//! The queries of permits and their documents.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{int, opt_text, position, text, ts};
use crate::sql::{Row, binds};

const PERMITS: Table = Table {
    name: "permits",
    columns: "id, account_id, enterprise, representative, status, reason, created_at, decided_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

/// A permit row without its documents, which live in their own table.
fn permit_row(row: &Row) -> Result<Permit> {
    let status = text(row, "status")?;
    Ok(Permit {
        id: PermitId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        enterprise: text(row, "enterprise")?,
        representative: text(row, "representative")?,
        documents: Vec::new(),
        status: PermitStatus::parse("status", &status).map_err(|e| Error::internal(format!("stored status: {e}")))?,
        reason: opt_text(row, "reason")?,
        created_at: ts(row, "created_at")?,
        decided_at: row.opt_int("decided_at")?.map(Timestamp::from_millis),
    })
}

impl Tx {
    pub async fn permit_count(&mut self, account: &AccountId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM permits WHERE account_id = $1", binds![account.to_string()]).await
    }

    /// Stores an application with its documents (`contents`: base64 of each document's bytes,
    /// in the order of `p.documents`).
    pub async fn permit_insert(&mut self, p: &Permit, contents: &[String]) -> Result<()> {
        let sql = format!("INSERT INTO permits ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", PERMITS.columns);
        let b = binds![
            p.id.to_string(),
            p.account_id.to_string(),
            p.enterprise.clone(),
            p.representative.clone(),
            p.status.as_str(),
            p.reason.clone(),
            p.created_at.millis(),
            p.decided_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await?;
        for (i, (d, content)) in p.documents.iter().zip(contents).enumerate() {
            self.execute(
                "INSERT INTO permit_documents (permit_id, position, name, sha256, size, content) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                binds![p.id.to_string(), i as i64, d.name.clone(), d.sha256.clone(), d.size as i64, content.clone()],
            )
            .await?;
        }
        Ok(())
    }

    async fn permit_documents_fill(&mut self, permits: &mut [Permit]) -> Result<()> {
        for p in permits {
            p.documents = self
                .fetch_all(
                    "SELECT name, sha256, size FROM permit_documents WHERE permit_id = $1 ORDER BY position",
                    binds![p.id.to_string()],
                    |row| {
                        Ok(PermitDocument {
                            name: text(row, "name")?,
                            size: int(row, "size")? as u64,
                            sha256: text(row, "sha256")?,
                        })
                    },
                )
                .await?;
        }
        Ok(())
    }

    /// A document's stored content (base64), by its permit and position.
    pub async fn permit_document_content(&mut self, permit: &PermitId, position: i64) -> Result<Option<String>> {
        self.fetch_optional(
            "SELECT content FROM permit_documents WHERE permit_id = $1 AND position = $2",
            binds![permit.to_string(), position],
            |row| text(row, "content"),
        )
        .await
    }

    pub async fn permit_get(&mut self, id: &PermitId) -> Result<Option<Permit>> {
        let sql = format!("SELECT {} FROM permits WHERE id = $1", PERMITS.columns);
        let mut found = self.fetch_optional(&sql, binds![id.to_string()], permit_row).await?;
        if let Some(p) = &mut found {
            self.permit_documents_fill(std::slice::from_mut(p)).await?;
        }
        Ok(found)
    }

    pub async fn permit_list(&mut self, f: &ListFilter) -> Result<Rows<Permit>> {
        let mut rows = self.list(&PERMITS, f, &[], permit_row, |p| position(p.created_at, &p.id)).await?;
        self.permit_documents_fill(&mut rows.items).await?;
        Ok(rows)
    }

    /// The account's permits, newest first, to decide whether it may buy across the border.
    pub async fn permit_list_by_account(&mut self, account: &AccountId) -> Result<Vec<Permit>> {
        let sql =
            format!("SELECT {} FROM permits WHERE account_id = $1 ORDER BY created_at DESC, id DESC", PERMITS.columns);
        self.fetch_all(&sql, binds![account.to_string()], permit_row).await
    }

    pub async fn permit_update(&mut self, p: &Permit) -> Result<()> {
        self.execute(
            "UPDATE permits SET status = $1, reason = $2, decided_at = $3 WHERE id = $4",
            binds![p.status.as_str(), p.reason.clone(), p.decided_at.map(|t| t.millis()), p.id.to_string()],
        )
        .await
        .map(drop)
    }
}
