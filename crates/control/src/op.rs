//! What every operation shares: paging and filters of lists, who may see and who may change a
//! resource, quotas, the refusal to delete what is in use, client tokens, and the bodies of `*_get`
//! and `*_modify`.

use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::{ClientToken, ListFilter, PageToken, Rows, Tx};

use crate::{Audited, Caller, Control, now};

/// The id of a deleted resource, for the audit trail.
#[derive(Debug, Clone)]
pub struct Deleted(pub String);

macro_rules! audited {
    ($($t:ty),*) => {$(
        impl Audited for $t {
            fn audited_id(&self) -> Option<String> {
                Some(self.id.to_string())
            }
        }
    )*};
}

audited!(Vpc, VSwitch, Instance, SecurityGroup, SecurityGroupRule, RouteEntry, RouterInterface);

impl Audited for Deleted {
    fn audited_id(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

/// Page size when the caller gives none, and the most it may ask for.
const DEFAULT_PAGE: u32 = 50;

const MAX_PAGE: u32 = 100;

/// Validates a list's paging and filters. Which filters a list takes is its query type's
/// business (`wire::VpcListQuery` and the like): over HTTP any other is refused before this runs.
pub(crate) fn list_filter(control: &Control, caller: &Caller, q: &ListQuery) -> Result<ListFilter> {
    let limit = match q.max_results {
        None => DEFAULT_PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(n) => return Err(Error::invalid("max_results", format_args!("{n} is out of range: use 1 to {MAX_PAGE}"))),
    };
    let asked = q.account_id.as_deref().map(|a| AccountId::parse("account_id", a)).transpose()?;
    Ok(ListFilter {
        account_id: caller.list_scope(asked)?,
        region: q.region.as_deref().map(|r| control.catalog().region_id(r)).transpose()?,
        vpc_id: q.vpc_id.as_deref().map(|v| VpcId::parse("vpc_id", v)).transpose()?,
        name: q.name.as_deref().map(|n| Name::parse("name", n)).transpose()?,
        after: q.next_token.as_deref().map(PageToken::decode).transpose()?,
        limit,
    })
}

pub(crate) fn page<T>(rows: Rows<T>) -> Page<T> {
    Page { items: rows.items, next_token: rows.next.map(|t| t.encode()) }
}

/// A resource the caller may read: its own, or any for the operator. Anything else is
/// reported exactly like a resource that does not exist.
pub(crate) fn visible<T>(
    caller: &Caller,
    found: Option<T>,
    owner: impl Fn(&T) -> &AccountId,
    kind: &'static str,
    id: &dyn std::fmt::Display,
) -> Result<T> {
    match found {
        Some(r) if caller.can_see(owner(&r)) => Ok(r),
        _ => Err(Error::not_found(kind, id)),
    }
}

/// A resource the caller may change: only its own. The operator, who may see it, is told why
/// it may not change it; anyone else learns nothing.
pub(crate) fn changeable<T>(
    caller: &Caller,
    found: Option<T>,
    owner: impl Fn(&T) -> &AccountId,
    kind: &'static str,
    id: &dyn std::fmt::Display,
) -> Result<T> {
    let r = visible(caller, found, &owner, kind, id)?;
    if owner(&r) == &caller.account.id {
        Ok(r)
    } else {
        Err(Error::Forbidden {
            message: format!("{kind} {id} belongs to another account; the operator may read it but not change it"),
        })
    }
}

/// Refuses to delete `resource` while anything still uses it. `dependents` says what, in words
/// ("2 instances"), or is `None` when nothing does; every delete's refusal is made here.
pub(crate) fn unused(resource: String, dependents: Option<String>) -> Result<()> {
    match dependents {
        None => Ok(()),
        Some(dependents) => Err(Error::DependencyViolation { resource, dependents }),
    }
}

/// What uses a resource, as counted by kind: the kinds with a count, or `None` when none has one.
pub(crate) fn counted(dependents: &[(&str, i64)]) -> Option<String> {
    let list: Vec<String> = dependents.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{n} {k}")).collect();
    (!list.is_empty()).then(|| list.join(", "))
}

pub(crate) fn opt_name(field: &str, s: &Option<String>) -> Result<Option<Name>> {
    s.as_deref().map(|n| Name::parse(field, n)).transpose()
}

pub(crate) fn description(s: &Option<String>) -> Result<Description> {
    Description::parse("description", s.as_deref().unwrap_or(""))
}

pub(crate) fn quota(used: i64, limit: i64, what: &str) -> Result<()> {
    if used >= limit { Err(Error::QuotaExceeded { what: what.to_owned(), limit: limit.max(0) as u64 }) } else { Ok(()) }
}

/// A validated client token and the fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub(crate) struct Idempotency {
    token: String,
    fingerprint: String,
}

pub(crate) fn idempotency<R: serde::Serialize>(token: &Option<String>, req: &R) -> Result<Option<Idempotency>> {
    let Some(token) = token else { return Ok(None) };
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid("client_token", "use 1 to 64 printable ASCII characters"));
    }
    let body = serde_json::to_vec(req).map_err(Error::internal)?;
    Ok(Some(Idempotency { token: token.clone(), fingerprint: hex::encode(Sha256::digest(body)) }))
}

