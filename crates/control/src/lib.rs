//! The control plane: every operation the API offers, as one function each, named resource then
//! verb. An operation validates its input into the model's types, then runs as one store
//! transaction in which it checks authorization, quotas and the rules of SPEC.md, makes its
//! change and records it in the audit trail, so that either all of that happens or none of it.
//!
//! Authorization follows one rule: an account acts on what it owns (later: plus what was granted
//! to it); everything else is reported as not found, exactly as if it did not exist. The operator
//! may read everything but changes only its own resources.

/// A transaction's body as `Control::mutate`, `create`, `read` and `read_as` take it:
/// `tx!(|tx, caller, input| { ... })` is the closure that boxes its body's future. A write's body
/// may run more than once (PostgreSQL retries it from the start), so it takes its inputs afresh
/// each time; one that needs more than its inputs clones it before boxing, without the macro.
macro_rules! tx {
    (|$($p:pat_param),*| $body:expr) => {
        move |$($p),*| Box::pin(async move { $body })
    };
}

pub mod access;
mod account;
mod attachment;
mod audit;
mod bandwidth_package;
pub mod billing;
pub mod catalog;
mod clock;
mod connectivity;
mod data_centre_host;
mod grant;
mod hub;
mod instance;
mod inter_region_bandwidth;
mod network_path;
mod op;
mod order;
mod permit;
mod physical_connection;
mod region;
mod route;
mod router_interface;
pub mod secrets;
mod security_group;
mod shared_port;
mod vbr;
mod vpc;
mod vswitch;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use xconnect_model::*;
use xconnect_store::{Store, Tx};

pub use catalog::default_catalog;
pub use op::Deleted;
pub use secrets::Sealer;
pub use security_group::{Rules, RulesDeleted};

/// Limits on how much one account may create. The defaults are those of a public cloud's
/// default quotas.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quotas {
    pub vpcs_per_region: i64,
    pub vswitches_per_vpc: i64,
    pub security_groups_per_vpc: i64,
    pub rules_per_security_group: i64,
    pub route_entries_per_table: i64,
    pub router_interfaces_per_vrouter: i64,
    /// A VBR's routes to its data centre, given whole in one request.
    pub routes_per_vbr: i64,
    pub hubs_per_account: i64,
    /// Hubs one network is granted to.
    pub grants_per_network: i64,
    pub bandwidth_packages_per_account: i64,
    /// Cross-border applications, whatever became of them.
    pub permits_per_account: i64,
    pub physical_connections_per_account: i64,
    /// Ports pushed on one connection and not declined.
    pub shared_ports_per_connection: i64,
    pub data_centre_hosts_per_vbr: i64,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            vpcs_per_region: 10,
            vswitches_per_vpc: 150,
            security_groups_per_vpc: 100,
            rules_per_security_group: 200,
            route_entries_per_table: 200,
            router_interfaces_per_vrouter: 5,
            routes_per_vbr: 200,
            hubs_per_account: 10,
            grants_per_network: 10,
            bandwidth_packages_per_account: 50,
            permits_per_account: 20,
            physical_connections_per_account: 50,
            shared_ports_per_connection: 100,
            data_centre_hosts_per_vbr: 100,
        }
    }
}

/// Who is asking: the account a request was signed for, with the key and the request's id.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub access_key_id: Option<AccessKeyId>,
    pub request_id: RequestId,
    /// The signed request's nonce, recorded in the store with every change it makes; `None` for
    /// a request that is not signed, or whose nonce the request layer has stored already.
    pub nonce: Option<SignedNonce>,
}

/// A signed request's nonce and the unix second until which a replay of it must be refused.
#[derive(Debug, Clone)]
pub struct SignedNonce {
    pub access_key_id: AccessKeyId,
    pub nonce: String,
    /// The request's date, in whole unix seconds (rounded down).
    pub dated: i64,
    pub expires_at: i64,
}

/// Prune expired nonces once every this many changes.
const NONCE_PRUNE_EVERY: u64 = 1024;

