//! The audit trail, as its accounts and the operator read it.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{list_filter, page};
use crate::{Caller, Control};

impl Control {
    /// The caller's own events, oldest first; the operator sees every account's.
    pub async fn audit_list(&self, caller: &Caller, q: AuditListQuery) -> Result<Page<AuditEvent>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.audit_list(&f).await)).await?))
    }
}