/// The id of what an earlier request with the same client token made, if there was one.
pub(crate) async fn replayed(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    idem: &Option<Idempotency>,
) -> Result<Option<String>> {
    let Some(idem) = idem else { return Ok(None) };
    match tx.client_token_get(&caller.account.id, &idem.token).await? {
        None => Ok(None),
        Some(t) if t.action == action && t.fingerprint == idem.fingerprint => Ok(Some(t.resource_id)),
        Some(_) => Err(Error::IdempotentParameterMismatch { token: idem.token.clone() }),
    }
}

pub(crate) async fn remember(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    idem: &Option<Idempotency>,
    id: &str,
) -> Result<()> {
    let Some(idem) = idem else { return Ok(()) };
    let t =
        ClientToken { action: action.to_owned(), fingerprint: idem.fingerprint.clone(), resource_id: id.to_owned() };
    tx.client_token_insert(&caller.account.id, &idem.token, &t, now()).await
}

/// A resource owned by one account, which the `*_get` operations read the same way.
pub(crate) trait Owned: Send + 'static {
    const KIND: &'static str;
    fn owner(&self) -> &AccountId;
}

macro_rules! owned {
    ($($t:ty => $id:ty),*) => {$(
        impl Owned for $t {
            const KIND: &'static str = <$id>::KIND;
            fn owner(&self) -> &AccountId {
                &self.account_id
            }
        }
    )*};
}

owned!(
    Vpc => VpcId,
    VSwitch => VSwitchId,
    SecurityGroup => SecurityGroupId,
    Instance => InstanceId,
    RouteEntry => RouteEntryId,
    RouterInterface => RouterInterfaceId
);

/// A resource with a name and a description, which the `*_modify` operations change the same
/// way.
pub(crate) trait Named: Owned + Audited {
    fn rename(&mut self, name: Option<Name>, description: Option<Description>);
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn rename(&mut self, name: Option<Name>, description: Option<Description>) {
                if name.is_some() {
                    self.name = name;
                }
                if let Some(d) = description {
                    self.description = d;
                }
            }
        }
    )*};
}

named!(Vpc, VSwitch, SecurityGroup, RouterInterface);

/// An id kind as stored, for reading back what an earlier create with the same client token made.
pub(crate) trait Trusted: std::fmt::Display + Send + Sync + 'static {
    const KIND: &'static str;
    fn trusted(id: String) -> Self;
}

