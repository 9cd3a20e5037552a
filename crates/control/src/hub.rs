//! Hubs (seeds 000 and 002). A hub is not deleted while it holds an attachment: nothing is detached
//! silently.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, Get, Save, changeable, counted, description, idempotency, list_filter, page, quota, unused};
use crate::{Audited, Caller, Control, new_id, now};

impl Audited for Hub {
    fn audited_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

impl crate::op::Owned for Hub {
    const KIND: &'static str = HubId::KIND;
    fn owner(&self) -> &AccountId {
        &self.account_id
    }
}

impl crate::op::Named for Hub {
    fn rename(&mut self, name: Option<Name>, description: Option<Description>) {
        if let Some(n) = name {
            self.name = n;
        }
        if let Some(d) = description {
            self.description = d;
        }
    }
}

impl Control {
    pub async fn hub_create(&self, caller: &Caller, req: HubCreateRequest) -> Result<Hub> {
        let limit = self.quotas().hubs_per_account;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let name = Name::parse("name", &req.name)?;
            let description = description(&req.description)?;
            let project = Name::parse("enterprise_project", req.enterprise_project.as_deref().unwrap_or("default"))?;
            Ok(((name, description, project), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.hub_get(id));
        self.create(
            caller,
            "hub_create",
            input,
            get,
            tx!(|tx, caller, (name, description, enterprise_project)| {
                quota(tx.hub_count(&caller.account.id).await?, limit, "hubs per account")?;
                let hub = Hub {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    name,
                    description,
                    enterprise_project,
                    created_at: now(),
                };
                tx.hub_insert(&hub).await?;
                Ok(hub)
            }),
        )
        .await
    }

    pub async fn hub_get(&self, caller: &Caller, id: &str) -> Result<Hub> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.hub_get(id));
        self.fetch(caller, HubId::parse("hub_id", id), get).await
    }

    pub async fn hub_list(&self, caller: &Caller, q: HubListQuery) -> Result<Page<Hub>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.hub_list(&f).await)).await?))
    }

    pub async fn hub_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<Hub> {
        let id = HubId::parse("hub_id", id);
        let (get, save): (Get<_, _>, Save<_>) = (|tx, id| Box::pin(tx.hub_get(id)), |tx, h| Box::pin(tx.hub_update(h)));
        self.rename(caller, "hub_modify", id, req, get, save).await
    }

    /// Deletes a hub; refused while networks are attached to it or packages are bound to it.
    pub async fn hub_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = HubId::parse("hub_id", id);
        self.mutate(
            caller,
            "hub_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.hub_get(&id).await?, |h| &h.account_id, HubId::KIND, &id)?;
                let attached = tx.attachment_count_by_hub(&id).await?;
                unused(format!("hub {id}"), counted(&[("attached networks", attached)]))?;
                let bound = tx.bandwidth_package_count_for_hub(&id).await?;
                unused(
                    format!("hub {id}"),
                    counted(&[("bandwidth packages bound to it or to be bound when paid", bound)]),
                )?;
                tx.hub_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
