//! What the store remembers of requests: the nonces of signed changes and the client tokens of
//! creates.

use xconnect_model::*;

use crate::Tx;
use crate::row::text;
use crate::sql::binds;

/// What a client token remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientToken {
    pub action: String,
    pub fingerprint: String,
    pub resource_id: String,
}

impl Tx {
    /// Records a changing request's nonce; false if the same key used it before (a replay).
    pub async fn request_nonce_insert(&mut self, key: &AccessKeyId, nonce: &str, expires_at: i64) -> Result<bool> {
        let sql = "INSERT INTO request_nonces (expires_at, access_key_id, nonce) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        Ok(self.execute(sql, binds![expires_at, key.to_string(), nonce]).await? == 1)
    }

    /// The nonces that expire at or after `expires_at`, oldest first: with the expiry first in
    /// the key, a range scan.
    pub async fn request_nonce_list(&mut self, expires_at: i64) -> Result<Vec<(AccessKeyId, String, i64)>> {
        self.fetch_all(
            "SELECT access_key_id, nonce, expires_at FROM request_nonces WHERE expires_at >= $1 ORDER BY expires_at",
            binds![expires_at],
            |row| {
                Ok((
                    AccessKeyId::from_trusted(text(row, "access_key_id")?),
                    text(row, "nonce")?,
                    crate::row::int(row, "expires_at")?,
                ))
            },
        )
        .await
    }

    /// Forgets nonces whose dates have left the replay window (the date check refuses those).
    pub async fn request_nonce_prune(&mut self, now: i64) -> Result<u64> {
        self.execute("DELETE FROM request_nonces WHERE expires_at < $1", binds![now]).await
    }

    pub async fn client_token_get(&mut self, account: &AccountId, token: &str) -> Result<Option<ClientToken>> {
        self.fetch_optional(
            "SELECT action, fingerprint, resource_id FROM client_tokens WHERE account_id = $1 AND token = $2",
            binds![account.to_string(), token.to_owned()],
            |row| {
                Ok(ClientToken {
                    action: text(row, "action")?,
                    fingerprint: text(row, "fingerprint")?,
                    resource_id: text(row, "resource_id")?,
                })
            },
        )
        .await
    }

    pub async fn client_token_insert(
        &mut self,
        account: &AccountId,
        token: &str,
        t: &ClientToken,
        now: Timestamp,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO client_tokens (account_id, token, action, fingerprint, resource_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            binds![
                account.to_string(),
                token.to_owned(),
                t.action.clone(),
                t.fingerprint.clone(),
                t.resource_id.clone(),
                now.millis()
            ],
        )
        .await
        .map(drop)
    }
}
