//! Request authentication: the operator's first key, and the lookup that turns a signed request's
//! `Credential` into its account and secret.

use std::collections::HashMap;
use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use xconnect_model::*;

use crate::{Control, new_id, now};

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

/// A new secret: 30 random bytes, 40 characters of URL-safe base64.
fn new_secret() -> String {
    let mut bytes = [0u8; 30];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) async fn key_insert(
    tx: &mut xconnect_store::Tx,
    sealer: &crate::Sealer,
    account: &AccountId,
) -> Result<AccessKeySecret> {
    let secret = new_secret();
    let key = AccessKey { id: new_id(), account_id: account.clone(), created_at: now() };
    tx.access_key_insert(&key, &sealer.seal(&secret)).await?;
    Ok(AccessKeySecret { access_key_id: key.id, access_key_secret: secret, account_id: account.clone() })
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
        let Some(stored) = self.read(id, tx!(|tx, id| tx.access_key_get(&id).await)).await? else {
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
        self.read((), tx!(|tx, ()| tx.account_operator_exists().await)).await
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
                    let account =
                        Account::new(new_id(), AccountKind::Operator, Name::parse("name", "operator")?, now());
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
        let sealed = self.read((), tx!(|tx, ()| tx.access_key_any_sealed().await)).await?;
        match sealed {
            Some(s) => self.sealer().open(&s).map(drop),
            None => Ok(()),
        }
    }
}