macro_rules! trusted {
    ($($id:ty),*) => {$(
        impl Trusted for $id {
            const KIND: &'static str = <$id>::KIND;
            fn trusted(id: String) -> Self {
                <$id>::from_trusted(id)
            }
        }
    )*};
}
trusted!(
    VpcId,
    VSwitchId,
    InstanceId,
    SecurityGroupId,
    RouteEntryId,
    RouterInterfaceId,
    HubId,
    AttachmentId,
    BandwidthPackageId
);

/// Reads a resource by id in a transaction.
pub(crate) type Get<Id, R> = for<'t> fn(&'t mut Tx, &'t Id) -> BoxFuture<'t, Result<Option<R>>>;

/// Writes a changed resource back in a transaction.
pub(crate) type Save<R> = for<'t> fn(&'t mut Tx, &'t R) -> BoxFuture<'t, Result<()>>;

audited!(BandwidthPackage, InterRegionBandwidth, Permit);

owned!(InterRegionBandwidth => InterRegionBandwidthId, Permit => PermitId);

audited!(PhysicalConnection, SharedPort, Vbr, DataCentreHost);

impl Control {
    /// The body every `*_get` shares: read it, and show it only to whom may see it.
    pub(crate) async fn fetch<Id, R>(&self, caller: &Caller, id: Result<Id>, get: Get<Id, R>) -> Result<R>
    where
        Id: Send + Sync + std::fmt::Display + 'static,
        R: Owned,
    {
        self.read_as(caller, id?, tx!(|tx, caller, id| visible(caller, get(tx, &id).await?, R::owner, R::KIND, &id)))
            .await
    }

    /// The body every `*_create` with a client token shares. `input` is the validated request with
    /// its client token: a request repeated with the same token and body gets what the first one
    /// made (read back with `get`), one with the same token and another body is refused, and
    /// anything else runs `op`, whose result is remembered under the token in the same transaction.
    pub(crate) async fn create<I, Id, R, F>(
        &self,
        caller: &Caller,
        action: &'static str,
        input: Result<(I, Option<Idempotency>)>,
        get: Get<Id, R>,
        op: F,
    ) -> Result<R>
    where
        I: Clone + Send + 'static,
        Id: Trusted,
        R: Audited + Send + 'static,
        F: for<'t> Fn(&'t mut Tx, &'t Caller, I) -> BoxFuture<'t, Result<R>> + Send + Sync + 'static,
    {
        let op = std::sync::Arc::new(op);
        self.mutate(caller, action, input, move |tx, caller, (input, idem)| {
            let op = op.clone();
            Box::pin(async move {
                if let Some(id) = replayed(tx, caller, action, &idem).await? {
                    let id = Id::trusted(id);
                    return get(tx, &id).await?.ok_or_else(|| Error::not_found(Id::KIND, &id));
                }
                let made = op(tx, caller, input).await?;
                if let Some(id) = made.audited_id() {
                    remember(tx, caller, action, &idem, &id).await?;
                }
                Ok(made)
            })
        })
        .await
    }

    /// The body every `*_modify` of a named resource shares: validate, then in one
    /// transaction check the caller owns it, change what was given and save it.
    pub(crate) async fn rename<Id, R>(
        &self,
        caller: &Caller,
        action: &'static str,
        id: Result<Id>,
        req: ModifyRequest,
        get: Get<Id, R>,
        save: Save<R>,
    ) -> Result<R>
    where
        Id: Clone + Send + Sync + std::fmt::Display + 'static,
        R: Named,
    {
        let input = (|| -> Result<_> {
            let name = opt_name("name", &req.name)?;
            let description = req.description.as_ref().map(|_| description(&req.description)).transpose()?;
            Ok((id?, name, description))
        })();
        self.mutate(
            caller,
            action,
            input,
            tx!(|tx, caller, (id, name, description)| {
                let mut r = changeable(caller, get(tx, &id).await?, R::owner, R::KIND, &id)?;
                r.rename(name, description);
                save(tx, &r).await?;
                Ok(r)
            }),
        )
        .await
    }
}
