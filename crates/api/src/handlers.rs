//! The HTTP handlers: each turns one route into one control operation and describes itself for
//! the OpenAPI document. No handler decides anything; the control layer does.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use xconnect_control::{Caller, Deleted};
use xconnect_model::connectivity::{ConnectivityAnswer, ConnectivityMatrix};
use xconnect_model::wire::*;
use xconnect_model::*;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{JsonBody, QueryParams};

type Reply<T> = Result<(StatusCode, Json<T>), ApiError>;
type NoContent = Result<StatusCode, ApiError>;

fn ok<T>(c: &Caller, r: Result<T>) -> Reply<T> {
    r.map(|v| (StatusCode::OK, Json(v))).map_err(|e| ApiError::new(e, &c.request_id))
}

fn created<T>(c: &Caller, r: Result<T>) -> Reply<T> {
    r.map(|v| (StatusCode::CREATED, Json(v))).map_err(|e| ApiError::new(e, &c.request_id))
}

fn deleted(c: &Caller, r: Result<Deleted>) -> NoContent {
    r.map(|_| StatusCode::NO_CONTENT).map_err(|e| ApiError::new(e, &c.request_id))
}

// ---- caller, catalogue, accounts ----

/// The account the request was signed for.
#[utoipa::path(get, path = "/v1/caller", tag = "account",
    responses((status = 200, body = Account), (status = "4XX", body = ErrorBody)))]
pub async fn caller_get(Extension(c): Extension<Caller>) -> Reply<Account> {
    let account = c.account.clone();
    ok(&c, Ok(account))
}

/// The region and area catalogue.
#[utoipa::path(get, path = "/v1/regions", tag = "region",
    responses((status = 200, body = RegionList), (status = "4XX", body = ErrorBody)))]
pub async fn region_list(State(s): State<AppState>, Extension(c): Extension<Caller>) -> Reply<RegionList> {
    ok(&c, Ok(s.control.region_list()))
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
#[utoipa::path(get, path = "/v1/accounts", tag = "account", params(ListQuery),
    responses((status = 200, body = Page<Account>), (status = "4XX", body = ErrorBody)))]
pub async fn account_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Account>> {
    ok(&c, s.control.account_list(&c, q).await)
}

/// One account: one's own, or any for the operator.
#[utoipa::path(get, path = "/v1/accounts/{account_id}", tag = "account",
    params(("account_id" = String, Path)),
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
    params(("account_id" = String, Path)),
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
    params(("account_id" = String, Path)),
    responses((status = 200, body = Vec<AccessKey>), (status = "4XX", body = ErrorBody)))]
pub async fn access_key_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Vec<AccessKey>> {
    ok(&c, s.control.access_key_list(&c, &id).await)
}

// ---- VPCs ----

