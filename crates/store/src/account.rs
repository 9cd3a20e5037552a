//! The queries of accounts and their access keys.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, PageToken, Rows, Table};
use crate::row::{text, ts};
use crate::sql::{Row, binds};

const ACCOUNTS: Table = Table {
    name: "accounts",
    columns: "id, kind, name, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

fn account_row(row: &Row) -> Result<Account> {
    let kind = text(row, "kind")?;
    Ok(Account::new(
        AccountId::from_trusted(text(row, "id")?),
        AccountKind::parse("kind", &kind).map_err(|e| Error::internal(format!("stored kind: {e}")))?,
        Name::from_trusted(text(row, "name")?),
        ts(row, "created_at")?,
    ))
}

/// A stored access key with its sealed secret, for the signature check.
#[derive(Debug, Clone)]
pub struct StoredAccessKey {
    pub key: AccessKey,
    pub account: Account,
    pub secret_sealed: String,
}

impl Tx {
    pub async fn account_insert(&mut self, a: &Account) -> Result<()> {
        self.execute(
            "INSERT INTO accounts (id, kind, name, created_at, number) VALUES ($1, $2, $3, $4, $5)",
            binds![a.id.to_string(), a.kind.as_str(), a.name.to_string(), a.created_at.millis(), number(&a.id)],
        )
        .await
        .map(drop)
    }

    pub async fn account_get(&mut self, id: &AccountId) -> Result<Option<Account>> {
        self.fetch_optional(
            "SELECT id, kind, name, created_at FROM accounts WHERE id = $1",
            binds![id.to_string()],
            account_row,
        )
        .await
    }

    pub async fn account_list(&mut self, f: &ListFilter) -> Result<Rows<Account>> {
        let f = ListFilter { account_id: None, ..f.clone() };
        self.list(&ACCOUNTS, &f, &[], account_row, |a| PageToken {
            created_at: a.created_at.millis(),
            id: a.id.to_string(),
        })
        .await
    }

    /// The account with this number ([`AccountId::number`]), by the index on `number`.
    pub async fn account_by_number(&mut self, number: u64) -> Result<Option<AccountId>> {
        let Ok(n) = i64::try_from(number) else { return Ok(None) };
        self.fetch_optional(
            "SELECT id FROM accounts WHERE number = $1 ORDER BY created_at, id LIMIT 1",
            binds![n],
            |row| Ok(AccountId::from_trusted(text(row, "id")?)),
        )
        .await
    }

    /// Whether an operator account exists yet.
    pub async fn account_operator_exists(&mut self) -> Result<bool> {
        Ok(self.count("SELECT COUNT(*) FROM accounts WHERE kind = $1", binds!["operator"]).await? > 0)
    }

    pub async fn access_key_insert(&mut self, k: &AccessKey, secret_sealed: &str) -> Result<()> {
        self.execute(
            "INSERT INTO access_keys (id, account_id, secret_sealed, created_at) VALUES ($1, $2, $3, $4)",
            binds![k.id.to_string(), k.account_id.to_string(), secret_sealed.to_owned(), k.created_at.millis()],
        )
        .await
        .map(drop)
    }

    /// The key, its account and its sealed secret, for checking a signature.
    pub async fn access_key_get(&mut self, id: &str) -> Result<Option<StoredAccessKey>> {
        self.fetch_optional(
            "SELECT k.id, k.account_id, k.secret_sealed, k.created_at, a.kind, a.name, \
             a.created_at AS account_created_at \
             FROM access_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = $1",
            binds![id.to_owned()],
            |row| {
                let account_id = AccountId::from_trusted(text(row, "account_id")?);
                Ok(StoredAccessKey {
                    key: AccessKey {
                        id: AccessKeyId::from_trusted(text(row, "id")?),
                        account_id: account_id.clone(),
                        created_at: ts(row, "created_at")?,
                    },
                    account: Account::new(
                        account_id,
                        AccountKind::parse("kind", &text(row, "kind")?)?,
                        Name::from_trusted(text(row, "name")?),
                        ts(row, "account_created_at")?,
                    ),
                    secret_sealed: text(row, "secret_sealed")?,
                })
            },
        )
        .await
    }

    pub async fn access_key_list(&mut self, account: &AccountId) -> Result<Vec<AccessKey>> {
        self.fetch_all(
            "SELECT id, account_id, created_at FROM access_keys WHERE account_id = $1 ORDER BY created_at, id",
            binds![account.to_string()],
            |row| {
                Ok(AccessKey {
                    id: AccessKeyId::from_trusted(text(row, "id")?),
                    account_id: AccountId::from_trusted(text(row, "account_id")?),
                    created_at: ts(row, "created_at")?,
                })
            },
        )
        .await
    }

    /// One stored sealed secret, to check at start that the sealing key opens them.
    pub async fn access_key_any_sealed(&mut self) -> Result<Option<String>> {
        self.fetch_optional("SELECT secret_sealed FROM access_keys ORDER BY created_at LIMIT 1", binds![], |r| {
            r.text("secret_sealed")
        })
        .await
    }
}

/// The number as stored: every number has 16 digits, well inside a BIGINT.
fn number(id: &AccountId) -> i64 {
    i64::try_from(id.number()).expect("an account number has 16 digits")
}