impl Caller {
    /// The caller for the changes a request makes after its first (a front's action that is two
    /// control operations, such as create-and-pay): the first change stored the nonce, and a
    /// replay is refused there, so the later ones carry none and are not taken for replays.
    pub fn after_first_change(&self) -> Caller {
        Caller { nonce: None, ..self.clone() }
    }

    /// Whether the caller may see a resource owned by `owner`.
    pub fn can_see(&self, owner: &AccountId) -> bool {
        self.account.kind == AccountKind::Operator || &self.account.id == owner
    }

    /// The account whose resources a list shows: the caller's own, or for the operator, the one
    /// it asked for (or all when it asked for none).
    pub fn list_scope(&self, asked: Option<AccountId>) -> Result<Option<AccountId>> {
        match (self.account.kind, asked) {
            (AccountKind::Operator, asked) => Ok(asked),
            (_, None) => Ok(Some(self.account.id.clone())),
            (_, Some(a)) if a == self.account.id => Ok(Some(a)),
            (_, Some(_)) => Err(Error::Forbidden {
                message: "account_id filters are for the operator; leave it out to list your own resources".into(),
            }),
        }
    }
}

/// The service: the store, the catalogue and the settings every operation reads.
#[derive(Clone)]
pub struct Control {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    catalog: Catalog,
    sealer: Sealer,
    quotas: Quotas,
    keys: access::KeyCache,
    /// Changes made, for pruning expired nonces now and then.
    changes: std::sync::atomic::AtomicU64,
    prices: xconnect_model::billing::PriceList,
}

impl Control {
    pub fn new(store: Store, catalog: Catalog, sealer: Sealer, quotas: Quotas) -> Control {
        let keys = access::KeyCache::default();
        let changes = std::sync::atomic::AtomicU64::new(0);
        let prices = billing::default_prices();
        Control { inner: Arc::new(Inner { store, catalog, sealer, quotas, keys, changes, prices }) }
    }

    /// The same service with another price list; for setting it up, before it is shared.
    pub fn with_prices(mut self, prices: xconnect_model::billing::PriceList) -> Control {
        Arc::get_mut(&mut self.inner).expect("prices are set before the service is shared").prices = prices;
        self
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn quotas(&self) -> &Quotas {
        &self.inner.quotas
    }

    pub(crate) fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }

    /// Runs a changing operation as one transaction and records it in the audit trail: inside
    /// the transaction when it succeeds, in a transaction of its own when it is refused (so a
    /// refused request still leaves its trace, and nothing else). `input` is the validated
    /// request, or why it failed validation, which is recorded like any other refusal.
    pub(crate) async fn mutate<I, T, F>(
        &self,
        caller: &Caller,
        action: &'static str,
        input: Result<I>,
        op: F,
    ) -> Result<T>
    where
        I: Clone + Send + 'static,
        T: Send + 'static + Audited,
        F: for<'t> Fn(&'t mut Tx, &'t Caller, I) -> BoxFuture<'t, Result<T>> + Send + Sync + 'static,
    {
        let who = caller.clone();
        let op = Arc::new(op);
        let result = match input {
            Err(e) => Err(e),
            Ok(input) => {
                self.inner
                    .store
                    .write(input, move |tx, input| {
                        let op = op.clone();
                        let who = who.clone();
                        Box::pin(async move {
                            record_nonce(tx, &who).await?;
                            let value = op(tx, &who, input).await?;
                            tx.audit_insert(&event(&who, action, value.audited_id(), "ok")).await?;
                            Ok(value)
                        })
                    })
                    .await
            }
        };
        if let Err(e) = &result {
            // The refusal's nonce is kept too: replayed later, when the state has changed, the
            // same request might otherwise succeed.
            let refused = (event(caller, action, None, e.code()), caller.clone());
            let write = self.inner.store.write(refused, |tx, (ev, who)| {
                Box::pin(async move {
                    if let Some(n) = &who.nonce {
                        tx.request_nonce_insert(&n.access_key_id, &n.nonce, n.expires_at).await?;
                    }
                    tx.audit_insert(&ev).await
                })
            });
            if let Err(audit) = write.await {
                tracing::error!(error = %audit, "could not record a refused request in the audit trail");
            }
        }
        if self.inner.changes.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(NONCE_PRUNE_EVERY) {
            let now = now().millis() / 1000;
            let pruned =
                self.inner.store.write(now, |tx, now| Box::pin(async move { tx.request_nonce_prune(now).await }));
            if let Err(e) = pruned.await {
                tracing::warn!(error = %e, "could not prune expired nonces; will try again");
            }
        }
        result
    }

