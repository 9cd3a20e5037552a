//! The caller, accounts and access keys: the operator makes tenants and partners and their keys.

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(caller_get))
        .routes(routes!(account_create, account_list))
        .routes(routes!(account_get))
        .routes(routes!(access_key_create, access_key_list))
}

/// The account the request was signed for.
#[utoipa::path(get, path = "/v1/caller", tag = "account",
    responses((status = 200, body = Account), (status = "4XX", body = ErrorBody)))]
pub async fn caller_get(Extension(c): Extension<Caller>) -> Reply<Account> {
    let account = c.account.clone();
    ok(&c, Ok(account))
}

/// Operator only: a tenant or partner account and its first access key (the secret is shown
/// only here).
#[utoipa::path(post, path = "/v1/accounts", tag = "account", request_body = AccountCreateRequest,
    responses((status = 201, body = AccountCreated), (status = "4XX", body = ErrorBody)))]
pub async fn account_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<AccountCreateRequest>,
) -> Reply<AccountCreated> {
    created(&c, s.control.account_create(&c, req).await)
}

/// Operator only: every account.
#[utoipa::path(get, path = "/v1/accounts", tag = "account", params(AccountListQuery),
    responses((status = 200, body = Page<Account>), (status = "4XX", body = ErrorBody)))]
pub async fn account_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<AccountListQuery>,
) -> Reply<Page<Account>> {
    ok(&c, s.control.account_list(&c, q).await)
}

/// One account: one's own, or any for the operator.
#[utoipa::path(get, path = "/v1/accounts/{account_id}", tag = "account",
    params(("account_id" = AccountId, Path)),
    responses((status = 200, body = Account), (status = "4XX", body = ErrorBody)))]
pub async fn account_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Account> {
    ok(&c, s.control.account_get(&c, &id).await)
}

/// Operator only: another access key for an account.
#[utoipa::path(post, path = "/v1/accounts/{account_id}/access-keys", tag = "account",
    params(("account_id" = AccountId, Path)),
    responses((status = 201, body = AccessKeySecret), (status = "4XX", body = ErrorBody)))]
pub async fn access_key_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<AccessKeySecret> {
    created(&c, s.control.access_key_create(&c, &id).await)
}

/// The access keys of an account, without their secrets.
#[utoipa::path(get, path = "/v1/accounts/{account_id}/access-keys", tag = "account",
    params(("account_id" = AccountId, Path)),
    responses((status = 200, body = Vec<AccessKey>), (status = "4XX", body = ErrorBody)))]
pub async fn access_key_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Vec<AccessKey>> {
    ok(&c, s.control.access_key_list(&c, &id).await)
}
