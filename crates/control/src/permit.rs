//! Cross-border permits: without an approved one, no package joins the Chinese mainland with
//! another area.

use base64::Engine;
use sha2::{Digest, Sha256};
use xconnect_model::wire::*;
use xconnect_model::*;

use crate::clock::clock;
use crate::op::{list_filter, page, quota};
use crate::{Caller, Control, new_id, now};

/// The most documents one permit application carries.
pub const MAX_DOCUMENTS: usize = 10;

impl Control {
    /// Applies for a permit: Pending approval until the operator decides.
    pub async fn permit_create(&self, caller: &Caller, req: PermitCreateRequest) -> Result<Permit> {
        let limit = self.quotas().permits_per_account;
        let input = (|| -> Result<_> {
            let text = |field: &str, s: &str, max: usize| -> Result<String> {
                let t = s.trim();
                if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        field,
                        format_args!("give 1 to {max} characters, no control characters"),
                    ));
                }
                Ok(t.to_owned())
            };
            let enterprise = text("enterprise", &req.enterprise, 128)?;
            let representative = text("representative", &req.representative, 64)?;
            if req.documents.is_empty() || req.documents.len() > MAX_DOCUMENTS {
                return Err(Error::invalid(
                    "documents",
                    format_args!("attach 1 to {MAX_DOCUMENTS} signed documents, not {}", req.documents.len()),
                ));
            }
            let mut documents = Vec::new();
            let mut contents = Vec::new();
            for d in &req.documents {
                let name = text("documents.name", &d.name, 128)?;
                let bytes = base64::engine::general_purpose::STANDARD.decode(&d.content_base64).map_err(|_| {
                    Error::invalid("documents.content_base64", format_args!("{name}: not base64 (standard, padded)"))
                })?;
                if bytes.is_empty() {
                    return Err(Error::invalid("documents.content_base64", format_args!("{name} is empty")));
                }
                documents.push(PermitDocument {
                    name,
                    size: bytes.len() as u64,
                    sha256: hex::encode(Sha256::digest(&bytes)),
                });
                contents.push(d.content_base64.clone());
            }
            let permit = Permit {
                id: new_id(),
                account_id: caller.account.id.clone(),
                enterprise,
                representative,
                documents,
                status: PermitStatus::PendingApproval,
                reason: None,
                created_at: now(),
                decided_at: None,
            };
            Ok((permit, contents))
        })();
        self.mutate(
            caller,
            "permit_create",
            input,
            tx!(|tx, caller, (permit, contents)| {
                quota(tx.permit_count(&caller.account.id).await?, limit, "cross-border applications per account")?;
                tx.permit_insert(&permit, &contents).await?;
                Ok(permit)
            }),
        )
        .await
    }

    pub async fn permit_get(&self, caller: &Caller, id: &str) -> Result<Permit> {
        let get: crate::op::Get<_, _> = |tx, id| Box::pin(tx.permit_get(id));
        self.fetch(caller, PermitId::parse("permit_id", id), get).await
    }

    /// The caller's applications; the operator's list holds every account's.
    pub async fn permit_list(&self, caller: &Caller, q: PermitListQuery) -> Result<Page<Permit>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.permit_list(&f).await)).await?))
    }

    /// Operator only: approves an application pending approval.
    pub async fn permit_approve(&self, caller: &Caller, id: &str) -> Result<Permit> {
        self.permit_decide(caller, id, None).await
    }

    /// Operator only: rejects an application pending approval, saying why.
    pub async fn permit_reject(&self, caller: &Caller, id: &str, req: PermitRejectRequest) -> Result<Permit> {
        self.permit_decide(caller, id, Some(req)).await
    }

    /// Approval and rejection are one check and one write, told apart by the reason.
    async fn permit_decide(&self, caller: &Caller, id: &str, reject: Option<PermitRejectRequest>) -> Result<Permit> {
        let action = if reject.is_some() { "permit_reject" } else { "permit_approve" };
        let input = (|| -> Result<_> {
            if caller.account.kind != AccountKind::Operator {
                return Err(Error::Forbidden { message: "only the operator approves or rejects permits".into() });
            }
            let id = PermitId::parse("permit_id", id)?;
            let reason = match reject {
                None => None,
                Some(r) if r.reason.trim().is_empty() || r.reason.chars().count() > 255 => {
                    return Err(Error::invalid("reason", "say why, in 1 to 255 characters"));
                }
                Some(r) => Some(r.reason.trim().to_owned()),
            };
            Ok((id, reason))
        })();
        self.mutate(
            caller,
            action,
            input,
            tx!(|tx, _, (id, reason)| {
                let mut p = tx.permit_get(&id).await?.ok_or_else(|| Error::not_found(PermitId::KIND, &id))?;
                if p.status != PermitStatus::PendingApproval {
                    return Err(Error::conflict(
                        "Permit.AlreadyDecided",
                        format_args!("permit {id} is {}: only one pending approval is decided", p.status),
                    ));
                }
                p.status = if reason.is_some() { PermitStatus::Rejected } else { PermitStatus::Approved };
                p.reason = reason;
                p.decided_at = Some(clock(tx).await?);
                tx.permit_update(&p).await?;
                Ok(p)
            }),
        )
        .await
    }
}
