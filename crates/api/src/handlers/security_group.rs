//! Security groups and their rules, whose peers may be blocks or other groups (another account's too).

use super::prelude::*;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(security_group_create, security_group_list))
        .routes(routes!(security_group_get, security_group_modify, security_group_delete))
        .routes(routes!(security_group_rule_create, security_group_rule_list))
        .routes(routes!(security_group_rule_delete))
}

#[utoipa::path(post, path = "/v1/security-groups", tag = "security-group", request_body = SecurityGroupCreateRequest,
    responses((status = 201, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<SecurityGroupCreateRequest>,
) -> Reply<SecurityGroup> {
    created(&c, s.control.security_group_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/security-groups", tag = "security-group", params(SecurityGroupListQuery),
    responses((status = 200, body = Page<SecurityGroup>), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<SecurityGroupListQuery>,
) -> Reply<Page<SecurityGroup>> {
    ok(&c, s.control.security_group_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path)),
    responses((status = 200, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SecurityGroup> {
    ok(&c, s.control.security_group_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path)), request_body = ModifyRequest,
    responses((status = 200, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<SecurityGroup> {
    ok(&c, s.control.security_group_modify(&c, &id, req).await)
}

/// Deletes the group and its rules; refused while instances or the owner's other groups' rules use it.
#[utoipa::path(delete, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.security_group_delete(&c, &id).await)
}

/// A rule: direction, protocol, ports, a CIDR or group peer, priority and policy.
#[utoipa::path(post, path = "/v1/security-groups/{security_group_id}/rules", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path)), request_body = SecurityGroupRuleCreateRequest,
    responses((status = 201, body = SecurityGroupRule), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_rule_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SecurityGroupRuleCreateRequest>,
) -> Reply<SecurityGroupRule> {
    created(&c, s.control.security_group_rule_create(&c, &id, req).await)
}

#[utoipa::path(get, path = "/v1/security-groups/{security_group_id}/rules", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path), SecurityGroupRuleListQuery),
    responses((status = 200, body = Page<SecurityGroupRule>), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_rule_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<SecurityGroupRuleListQuery>,
) -> Reply<Page<SecurityGroupRule>> {
    ok(&c, s.control.security_group_rule_list(&c, &id, q).await)
}

#[utoipa::path(delete, path = "/v1/security-groups/{security_group_id}/rules/{rule_id}", tag = "security-group",
    params(("security_group_id" = SecurityGroupId, Path), ("rule_id" = SecurityGroupRuleId, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_rule_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rule)): Path<(String, String)>,
) -> NoContent {
    deleted(&c, s.control.security_group_rule_delete(&c, &id, &rule).await)
}