/// A VPC, with its VRouter and system route table.
#[utoipa::path(post, path = "/v1/vpcs", tag = "vpc", request_body = VpcCreateRequest,
    responses((status = 201, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VpcCreateRequest>,
) -> Reply<Vpc> {
    created(&c, s.control.vpc_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/vpcs", tag = "vpc", params(ListQuery),
    responses((status = 200, body = Page<Vpc>), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Vpc>> {
    ok(&c, s.control.vpc_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = String, Path)),
    responses((status = 200, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Vpc> {
    ok(&c, s.control.vpc_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = String, Path)),
    request_body = ModifyRequest,
    responses((status = 200, body = Vpc), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<Vpc> {
    ok(&c, s.control.vpc_modify(&c, &id, req).await)
}

/// Refused while vswitches, security groups or route entries remain in the VPC.
#[utoipa::path(delete, path = "/v1/vpcs/{vpc_id}", tag = "vpc", params(("vpc_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vpc_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vpc_delete(&c, &id).await)
}

// ---- vswitches ----

#[utoipa::path(post, path = "/v1/vswitches", tag = "vswitch", request_body = VSwitchCreateRequest,
    responses((status = 201, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VSwitchCreateRequest>,
) -> Reply<VSwitch> {
    created(&c, s.control.vswitch_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/vswitches", tag = "vswitch", params(ListQuery),
    responses((status = 200, body = Page<VSwitch>), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<VSwitch>> {
    ok(&c, s.control.vswitch_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = String, Path)),
    responses((status = 200, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<VSwitch> {
    ok(&c, s.control.vswitch_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = String, Path)),
    request_body = ModifyRequest, responses((status = 200, body = VSwitch), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<VSwitch> {
    ok(&c, s.control.vswitch_modify(&c, &id, req).await)
}

/// Refused while instances remain in the vswitch.
#[utoipa::path(delete, path = "/v1/vswitches/{vswitch_id}", tag = "vswitch", params(("vswitch_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vswitch_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vswitch_delete(&c, &id).await)
}

// ---- instances ----

#[utoipa::path(post, path = "/v1/instances", tag = "instance", request_body = InstanceCreateRequest,
    responses((status = 201, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<InstanceCreateRequest>,
) -> Reply<Instance> {
    created(&c, s.control.instance_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/instances", tag = "instance", params(ListQuery),
    responses((status = 200, body = Page<Instance>), (status = "4XX", body = ErrorBody)))]
pub async fn instance_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Instance>> {
    ok(&c, s.control.instance_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = String, Path)),
    responses((status = 200, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Instance> {
    ok(&c, s.control.instance_get(&c, &id).await)
}

/// Renames an instance or replaces its security groups.
#[utoipa::path(patch, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = String, Path)),
    request_body = InstanceModifyRequest,
    responses((status = 200, body = Instance), (status = "4XX", body = ErrorBody)))]
pub async fn instance_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InstanceModifyRequest>,
) -> Reply<Instance> {
    ok(&c, s.control.instance_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/instances/{instance_id}", tag = "instance", params(("instance_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn instance_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.instance_delete(&c, &id).await)
}

// ---- security groups ----

#[utoipa::path(post, path = "/v1/security-groups", tag = "security-group", request_body = SecurityGroupCreateRequest,
    responses((status = 201, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<SecurityGroupCreateRequest>,
) -> Reply<SecurityGroup> {
    created(&c, s.control.security_group_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/security-groups", tag = "security-group", params(ListQuery),
    responses((status = 200, body = Page<SecurityGroup>), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<SecurityGroup>> {
    ok(&c, s.control.security_group_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = String, Path)),
    responses((status = 200, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SecurityGroup> {
    ok(&c, s.control.security_group_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = String, Path)), request_body = ModifyRequest,
    responses((status = 200, body = SecurityGroup), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<SecurityGroup> {
    ok(&c, s.control.security_group_modify(&c, &id, req).await)
}

/// Deletes the group and its rules; refused while instances or other groups' rules use it.
#[utoipa::path(delete, path = "/v1/security-groups/{security_group_id}", tag = "security-group",
    params(("security_group_id" = String, Path)),
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
    params(("security_group_id" = String, Path)), request_body = SecurityGroupRuleCreateRequest,
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
    params(("security_group_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<SecurityGroupRule>), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_rule_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<SecurityGroupRule>> {
    ok(&c, s.control.security_group_rule_list(&c, &id, q).await)
}

#[utoipa::path(delete, path = "/v1/security-groups/{security_group_id}/rules/{rule_id}", tag = "security-group",
    params(("security_group_id" = String, Path), ("rule_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn security_group_rule_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rule)): Path<(String, String)>,
) -> NoContent {
    deleted(&c, s.control.security_group_rule_delete(&c, &id, &rule).await)
}

// ---- route tables and entries ----

/// A route table with its system routes (one per vswitch) and custom entries.
#[utoipa::path(get, path = "/v1/route-tables/{route_table_id}", tag = "route",
    params(("route_table_id" = String, Path)),
    responses((status = 200, body = RouteTable), (status = "4XX", body = ErrorBody)))]
pub async fn route_table_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouteTable> {
    ok(&c, s.control.route_table_get(&c, &id).await)
}

/// A custom route; its destination may not overlap a vswitch of the VPC.
#[utoipa::path(post, path = "/v1/route-entries", tag = "route", request_body = RouteEntryCreateRequest,
    responses((status = 201, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<RouteEntryCreateRequest>,
) -> Reply<RouteEntry> {
    created(&c, s.control.route_entry_create(&c, req).await)
}

#[utoipa::path(get, path = "/v1/route-entries", tag = "route", params(ListQuery),
    responses((status = 200, body = Page<RouteEntry>), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<RouteEntry>> {
    ok(&c, s.control.route_entry_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = String, Path)),
    responses((status = 200, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouteEntry> {
    ok(&c, s.control.route_entry_get(&c, &id).await)
}

/// Changes a route entry's description.
#[utoipa::path(patch, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = String, Path)), request_body = ModifyRequest,
    responses((status = 200, body = RouteEntry), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<RouteEntry> {
    ok(&c, s.control.route_entry_modify(&c, &id, req).await)
}

#[utoipa::path(delete, path = "/v1/route-entries/{route_entry_id}", tag = "route",
    params(("route_entry_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn route_entry_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.route_entry_delete(&c, &id).await)
}

// ---- router interfaces ----

/// One side of a peering in a VPC's VRouter: an initiator (with its spec, which becomes its
/// order) or an acceptor.
#[utoipa::path(post, path = "/v1/router-interfaces", tag = "peering", request_body = RouterInterfaceCreateRequest,
    responses((status = 201, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<RouterInterfaceCreateRequest>,
) -> Reply<RouterInterface> {
    created(&c, s.control.router_interface_create(&c, req).await)
}

/// Your router interfaces; filters: region, vpc_id, name, status, role.
#[utoipa::path(get, path = "/v1/router-interfaces", tag = "peering", params(ListQuery),
    responses((status = 200, body = Page<RouterInterface>), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<RouterInterface>> {
    ok(&c, s.control.router_interface_list(&c, q).await)
}

#[utoipa::path(get, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = String, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_get(&c, &id).await)
}

#[utoipa::path(patch, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = String, Path)), request_body = ModifyRequest,
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_modify(&c, &id, req).await)
}

/// Deletes one side; refused while it is Active or route entries use it.
#[utoipa::path(delete, path = "/v1/router-interfaces/{router_interface_id}", tag = "peering",
    params(("router_interface_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.router_interface_delete(&c, &id).await)
}

/// Names the other side (account, VRouter, interface, optionally region); while Idle only.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/peer", tag = "peering",
    params(("router_interface_id" = String, Path)), request_body = RouterInterfacePeerRequest,
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_set_peer(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RouterInterfacePeerRequest>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_set_peer(&c, &id, req).await)
}

/// Initiator only: connects the pair. Both sides must name each other (accounts, regions,
/// VRouters) and be Idle; then both are Active. Each mismatch has its own error code.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/connect", tag = "peering",
    params(("router_interface_id" = String, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_connect(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_connect(&c, &id).await)
}

/// Takes an Active side out of service (Inactive): the pair carries nothing.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/deactivate", tag = "peering",
    params(("router_interface_id" = String, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_deactivate(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_deactivate(&c, &id).await)
}

/// Puts an Inactive side back in service, if its peer still names it.
#[utoipa::path(post, path = "/v1/router-interfaces/{router_interface_id}/activate", tag = "peering",
    params(("router_interface_id" = String, Path)),
    responses((status = 200, body = RouterInterface), (status = "4XX", body = ErrorBody)))]
pub async fn router_interface_activate(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<RouterInterface> {
    ok(&c, s.control.router_interface_activate(&c, &id).await)
}

/// The caller's charge-bearing orders (the operator's: every account's); filter: region.
#[utoipa::path(get, path = "/v1/orders", tag = "billing", params(ListQuery),
    responses((status = 200, body = Page<Order>), (status = "4XX", body = ErrorBody)))]
pub async fn order_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Order>> {
    ok(&c, s.control.order_list(&c, q).await)
}

// ---- hubs, bandwidth, permits ----
/// A hub (a CEN instance, a cloud connection) owned by the caller.
#[utoipa::path(post, path = "/v1/hubs", tag = "hub", request_body = HubCreateRequest,
    responses((status = 201, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<HubCreateRequest>,
) -> Reply<Hub> {
    created(&c, s.control.hub_create(&c, req).await)
}
/// The caller's hubs; filter: name.
#[utoipa::path(get, path = "/v1/hubs", tag = "hub", params(ListQuery),
    responses((status = 200, body = Page<Hub>), (status = "4XX", body = ErrorBody)))]
pub async fn hub_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Hub>> {
    ok(&c, s.control.hub_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = String, Path)),
    responses((status = 200, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Hub> {
    ok(&c, s.control.hub_get(&c, &id).await)
}
/// Changes a hub's name or description.
#[utoipa::path(patch, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = String, Path)), request_body = ModifyRequest,
    responses((status = 200, body = Hub), (status = "4XX", body = ErrorBody)))]
pub async fn hub_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModifyRequest>,
) -> Reply<Hub> {
    ok(&c, s.control.hub_modify(&c, &id, req).await)
}
/// Deletes a hub; refused while networks are attached.
#[utoipa::path(delete, path = "/v1/hubs/{hub_id}", tag = "hub", params(("hub_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn hub_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.hub_delete(&c, &id).await)
}
/// Lets another account's hub attach one of the caller's VPCs.
#[utoipa::path(post, path = "/v1/grants", tag = "hub", request_body = GrantCreateRequest,
    responses((status = 201, body = Grant), (status = "4XX", body = ErrorBody)))]
pub async fn grant_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<GrantCreateRequest>,
) -> Reply<Grant> {
    created(&c, s.control.grant_create(&c, req).await)
}
/// The grants the caller gave; filter: region.
#[utoipa::path(get, path = "/v1/grants", tag = "hub", params(ListQuery),
    responses((status = 200, body = Page<Grant>), (status = "4XX", body = ErrorBody)))]
pub async fn grant_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Grant>> {
    ok(&c, s.control.grant_list(&c, q, false).await)
}
/// The grants given to the caller, for its hubs; filter: region.
#[utoipa::path(get, path = "/v1/grants/received", tag = "hub", params(ListQuery),
    responses((status = 200, body = Page<Grant>), (status = "4XX", body = ErrorBody)))]
pub async fn grant_list_received(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Grant>> {
    ok(&c, s.control.grant_list(&c, q, true).await)
}
/// A grant the caller gave or received.
#[utoipa::path(get, path = "/v1/grants/{grant_id}", tag = "hub", params(("grant_id" = String, Path)),
    responses((status = 200, body = Grant), (status = "4XX", body = ErrorBody)))]
pub async fn grant_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Grant> {
    ok(&c, s.control.grant_get(&c, &id).await)
}
/// Revokes a grant; refused while the network is attached under it.
#[utoipa::path(delete, path = "/v1/grants/{grant_id}", tag = "hub", params(("grant_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn grant_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.grant_delete(&c, &id).await)
}
/// Attaches a VPC (the caller's, or another account's that granted the hub) to one of the caller's hubs.
#[utoipa::path(post, path = "/v1/attachments", tag = "hub", request_body = AttachmentCreateRequest,
    responses((status = 201, body = Attachment), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<AttachmentCreateRequest>,
) -> Reply<Attachment> {
    created(&c, s.control.attachment_create(&c, req).await)
}
/// The attachments of the caller's hubs and networks; filters: hub_id, region.
#[utoipa::path(get, path = "/v1/attachments", tag = "hub", params(ListQuery),
    responses((status = 200, body = Page<Attachment>), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Attachment>> {
    ok(&c, s.control.attachment_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/attachments/{attachment_id}", tag = "hub", params(("attachment_id" = String, Path)),
    responses((status = 200, body = Attachment), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Attachment> {
    ok(&c, s.control.attachment_get(&c, &id).await)
}
/// Detaches a network (the hub's owner or the network's may).
#[utoipa::path(delete, path = "/v1/attachments/{attachment_id}", tag = "hub", params(("attachment_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn attachment_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.attachment_delete(&c, &id).await)
}
/// Buys a bandwidth package: PendingPayment until paid.
#[utoipa::path(post, path = "/v1/bandwidth-packages", tag = "bandwidth", request_body = BandwidthPackageCreateRequest,
    responses((status = 201, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<BandwidthPackageCreateRequest>,
) -> Reply<BandwidthPackage> {
    created(&c, s.control.bandwidth_package_create(&c, req).await)
}
/// The caller's packages, each as it stands now (renewed or expired); filter: name.
#[utoipa::path(get, path = "/v1/bandwidth-packages", tag = "bandwidth", params(ListQuery),
    responses((status = 200, body = Page<BandwidthPackage>), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<BandwidthPackage>> {
    ok(&c, s.control.bandwidth_package_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/bandwidth-packages/{bandwidth_package_id}", tag = "bandwidth", params(("bandwidth_package_id" = String, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_get(&c, &id).await)
}
/// Changes a package's name, description or auto-renewal.
#[utoipa::path(patch, path = "/v1/bandwidth-packages/{bandwidth_package_id}", tag = "bandwidth", params(("bandwidth_package_id" = String, Path)), request_body = BandwidthPackageModifyRequest,
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BandwidthPackageModifyRequest>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_modify(&c, &id, req).await)
}
/// Pays for a package: Normal for its term, and bound to the hub it was bought for.
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/pay", tag = "bandwidth", params(("bandwidth_package_id" = String, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_pay(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_pay(&c, &id).await)
}
/// Binds a Normal package to one of the caller's hubs (one per hub per area pair).
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/bind", tag = "bandwidth", params(("bandwidth_package_id" = String, Path)), request_body = BandwidthPackageBindRequest,
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_bind(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BandwidthPackageBindRequest>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_bind(&c, &id, req).await)
}
/// Unbinds a package; refused while inter-region bandwidths use it.
#[utoipa::path(post, path = "/v1/bandwidth-packages/{bandwidth_package_id}/unbind", tag = "bandwidth", params(("bandwidth_package_id" = String, Path)),
    responses((status = 200, body = BandwidthPackage), (status = "4XX", body = ErrorBody)))]
pub async fn bandwidth_package_unbind(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<BandwidthPackage> {
    ok(&c, s.control.bandwidth_package_unbind(&c, &id).await)
}
/// Bandwidth between two regions of a hub, from a package bound to it; the sum on a package never exceeds it.
#[utoipa::path(post, path = "/v1/inter-region-bandwidths", tag = "bandwidth", request_body = InterRegionBandwidthCreateRequest,
    responses((status = 201, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<InterRegionBandwidthCreateRequest>,
) -> Reply<InterRegionBandwidth> {
    created(&c, s.control.inter_region_bandwidth_create(&c, req).await)
}
/// The caller's inter-region bandwidths; filter: hub_id.
#[utoipa::path(get, path = "/v1/inter-region-bandwidths", tag = "bandwidth", params(ListQuery),
    responses((status = 200, body = Page<InterRegionBandwidth>), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<InterRegionBandwidth>> {
    ok(&c, s.control.inter_region_bandwidth_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = String, Path)),
    responses((status = 200, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<InterRegionBandwidth> {
    ok(&c, s.control.inter_region_bandwidth_get(&c, &id).await)
}
/// Changes an inter-region bandwidth, up or down, within its package.
#[utoipa::path(patch, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = String, Path)), request_body = InterRegionBandwidthModifyRequest,
    responses((status = 200, body = InterRegionBandwidth), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InterRegionBandwidthModifyRequest>,
) -> Reply<InterRegionBandwidth> {
    ok(&c, s.control.inter_region_bandwidth_modify(&c, &id, req).await)
}
#[utoipa::path(delete, path = "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", tag = "bandwidth", params(("inter_region_bandwidth_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn inter_region_bandwidth_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.inter_region_bandwidth_delete(&c, &id).await)
}
/// Applies for a cross-border permit, with the signed documents; PendingApproval until the operator decides.
#[utoipa::path(post, path = "/v1/permits", tag = "bandwidth", request_body = PermitCreateRequest,
    responses((status = 201, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<PermitCreateRequest>,
) -> Reply<Permit> {
    created(&c, s.control.permit_create(&c, req).await)
}
/// The caller's applications (the operator's: every account's).
#[utoipa::path(get, path = "/v1/permits", tag = "bandwidth", params(ListQuery),
    responses((status = 200, body = Page<Permit>), (status = "4XX", body = ErrorBody)))]
pub async fn permit_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Permit>> {
    ok(&c, s.control.permit_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/permits/{permit_id}", tag = "bandwidth", params(("permit_id" = String, Path)),
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_get(&c, &id).await)
}
/// Operator only: approves an application pending approval.
#[utoipa::path(post, path = "/v1/permits/{permit_id}/approve", tag = "bandwidth", params(("permit_id" = String, Path)),
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_approve(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_approve(&c, &id).await)
}
/// Operator only: rejects an application pending approval, saying why.
#[utoipa::path(post, path = "/v1/permits/{permit_id}/reject", tag = "bandwidth", params(("permit_id" = String, Path)), request_body = PermitRejectRequest,
    responses((status = 200, body = Permit), (status = "4XX", body = ErrorBody)))]
pub async fn permit_reject(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PermitRejectRequest>,
) -> Reply<Permit> {
    ok(&c, s.control.permit_reject(&c, &id, req).await)
}
/// The service's clock: the real time plus the operator's offset.
#[utoipa::path(get, path = "/v1/admin/clock", tag = "admin",
    responses((status = 200, body = Clock), (status = "4XX", body = ErrorBody)))]
pub async fn clock_get(State(s): State<AppState>, Extension(c): Extension<Caller>) -> Reply<Clock> {
    ok(&c, s.control.clock_get(&c).await)
}
/// Operator only: moves the clock ahead, for tests of terms and expiry.
#[utoipa::path(post, path = "/v1/admin/clock", tag = "admin", request_body = ClockAdvanceRequest,
    responses((status = 200, body = Clock), (status = "4XX", body = ErrorBody)))]
pub async fn clock_advance(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ClockAdvanceRequest>,
) -> Reply<Clock> {
    ok(&c, s.control.clock_advance(&c, req).await)
}

// ---- data centres through partners ----
/// Partner only: a physical connection at one of its access points.
#[utoipa::path(post, path = "/v1/physical-connections", tag = "hybrid", request_body = PhysicalConnectionCreateRequest,
    responses((status = 201, body = PhysicalConnection), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<PhysicalConnectionCreateRequest>,
) -> Reply<PhysicalConnection> {
    created(&c, s.control.physical_connection_create(&c, req).await)
}
/// The caller's physical connections; filters: region, name.
#[utoipa::path(get, path = "/v1/physical-connections", tag = "hybrid", params(ListQuery),
    responses((status = 200, body = Page<PhysicalConnection>), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<PhysicalConnection>> {
    ok(&c, s.control.physical_connection_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/physical-connections/{physical_connection_id}", tag = "hybrid", params(("physical_connection_id" = String, Path)),
    responses((status = 200, body = PhysicalConnection), (status = "4XX", body = ErrorBody)))]
pub async fn physical_connection_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<PhysicalConnection> {
    ok(&c, s.control.physical_connection_get(&c, &id).await)
}
/// Partner only: a shared port for a tenant on one of its connections (VLAN id unique on the connection; ports never oversubscribe it).
#[utoipa::path(post, path = "/v1/shared-ports", tag = "hybrid", request_body = SharedPortCreateRequest,
    responses((status = 201, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<SharedPortCreateRequest>,
) -> Reply<SharedPort> {
    created(&c, s.control.shared_port_create(&c, req).await)
}
/// The shared ports the caller made (a partner) or was given (a tenant); filter: region.
#[utoipa::path(get, path = "/v1/shared-ports", tag = "hybrid", params(ListQuery),
    responses((status = 200, body = Page<SharedPort>), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<SharedPort>> {
    ok(&c, s.control.shared_port_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/shared-ports/{shared_port_id}", tag = "hybrid", params(("shared_port_id" = String, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_get(&c, &id).await)
}
/// The tenant accepts a shared port pushed to it.
#[utoipa::path(post, path = "/v1/shared-ports/{shared_port_id}/accept", tag = "hybrid", params(("shared_port_id" = String, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_accept(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_accept(&c, &id).await)
}
/// The tenant declines a shared port; its VLAN id and bandwidth are freed.
#[utoipa::path(post, path = "/v1/shared-ports/{shared_port_id}/decline", tag = "hybrid", params(("shared_port_id" = String, Path)),
    responses((status = 200, body = SharedPort), (status = "4XX", body = ErrorBody)))]
pub async fn shared_port_decline(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<SharedPort> {
    ok(&c, s.control.shared_port_decline(&c, &id).await)
}
/// A VBR on an accepted shared port: one per port, with the port's VLAN id.
#[utoipa::path(post, path = "/v1/vbrs", tag = "hybrid", request_body = VbrCreateRequest,
    responses((status = 201, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<VbrCreateRequest>,
) -> Reply<Vbr> {
    created(&c, s.control.vbr_create(&c, req).await)
}
/// The caller's VBRs; filters: region, name.
#[utoipa::path(get, path = "/v1/vbrs", tag = "hybrid", params(ListQuery),
    responses((status = 200, body = Page<Vbr>), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<Vbr>> {
    ok(&c, s.control.vbr_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = String, Path)),
    responses((status = 200, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_get(State(s): State<AppState>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> Reply<Vbr> {
    ok(&c, s.control.vbr_get(&c, &id).await)
}
/// Changes a VBR's name, description or routes; its VLAN id never changes.
#[utoipa::path(patch, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = String, Path)), request_body = VbrModifyRequest,
    responses((status = 200, body = Vbr), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_modify(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<VbrModifyRequest>,
) -> Reply<Vbr> {
    ok(&c, s.control.vbr_modify(&c, &id, req).await)
}
#[utoipa::path(delete, path = "/v1/vbrs/{vbr_id}", tag = "hybrid", params(("vbr_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn vbr_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.vbr_delete(&c, &id).await)
}

/// A host in the data centre behind one of the caller's VBRs, to test connectivity from and to.
#[utoipa::path(post, path = "/v1/data-centre-hosts", tag = "hybrid", request_body = HostCreateRequest,
    responses((status = 201, body = DataCentreHost), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_create(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<HostCreateRequest>,
) -> Reply<DataCentreHost> {
    created(&c, s.control.data_centre_host_create(&c, req).await)
}
/// The caller's data centre hosts; filters: vbr_id, name.
#[utoipa::path(get, path = "/v1/data-centre-hosts", tag = "hybrid", params(ListQuery),
    responses((status = 200, body = Page<DataCentreHost>), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<DataCentreHost>> {
    ok(&c, s.control.data_centre_host_list(&c, q).await)
}
#[utoipa::path(get, path = "/v1/data-centre-hosts/{host_id}", tag = "hybrid", params(("host_id" = String, Path)),
    responses((status = 200, body = DataCentreHost), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Reply<DataCentreHost> {
    ok(&c, s.control.data_centre_host_get(&c, &id).await)
}
#[utoipa::path(delete, path = "/v1/data-centre-hosts/{host_id}", tag = "hybrid", params(("host_id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn data_centre_host_delete(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> NoContent {
    deleted(&c, s.control.data_centre_host_delete(&c, &id).await)
}

// ---- data plane ----

/// Operator only (the data plane's agent): the namespaces, links, addresses, routes, rulesets
/// and shaping that realise the model, computed from the analyzer's own view.
#[utoipa::path(get, path = "/v1/dataplane/desired-state", tag = "dataplane",
    responses((status = 200, body = xconnect_model::dataplane::DesiredState), (status = "4XX", body = ErrorBody)))]
pub async fn desired_state_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
) -> Reply<xconnect_model::dataplane::DesiredState> {
    ok(&c, s.control.desired_state_get(&c).await)
}

// ---- billing ----

/// An account's statement for a month: every charge of its orders and metered usage, priced
/// with the operator's price list, and the total. The operator may ask for any account's.
#[utoipa::path(get, path = "/v1/billing/statement", tag = "billing", params(StatementQuery),
    responses((status = 200, body = xconnect_model::billing::Statement), (status = "4XX", body = ErrorBody)))]
pub async fn statement_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<StatementQuery>,
) -> Reply<xconnect_model::billing::Statement> {
    ok(&c, s.control.statement_get(&c, q).await)
}

/// Operator only (the data plane): one counter window's outbound bytes, recorded once.
#[utoipa::path(post, path = "/v1/billing/usage", tag = "billing", request_body = UsageReportRequest,
    responses((status = 200, body = xconnect_model::billing::UsageRecord), (status = "4XX", body = ErrorBody)))]
pub async fn usage_report(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<UsageReportRequest>,
) -> Reply<xconnect_model::billing::UsageRecord> {
    ok(&c, s.control.usage_report(&c, req).await)
}

/// The operator's price list.
#[utoipa::path(get, path = "/v1/billing/prices", tag = "billing",
    responses((status = 200, body = xconnect_model::billing::PriceList), (status = "4XX", body = ErrorBody)))]
pub async fn prices_get(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
) -> Reply<xconnect_model::billing::PriceList> {
    ok(&c, Ok(s.control.prices().clone()))
}

// ---- connectivity ----

/// Can this instance reach that address? Answered from the model: the hops the packet takes, and
/// for a packet that does not arrive, the first check that stops it and what would fix it.
#[utoipa::path(post, path = "/v1/connectivity-tests", tag = "connectivity", request_body = ConnectivityTestRequest,
    responses((status = 200, body = ConnectivityAnswer), (status = "4XX", body = ErrorBody)))]
pub async fn connectivity_test(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ConnectivityTestRequest>,
) -> Reply<ConnectivityAnswer> {
    ok(&c, s.control.connectivity_test(&c, req).await)
}

/// Every ordered pair of a set of instances (all the caller's when none are named) at once.
#[utoipa::path(post, path = "/v1/connectivity-matrix", tag = "connectivity", request_body = ConnectivityMatrixRequest,
    responses((status = 200, body = ConnectivityMatrix), (status = "4XX", body = ErrorBody)))]
pub async fn connectivity_matrix(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    JsonBody(req): JsonBody<ConnectivityMatrixRequest>,
) -> Reply<ConnectivityMatrix> {
    ok(&c, s.control.connectivity_matrix(&c, req).await)
}

// ---- audit trail ----

/// The caller's own events, oldest first; the operator sees every account's.
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", params(ListQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = "4XX", body = ErrorBody)))]
pub async fn audit_list(
    State(s): State<AppState>,
    Extension(c): Extension<Caller>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Reply<Page<AuditEvent>> {
    ok(&c, s.control.audit_list(&c, q).await)
}
