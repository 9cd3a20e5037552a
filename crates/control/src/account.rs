//! Accounts and their access keys, made and read by the operator.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::access::key_insert;
use crate::{Audited, Caller, Control, new_id, now};

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

fn require_operator(caller: &Caller) -> Result<()> {
    if caller.account.kind == AccountKind::Operator {
        Ok(())
    } else {
        Err(Error::Forbidden { message: "only the operator manages accounts and keys".into() })
    }
}

impl Control {
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
        self.mutate(caller, "account_create", input, move |tx, _, (kind, name)| {
            let sealer = sealer.clone();
            Box::pin(async move {
                // A number names one account: an id whose number is taken (about one in ten
                // thousand at a million accounts) is drawn again.
                let mut id: AccountId = new_id();
                while tx.account_by_number(id.number()).await?.is_some() {
                    id = new_id();
                }
                let account = Account::new(id, kind, name, now());
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
        self.mutate(caller, "access_key_create", input, move |tx, _, account| {
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
        self.read(id, tx!(|tx, id| tx.account_get(&id).await?.ok_or_else(|| Error::not_found(AccountId::KIND, &id))))
            .await
    }

    /// The keys of an account, without secrets.
    pub async fn access_key_list(&self, caller: &Caller, id: &str) -> Result<Vec<AccessKey>> {
        let account = self.account_get(caller, id).await?;
        self.read(account.id, tx!(|tx, id| tx.access_key_list(&id).await)).await
    }

    /// The account a number names ([`AccountId::number`]; Alibaba's API names accounts so), for
    /// any caller: the account that has it, found by the store's index, or else the id that
    /// stands for the number ([`AccountId::standing_for`]), which no account has. So a number is
    /// taken exactly as an `acc-` id is: whatever the operation does with an id no account has,
    /// it does with a number no account has, and a caller learns no more from one than from the
    /// other.
    pub async fn account_by_number(&self, number: u64) -> Result<AccountId> {
        if !AccountId::NUMBERS.contains(&number) {
            // Not an account number at all: that it names no account says nothing of anyone.
            return Err(Error::not_found(AccountId::KIND, number));
        }
        let found = self.read(number, tx!(|tx, number| tx.account_by_number(number).await)).await?;
        Ok(found.unwrap_or_else(|| AccountId::standing_for(number)))
    }

    /// Operator only: every account.
    pub async fn account_list(&self, caller: &Caller, q: wire::AccountListQuery) -> Result<wire::Page<Account>> {
        let q = wire::ListQuery::from(q);
        require_operator(caller)?;
        let filter = crate::op::list_filter(self, caller, &q)?;
        let rows = self.read(filter, tx!(|tx, f| tx.account_list(&f).await)).await?;
        Ok(crate::op::page(rows))
    }
}