    /// Runs a reading operation on one snapshot.
    pub(crate) async fn read<I, T, F>(&self, input: I, op: F) -> Result<T>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx, I) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        self.inner.store.read(input, op).await
    }

    /// Runs a reading operation on one snapshot, handing it the caller, for what it may see.
    pub(crate) async fn read_as<I, T, F>(&self, caller: &Caller, input: I, op: F) -> Result<T>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx, &'t Caller, I) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        let who = caller.clone();
        self.inner.store.read(input, move |tx, input| Box::pin(async move { op(tx, &who, input).await })).await
    }
}

/// What an operation's result says about the resource it changed, for the audit trail.
pub trait Audited {
    fn audited_id(&self) -> Option<String>;
}

impl Control {
    /// Whether the service can answer: its store answers and has every migration of this build.
    pub async fn ready(&self) -> Result<bool> {
        self.read((), tx!(|tx, _unit| tx.migrated().await)).await
    }

    /// Stores a signed request's nonce in a transaction of its own, for a request whose nonce
    /// must outlive this process before it is answered; false if it was there (a replay).
    pub async fn request_nonce_store(&self, n: &SignedNonce) -> Result<bool> {
        let n = n.clone();
        self.inner
            .store
            .write(n, tx!(|tx, n| tx.request_nonce_insert(&n.access_key_id, &n.nonce, n.expires_at).await))
            .await
    }

    /// The stored nonces of requests dated at or after `dated` (unix seconds), given that each
    /// expires `window` seconds after its date.
    pub async fn request_nonces_dated_from(&self, dated: i64, window: i64) -> Result<Vec<SignedNonce>> {
        let rows = self.read(dated + window, tx!(|tx, from| tx.request_nonce_list(from).await)).await?;
        Ok(rows
            .into_iter()
            .map(|(access_key_id, nonce, expires_at)| SignedNonce {
                access_key_id,
                nonce,
                dated: expires_at - window,
                expires_at,
            })
            .collect())
    }
}

/// Records the request's nonce in the change's own transaction; a nonce already there is a
/// replay, refused before anything else happens.
async fn record_nonce(tx: &mut Tx, caller: &Caller) -> Result<()> {
    let Some(n) = &caller.nonce else { return Ok(()) };
    if tx.request_nonce_insert(&n.access_key_id, &n.nonce, n.expires_at).await? {
        Ok(())
    } else {
        Err(Error::nonce_reused())
    }
}

fn event(caller: &Caller, action: &str, resource_id: Option<String>, result: &str) -> AuditEvent {
    AuditEvent {
        id: new_id(),
        at: now(),
        account_id: caller.account.id.clone(),
        access_key_id: caller.access_key_id.clone(),
        action: action.to_owned(),
        resource_id,
        request_id: caller.request_id.clone(),
        result: result.to_owned(),
    }
}

/// A fresh id of any kind: 48 bits of the current time in milliseconds, then 72 bits from the
/// operating system's random source. The random part makes ids unguessable; the time in front
/// makes ids made one after another sort together, so their inserts land on the same index
/// pages instead of dirtying a random page of every index each time (which the SQLite WAL, and
/// so every commit's fsync, pays for).
pub fn new_id<T: ResourceId>() -> T {
    let mut bytes = [0u8; ID_ENTROPY_BYTES];
    let ms = now().millis().to_be_bytes();
    bytes[..6].copy_from_slice(&ms[2..]);
    getrandom::fill(&mut bytes[6..]).expect("the operating system's random source is available");
    T::from_entropy(&bytes)
}

/// The current time.
pub fn now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    Timestamp::from_millis(ms)
}
