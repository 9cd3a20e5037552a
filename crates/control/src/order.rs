//! Orders: what an account is charged for, from when to when.

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::ListFilter;

use crate::op::{list_filter, page};
use crate::{Caller, Control};

impl Control {
    /// The caller's orders, oldest first (the operator's: every account's).
    pub async fn order_list(&self, caller: &Caller, q: OrderListQuery) -> Result<Page<Order>> {
        let q = ListQuery::from(q);
        let f: ListFilter = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.order_list(&f).await)).await?))
    }
}
