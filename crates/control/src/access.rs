//! Accounts, access keys and request authentication: the operator's first key, keys for new
//! accounts, and the lookup that turns a signed request's `Credential` into its account and
//! secret.

use std::collections::HashMap;
use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use xconnect_model::wire::AccountCreateRequest;
use xconnect_model::*;

use crate::{Audited, Caller, Control, new_id, now};

/// Keys already opened, so that checking a signature costs no database read and no decryption
/// after a key's first use. Keys are immutable once made, so an entry never goes stale.
#[derive(Default)]
pub struct KeyCache {
    keys: RwLock<HashMap<String, (Account, String)>>,
}

/// The account a key belongs to and the key's secret, for checking a signature.
#[derive(Debug, Clone)]
pub struct KeyMaterial {
    pub account: Account,
    pub access_key_id: AccessKeyId,
    pub secret: String,
}

impl Audited for AccountCreated {
    fn audited_id(&self) -> Option<String> {
        Some(self.account.id.to_string())
    }
}

impl Audited for AccessKeySecret {
    fn audited_id(&self) -> Option<String> {
        Some(self.access_key_id.to_string())
    }
}

/// A new secret: 30 random bytes, 40 characters of URL-safe base64.
fn new_secret() -> String {
    let mut bytes = [0u8; 30];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Control {
    /// The secret of a key and the account it acts for; `None` if no such key exists.
    pub async fn access_key_material(&self, access_key_id: &str) -> Result<Option<KeyMaterial>> {
        if let Some((account, secret)) = self.inner.keys.keys.read().expect("key cache lock").get(access_key_id) {
            return Ok(Some(KeyMaterial {
                account: account.clone(),
                access_key_id: AccessKeyId::from_trusted(access_key_id.to_owned()),
                secret: secret.clone(),
            }));
        }
        let id = access_key_id.to_owned();
        let Some(stored) = self.read(id, |tx, id| Box::pin(async move { tx.access_key_get(&id).await })).await? else {
            return Ok(None);
        };
        let secret = self.sealer().open(&stored.secret_sealed)?;
        self.inner
            .keys
            .keys
            .write()
            .expect("key cache lock")
            .insert(access_key_id.to_owned(), (stored.account.clone(), secret.clone()));
        Ok(Some(KeyMaterial { account: stored.account, access_key_id: stored.key.id, secret }))
    }

    /// Whether the operator account exists yet.
    pub async fn operator_exists(&self) -> Result<bool> {
        self.read((), |tx, ()| Box::pin(async move { tx.account_operator_exists().await })).await
    }

    /// A new access key id and secret for the operator, to be saved before
    /// [`Control::operator_bootstrap_with`] makes them valid: so that a crash between the two
    /// never leaves an operator whose key nobody has.
    pub fn operator_key_new() -> (AccessKeyId, String) {
        (new_id(), new_secret())
    }

    /// Creates the operator account with the given key, unless an operator exists already
    /// (another server got there first). Returns whether it made it.
    pub async fn operator_bootstrap_with(&self, key: AccessKeyId, secret: String) -> Result<bool> {
        let sealer = self.sealer().clone();
        self.store()
            .write((key, secret), move |tx, (key, secret)| {
                let sealer = sealer.clone();
                Box::pin(async move {
                    if tx.account_operator_exists().await? {
                        return Ok(false);
                    }
                    let account = Account {
                        id: new_id(),
                        kind: AccountKind::Operator,
                        name: Name::parse("name", "operator")?,
                        created_at: now(),
                    };
                    tx.account_insert(&account).await?;
                    let key = AccessKey { id: key, account_id: account.id.clone(), created_at: now() };
                    tx.access_key_insert(&key, &sealer.seal(&secret)).await?;
                    Ok(true)
                })
            })
            .await
    }

    /// Creates the operator and returns its key, for tests and tools that keep the key in
    /// memory; `None` when an operator exists already.
    pub async fn operator_bootstrap(&self) -> Result<Option<AccessKeySecret>> {
        let (id, secret) = Control::operator_key_new();
        if !self.operator_bootstrap_with(id.clone(), secret.clone()).await? {
            return Ok(None);
        }
        let account_id = self.access_key_material(id.as_str()).await?.map(|k| k.account.id);
        let account_id = account_id.ok_or_else(|| crate::Error::internal("the operator's key is missing"))?;
        Ok(Some(AccessKeySecret { access_key_id: id, access_key_secret: secret, account_id }))
    }

    /// Checks that this data directory's sealing key opens the secrets in the store: a server
    /// started with the wrong `seal.key` would otherwise fail every signed request.
    pub async fn seal_check(&self) -> Result<()> {
        let sealed = self.read((), |tx, ()| Box::pin(async move { tx.access_key_any_sealed().await })).await?;
        match sealed {
            Some(s) => self.sealer().open(&s).map(drop),
            None => Ok(()),
        }
    }

    /// Operator only: a new tenant or partner account with its first key.
    pub async fn account_create(&self, caller: &Caller, req: AccountCreateRequest) -> Result<AccountCreated> {
        let sealer = self.sealer().clone();
        let input = (|| -> Result<_> {
            require_operator(caller)?;
            let kind = AccountKind::parse("kind", &req.kind)?;
            if kind == AccountKind::Operator {
                return Err(Error::invalid("kind", "there is one operator account; create tenant or partner accounts"));
            }
            let name = Name::parse("name", &req.name)?;
            Ok((kind, name))
        })();
        self.mutate(caller, "account_create", input, move |tx, (kind, name)| {
            let sealer = sealer.clone();
            Box::pin(async move {
                let account = Account { id: new_id(), kind, name, created_at: now() };
                tx.account_insert(&account).await?;
                let access_key = key_insert(tx, &sealer, &account.id).await?;
                Ok(AccountCreated { account, access_key })
            })
        })
        .await
    }

    /// Operator only: another key for an account. The secret is shown in this answer only.
    pub async fn access_key_create(&self, caller: &Caller, account: &str) -> Result<AccessKeySecret> {
        let sealer = self.sealer().clone();
        let input = (|| -> Result<_> {
            require_operator(caller)?;
            let account = AccountId::parse("account_id", account)?;
            Ok(account)
        })();
        self.mutate(caller, "access_key_create", input, move |tx, account| {
            let sealer = sealer.clone();
            Box::pin(async move {
                if tx.account_get(&account).await?.is_none() {
                    return Err(Error::not_found(AccountId::KIND, &account));
                }
                key_insert(tx, &sealer, &account).await
            })
        })
        .await
    }

    /// An account: one's own, or any for the operator.
    pub async fn account_get(&self, caller: &Caller, id: &str) -> Result<Account> {
        let id = AccountId::parse("account_id", id)?;
        if !caller.can_see(&id) {
            return Err(Error::not_found(AccountId::KIND, &id));
        }
        self.read(id, |tx, id| {
            Box::pin(async move { tx.account_get(&id).await?.ok_or_else(|| Error::not_found(AccountId::KIND, &id)) })
        })
        .await
    }

    /// The keys of an account, without secrets.
    pub async fn access_key_list(&self, caller: &Caller, id: &str) -> Result<Vec<AccessKey>> {
        let account = self.account_get(caller, id).await?;
        self.read(account.id, |tx, id| Box::pin(async move { tx.access_key_list(&id).await })).await
    }

    /// Operator only: every account.
    pub async fn account_list(&self, caller: &Caller, q: wire::AccountListQuery) -> Result<wire::Page<Account>> {
        let q = wire::ListQuery::from(q);
        require_operator(caller)?;
        let filter = crate::ops::list_filter(self, caller, &q)?;
        let rows = self.read(filter, |tx, f| Box::pin(async move { tx.account_list(&f).await })).await?;
        Ok(crate::ops::page(rows))
    }
}

fn require_operator(caller: &Caller) -> Result<()> {
    if caller.account.kind == AccountKind::Operator {
        Ok(())
    } else {
        Err(Error::Forbidden { message: "only the operator manages accounts and keys".into() })
    }
}

async fn key_insert(
    tx: &mut xconnect_store::Tx,
    sealer: &crate::Sealer,
    account: &AccountId,
) -> Result<AccessKeySecret> {
    let secret = new_secret();
    let key = AccessKey { id: new_id(), account_id: account.clone(), created_at: now() };
    tx.access_key_insert(&key, &sealer.seal(&secret)).await?;
    Ok(AccessKeySecret { access_key_id: key.id, access_key_secret: secret, account_id: account.clone() })
}
