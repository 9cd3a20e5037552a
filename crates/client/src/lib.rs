//! A typed client for the xconnect API: signs every request with ACS3-HMAC-SHA256 and turns
//! error answers back into their code, message and request id. The CLI, the benchmark and the
//! integration tests all speak to the server through it. Asked to, it warns once when the
//! server is another build than its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use xconnect_model::version::{Build, VERSION_HEADER};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_sign as sign;

/// Where to reach the server and whom to sign as.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// e.g. `http://127.0.0.1:7878`
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
}

/// What a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error body.
    #[error("{} {}: {} (request {})", .status, .body.code, .body.message, .body.request_id)]
    Api { status: u16, body: ErrorBody },
    /// The server could not be reached or answered something that is not this API.
    #[error("{0}")]
    Transport(String),
}

impl ClientError {
    /// The error code, for an answer from the server.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { body, .. } => Some(&body.code),
            ClientError::Transport(_) => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            ClientError::Transport(_) => None,
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// A signed-request client. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    creds: Credentials,
    host: String,
    /// The endpoint, parsed once: each request only sets its path and query on a copy, which
    /// spares re-parsing (and re-checking) the host every time.
    base: reqwest::Url,
    /// This program's build, when it asked to hear of a server of another; shared by clones,
    /// so that the warning is given once.
    versions: Option<Arc<VersionCheck>>,
}

/// What [`Client::warning_of_other_builds`] compares, and whether it has warned yet.
#[derive(Debug)]
struct VersionCheck {
    mine: Build,
    warned: AtomicBool,
}

/// A fresh 32-hex-character nonce.
fn nonce() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    hex::encode(b)
}

impl Client {
    pub fn new(creds: Credentials) -> Result<Client> {
        let endpoint = creds.endpoint.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&endpoint)
            .map_err(|e| ClientError::Transport(format!("endpoint '{endpoint}' is not a URL: {e}")))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(ClientError::Transport(format!("endpoint '{endpoint}' has no host"))),
        };
        // Bounded waits: a server that takes the connection and never answers must not hold
        // a caller (the agent's loop above all) for ever.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            // Under the server's bound on an idle connection (30 s), so that the client lets a
            // connection go before the server closes it, never sending on one as it closes.
            .pool_idle_timeout(std::time::Duration::from_secs(20))
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Client { http, creds: Credentials { endpoint, ..creds }, host, base: url, versions: None })
    }

    /// This client, warning once on standard error when the server names another build than
    /// `mine` in its answers ([`Build::differs`] says when). Off unless asked for: a program
    /// that links the client (the benchmark, the tests) may have neither a build of its own to
    /// name nor a standard error anyone reads. A server that names no build (a proxy in
    /// between may drop headers it does not know) is not warned of: there is nothing to say
    /// that would help.
    pub fn warning_of_other_builds(mut self, mine: Build) -> Client {
        self.versions = Some(Arc::new(VersionCheck { mine, warned: AtomicBool::new(false) }));
        self
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Sends one signed request. `query` pairs are sent and signed as given.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&B>,
    ) -> Result<Option<T>> {
        let body = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| ClientError::Transport(e.to_string()))?,
            None => Vec::new(),
        };
        let content_sha = sign::sha256_hex(&body);
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.host.clone()),
            (sign::HEADER_CONTENT_SHA256.into(), content_sha.clone()),
            (sign::HEADER_DATE.into(), sign::format_date(SystemTime::now().into())),
            (sign::HEADER_NONCE.into(), nonce()),
        ];
        if !body.is_empty() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        let parts = sign::RequestParts {
            method: method.as_str(),
            path,
            query,
            headers: &headers,
            content_sha256: &content_sha,
        };
        let signature = sign::signature(&self.creds.access_key_secret, &parts);
        let auth = sign::authorization(&self.creds.access_key_id, &sign::signed_header_names(&headers), &signature);
        let query_string = sign::canonical_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut url = self.base.clone();
        url.set_path(&sign::canonical_uri(path));
        url.set_query(if query_string.is_empty() { None } else { Some(&query_string) });
        let mut req = self.http.request(method, url).header("authorization", auth);
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            req = req.header(k, v);
        }
        let resp = req.body(body).send().await.map_err(|e| unreachable(&self.creds.endpoint, &e))?;
        self.compare_builds(resp.headers());
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| ClientError::Transport(e.to_string()))?;
        if status.is_success() {
            if status == reqwest::StatusCode::NO_CONTENT {
                return Ok(None);
            }
            return serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ClientError::Transport(format!("the answer is not what this client expects: {e}")));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(ClientError::Api { status: status.as_u16(), body }),
            Err(_) => Err(ClientError::Transport(format!("{status}: {}", String::from_utf8_lossy(&bytes)))),
        }
    }

    /// Calls an action of Alibaba Cloud's RPC API on the server's Alibaba front: `POST /` with
    /// `Action`, `Version` and the parameters in the query, signed with ACS3-HMAC-SHA256 as
    /// Alibaba's V3 SDKs sign. The answer is the action's JSON. Alibaba's error body is not this
    /// API's, so a refusal comes back as a `Transport` error holding it whole.
    pub async fn alibaba(&self, version: &str, action: &str, params: &[(&str, String)]) -> Result<serde_json::Value> {
        let mut query: Vec<(String, String)> =
            vec![("Action".into(), action.into()), ("Version".into(), version.into())];
        query.extend(params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        self.send::<(), serde_json::Value>(Method::POST, "/", &query, None)
            .await?
            .ok_or_else(|| ClientError::Transport("the server answered without a body".into()))
    }

    /// Warns, the first time, that the server's answer names another build than this client's.
    fn compare_builds(&self, headers: &reqwest::header::HeaderMap) {
        let Some(check) = &self.versions else { return };
        let theirs = headers.get(VERSION_HEADER).and_then(|v| v.to_str().ok()).and_then(Build::parse);
        if let Some(theirs) = theirs
            && check.mine.differs(&theirs)
            && !check.warned.swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "warning: the server at {} runs xconnect {theirs}, this client is {}; a request or an answer one \
                 of them does not know may be refused or read wrongly: use a client of the server's build, or \
                 restart the server with this one",
                self.creds.endpoint, check.mine
            );
        }
    }

    async fn call<B: Serialize, T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&B>) -> Result<T> {
        self.send(method, path, &[], body)
            .await?
            .ok_or_else(|| ClientError::Transport("the server answered without a body".into()))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    async fn list<T: DeserializeOwned>(&self, path: &str, q: &ListQuery) -> Result<Page<T>> {
        let query = list_query_pairs(q);
        self.send::<(), Page<T>>(Method::GET, path, &query, None)
            .await?
            .ok_or_else(|| ClientError::Transport("the server answered without a body".into()))
    }

    async fn delete(&self, path: &str) -> Result<()> {
        self.send::<(), serde_json::Value>(Method::DELETE, path, &[], None).await.map(drop)
    }

    pub async fn caller(&self) -> Result<Account> {
        self.get("/v1/caller").await
    }

    pub async fn region_list(&self) -> Result<RegionList> {
        self.get("/v1/regions").await
    }

    pub async fn account_create(&self, req: &AccountCreateRequest) -> Result<AccountCreated> {
        self.call(Method::POST, "/v1/accounts", Some(req)).await
    }

    pub async fn account_list(&self, q: &ListQuery) -> Result<Page<Account>> {
        self.list("/v1/accounts", q).await
    }

    pub async fn account_get(&self, id: &str) -> Result<Account> {
        self.get(&format!("/v1/accounts/{id}")).await
    }

    pub async fn access_key_create(&self, account: &str) -> Result<AccessKeySecret> {
        self.call::<(), _>(Method::POST, &format!("/v1/accounts/{account}/access-keys"), None).await
    }

    pub async fn access_key_list(&self, account: &str) -> Result<Vec<AccessKey>> {
        self.get(&format!("/v1/accounts/{account}/access-keys")).await
    }

    pub async fn vpc_create(&self, req: &VpcCreateRequest) -> Result<Vpc> {
        self.call(Method::POST, "/v1/vpcs", Some(req)).await
    }

    pub async fn vpc_get(&self, id: &str) -> Result<Vpc> {
        self.get(&format!("/v1/vpcs/{id}")).await
    }

    pub async fn vpc_list(&self, q: &ListQuery) -> Result<Page<Vpc>> {
        self.list("/v1/vpcs", q).await
    }

    pub async fn vpc_modify(&self, id: &str, req: &ModifyRequest) -> Result<Vpc> {
        self.call(Method::PATCH, &format!("/v1/vpcs/{id}"), Some(req)).await
    }

    pub async fn vpc_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/vpcs/{id}")).await
    }

    pub async fn vswitch_create(&self, req: &VSwitchCreateRequest) -> Result<VSwitch> {
        self.call(Method::POST, "/v1/vswitches", Some(req)).await
    }

    pub async fn vswitch_get(&self, id: &str) -> Result<VSwitch> {
        self.get(&format!("/v1/vswitches/{id}")).await
    }

    pub async fn vswitch_list(&self, q: &ListQuery) -> Result<Page<VSwitch>> {
        self.list("/v1/vswitches", q).await
    }

    pub async fn vswitch_modify(&self, id: &str, req: &ModifyRequest) -> Result<VSwitch> {
        self.call(Method::PATCH, &format!("/v1/vswitches/{id}"), Some(req)).await
    }

    pub async fn vswitch_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/vswitches/{id}")).await
    }

    pub async fn instance_create(&self, req: &InstanceCreateRequest) -> Result<Instance> {
        self.call(Method::POST, "/v1/instances", Some(req)).await
    }

    pub async fn instance_get(&self, id: &str) -> Result<Instance> {
        self.get(&format!("/v1/instances/{id}")).await
    }

    pub async fn instance_list(&self, q: &ListQuery) -> Result<Page<Instance>> {
        self.list("/v1/instances", q).await
    }

    pub async fn instance_modify(&self, id: &str, req: &InstanceModifyRequest) -> Result<Instance> {
        self.call(Method::PATCH, &format!("/v1/instances/{id}"), Some(req)).await
    }

    pub async fn instance_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/instances/{id}")).await
    }

    pub async fn security_group_create(&self, req: &SecurityGroupCreateRequest) -> Result<SecurityGroup> {
        self.call(Method::POST, "/v1/security-groups", Some(req)).await
    }

    pub async fn security_group_get(&self, id: &str) -> Result<SecurityGroup> {
        self.get(&format!("/v1/security-groups/{id}")).await
    }

    pub async fn security_group_list(&self, q: &ListQuery) -> Result<Page<SecurityGroup>> {
        self.list("/v1/security-groups", q).await
    }

    pub async fn security_group_modify(&self, id: &str, req: &ModifyRequest) -> Result<SecurityGroup> {
        self.call(Method::PATCH, &format!("/v1/security-groups/{id}"), Some(req)).await
    }

    pub async fn security_group_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/security-groups/{id}")).await
    }

    pub async fn security_group_rule_create(
        &self,
        group: &str,
        req: &SecurityGroupRuleCreateRequest,
    ) -> Result<SecurityGroupRule> {
        self.call(Method::POST, &format!("/v1/security-groups/{group}/rules"), Some(req)).await
    }

    pub async fn security_group_rule_list(&self, group: &str, q: &ListQuery) -> Result<Page<SecurityGroupRule>> {
        self.list(&format!("/v1/security-groups/{group}/rules"), q).await
    }

    pub async fn security_group_rule_delete(&self, group: &str, rule: &str) -> Result<()> {
        self.delete(&format!("/v1/security-groups/{group}/rules/{rule}")).await
    }

    pub async fn route_table_get(&self, id: &str) -> Result<RouteTable> {
        self.get(&format!("/v1/route-tables/{id}")).await
    }

    pub async fn route_entry_create(&self, req: &RouteEntryCreateRequest) -> Result<RouteEntry> {
        self.call(Method::POST, "/v1/route-entries", Some(req)).await
    }

    pub async fn route_entry_get(&self, id: &str) -> Result<RouteEntry> {
        self.get(&format!("/v1/route-entries/{id}")).await
    }

    pub async fn route_entry_list(&self, q: &ListQuery) -> Result<Page<RouteEntry>> {
        self.list("/v1/route-entries", q).await
    }

    pub async fn route_entry_modify(&self, id: &str, req: &RouteEntryModifyRequest) -> Result<RouteEntry> {
        self.call(Method::PATCH, &format!("/v1/route-entries/{id}"), Some(req)).await
    }

    pub async fn route_entry_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/route-entries/{id}")).await
    }

    pub async fn router_interface_create(&self, req: &RouterInterfaceCreateRequest) -> Result<RouterInterface> {
        self.call(Method::POST, "/v1/router-interfaces", Some(req)).await
    }

    pub async fn router_interface_get(&self, id: &str) -> Result<RouterInterface> {
        self.get(&format!("/v1/router-interfaces/{id}")).await
    }

    pub async fn router_interface_list(&self, q: &ListQuery) -> Result<Page<RouterInterface>> {
        self.list("/v1/router-interfaces", q).await
    }

    pub async fn router_interface_modify(&self, id: &str, req: &ModifyRequest) -> Result<RouterInterface> {
        self.call(Method::PATCH, &format!("/v1/router-interfaces/{id}"), Some(req)).await
    }

    pub async fn router_interface_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/router-interfaces/{id}")).await
    }

    pub async fn router_interface_set_peer(
        &self,
        id: &str,
        req: &RouterInterfacePeerRequest,
    ) -> Result<RouterInterface> {
        self.call(Method::POST, &format!("/v1/router-interfaces/{id}/peer"), Some(req)).await
    }

    /// `connect`, `deactivate` or `activate`.
    pub async fn router_interface_action(&self, id: &str, action: &str) -> Result<RouterInterface> {
        self.call::<(), _>(Method::POST, &format!("/v1/router-interfaces/{id}/{action}"), None).await
    }

    pub async fn order_list(&self, q: &ListQuery) -> Result<Page<Order>> {
        self.list("/v1/orders", q).await
    }

    // ---- hubs ----

    pub async fn hub_create(&self, req: &HubCreateRequest) -> Result<Hub> {
        self.call(Method::POST, "/v1/hubs", Some(req)).await
    }

    pub async fn hub_get(&self, id: &str) -> Result<Hub> {
        self.get(&format!("/v1/hubs/{id}")).await
    }

    pub async fn hub_list(&self, q: &ListQuery) -> Result<Page<Hub>> {
        self.list("/v1/hubs", q).await
    }

    pub async fn hub_modify(&self, id: &str, req: &ModifyRequest) -> Result<Hub> {
        self.call(Method::PATCH, &format!("/v1/hubs/{id}"), Some(req)).await
    }

    pub async fn hub_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/hubs/{id}")).await
    }

    pub async fn grant_create(&self, req: &GrantCreateRequest) -> Result<Grant> {
        self.call(Method::POST, "/v1/grants", Some(req)).await
    }

    pub async fn grant_get(&self, id: &str) -> Result<Grant> {
        self.get(&format!("/v1/grants/{id}")).await
    }

    /// The grants the caller gave, or with `received` the ones it was given.
    /// The grants the caller gave.
    pub async fn grant_list(&self, q: &ListQuery) -> Result<Page<Grant>> {
        self.list("/v1/grants", q).await
    }

    /// The grants other accounts gave to the caller's hubs.
    pub async fn grant_list_received(&self, q: &ListQuery) -> Result<Page<Grant>> {
        self.list("/v1/grants/received", q).await
    }

    pub async fn grant_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/grants/{id}")).await
    }

    pub async fn attachment_create(&self, req: &AttachmentCreateRequest) -> Result<Attachment> {
        self.call(Method::POST, "/v1/attachments", Some(req)).await
    }

    pub async fn attachment_get(&self, id: &str) -> Result<Attachment> {
        self.get(&format!("/v1/attachments/{id}")).await
    }

    pub async fn attachment_list(&self, q: &ListQuery) -> Result<Page<Attachment>> {
        self.list("/v1/attachments", q).await
    }

    pub async fn attachment_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/attachments/{id}")).await
    }

    // ---- bandwidth packages, inter-region bandwidths, permits, the clock ----

    pub async fn bandwidth_package_create(&self, req: &BandwidthPackageCreateRequest) -> Result<BandwidthPackage> {
        self.call(Method::POST, "/v1/bandwidth-packages", Some(req)).await
    }

    pub async fn bandwidth_package_get(&self, id: &str) -> Result<BandwidthPackage> {
        self.get(&format!("/v1/bandwidth-packages/{id}")).await
    }

    pub async fn bandwidth_package_list(&self, q: &ListQuery) -> Result<Page<BandwidthPackage>> {
        self.list("/v1/bandwidth-packages", q).await
    }

    pub async fn bandwidth_package_modify(
        &self,
        id: &str,
        req: &BandwidthPackageModifyRequest,
    ) -> Result<BandwidthPackage> {
        self.call(Method::PATCH, &format!("/v1/bandwidth-packages/{id}"), Some(req)).await
    }

    pub async fn bandwidth_package_pay(&self, id: &str) -> Result<BandwidthPackage> {
        self.call::<(), _>(Method::POST, &format!("/v1/bandwidth-packages/{id}/pay"), None).await
    }

    pub async fn bandwidth_package_bind(&self, id: &str, hub_id: &str) -> Result<BandwidthPackage> {
        let req = BandwidthPackageBindRequest { hub_id: hub_id.to_owned() };
        self.call(Method::POST, &format!("/v1/bandwidth-packages/{id}/bind"), Some(&req)).await
    }

    pub async fn bandwidth_package_unbind(&self, id: &str) -> Result<BandwidthPackage> {
        self.call::<(), _>(Method::POST, &format!("/v1/bandwidth-packages/{id}/unbind"), None).await
    }

    pub async fn inter_region_bandwidth_create(
        &self,
        req: &InterRegionBandwidthCreateRequest,
    ) -> Result<InterRegionBandwidth> {
        self.call(Method::POST, "/v1/inter-region-bandwidths", Some(req)).await
    }

    pub async fn inter_region_bandwidth_get(&self, id: &str) -> Result<InterRegionBandwidth> {
        self.get(&format!("/v1/inter-region-bandwidths/{id}")).await
    }

    pub async fn inter_region_bandwidth_list(&self, q: &ListQuery) -> Result<Page<InterRegionBandwidth>> {
        self.list("/v1/inter-region-bandwidths", q).await
    }

    pub async fn inter_region_bandwidth_modify(&self, id: &str, bandwidth_mbps: i64) -> Result<InterRegionBandwidth> {
        let req = InterRegionBandwidthModifyRequest { bandwidth_mbps };
        self.call(Method::PATCH, &format!("/v1/inter-region-bandwidths/{id}"), Some(&req)).await
    }

    pub async fn inter_region_bandwidth_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/inter-region-bandwidths/{id}")).await
    }

    pub async fn permit_create(&self, req: &PermitCreateRequest) -> Result<Permit> {
        self.call(Method::POST, "/v1/permits", Some(req)).await
    }

    pub async fn permit_get(&self, id: &str) -> Result<Permit> {
        self.get(&format!("/v1/permits/{id}")).await
    }

    pub async fn permit_list(&self, q: &ListQuery) -> Result<Page<Permit>> {
        self.list("/v1/permits", q).await
    }

    pub async fn permit_approve(&self, id: &str) -> Result<Permit> {
        self.call::<(), _>(Method::POST, &format!("/v1/permits/{id}/approve"), None).await
    }

    pub async fn permit_reject(&self, id: &str, reason: &str) -> Result<Permit> {
        let req = PermitRejectRequest { reason: reason.to_owned() };
        self.call(Method::POST, &format!("/v1/permits/{id}/reject"), Some(&req)).await
    }

    pub async fn clock_get(&self) -> Result<Clock> {
        self.get("/v1/admin/clock").await
    }

    pub async fn clock_advance(&self, seconds: i64) -> Result<Clock> {
        self.call(Method::POST, "/v1/admin/clock", Some(&ClockAdvanceRequest { seconds })).await
    }

    // ---- data centres through partners ----

    pub async fn physical_connection_create(
        &self,
        req: &PhysicalConnectionCreateRequest,
    ) -> Result<PhysicalConnection> {
        self.call(Method::POST, "/v1/physical-connections", Some(req)).await
    }

    pub async fn physical_connection_get(&self, id: &str) -> Result<PhysicalConnection> {
        self.get(&format!("/v1/physical-connections/{id}")).await
    }

    pub async fn physical_connection_list(&self, q: &ListQuery) -> Result<Page<PhysicalConnection>> {
        self.list("/v1/physical-connections", q).await
    }

    pub async fn shared_port_create(&self, req: &SharedPortCreateRequest) -> Result<SharedPort> {
        self.call(Method::POST, "/v1/shared-ports", Some(req)).await
    }

    pub async fn shared_port_get(&self, id: &str) -> Result<SharedPort> {
        self.get(&format!("/v1/shared-ports/{id}")).await
    }

    pub async fn shared_port_list(&self, q: &ListQuery) -> Result<Page<SharedPort>> {
        self.list("/v1/shared-ports", q).await
    }

    pub async fn shared_port_accept(&self, id: &str) -> Result<SharedPort> {
        self.call::<(), _>(Method::POST, &format!("/v1/shared-ports/{id}/accept"), None).await
    }

    pub async fn shared_port_decline(&self, id: &str) -> Result<SharedPort> {
        self.call::<(), _>(Method::POST, &format!("/v1/shared-ports/{id}/decline"), None).await
    }

    pub async fn shared_port_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/shared-ports/{id}")).await
    }

    pub async fn vbr_create(&self, req: &VbrCreateRequest) -> Result<Vbr> {
        self.call(Method::POST, "/v1/vbrs", Some(req)).await
    }

    pub async fn vbr_get(&self, id: &str) -> Result<Vbr> {
        self.get(&format!("/v1/vbrs/{id}")).await
    }

    pub async fn vbr_list(&self, q: &ListQuery) -> Result<Page<Vbr>> {
        self.list("/v1/vbrs", q).await
    }

    pub async fn vbr_modify(&self, id: &str, req: &VbrModifyRequest) -> Result<Vbr> {
        self.call(Method::PATCH, &format!("/v1/vbrs/{id}"), Some(req)).await
    }

    pub async fn vbr_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/vbrs/{id}")).await
    }

    pub async fn data_centre_host_create(&self, req: &DataCentreHostCreateRequest) -> Result<DataCentreHost> {
        self.call(Method::POST, "/v1/data-centre-hosts", Some(req)).await
    }

    pub async fn data_centre_host_get(&self, id: &str) -> Result<DataCentreHost> {
        self.get(&format!("/v1/data-centre-hosts/{id}")).await
    }

    pub async fn data_centre_host_list(&self, q: &ListQuery) -> Result<Page<DataCentreHost>> {
        self.list("/v1/data-centre-hosts", q).await
    }

    pub async fn data_centre_host_delete(&self, id: &str) -> Result<()> {
        self.delete(&format!("/v1/data-centre-hosts/{id}")).await
    }

    pub async fn statement_get(
        &self,
        month: &str,
        account: Option<&str>,
    ) -> Result<xconnect_model::billing::Statement> {
        let mut query = vec![("month".to_owned(), month.to_owned())];
        if let Some(a) = account {
            query.push(("account_id".to_owned(), a.to_owned()));
        }
        self.send::<(), _>(Method::GET, "/v1/billing/statement", &query, None)
            .await?
            .ok_or_else(|| ClientError::Transport("the server answered without a body".into()))
    }

    pub async fn usage_report(&self, req: &UsageReportRequest) -> Result<xconnect_model::billing::UsageRecord> {
        self.call(Method::POST, "/v1/billing/usage", Some(req)).await
    }

    pub async fn desired_state_get(&self) -> Result<xconnect_model::dataplane::DesiredState> {
        self.get("/v1/dataplane/desired-state").await
    }

    pub async fn prices(&self) -> Result<xconnect_model::billing::PriceList> {
        self.get("/v1/billing/prices").await
    }

    pub async fn connectivity_test(
        &self,
        req: &ConnectivityTestRequest,
    ) -> Result<xconnect_model::connectivity::ConnectivityAnswer> {
        self.call(Method::POST, "/v1/connectivity-tests", Some(req)).await
    }

    pub async fn connectivity_matrix(
        &self,
        req: &ConnectivityMatrixRequest,
    ) -> Result<xconnect_model::connectivity::ConnectivityMatrix> {
        self.call(Method::POST, "/v1/connectivity-matrix", Some(req)).await
    }

    pub async fn audit_list(&self, q: &ListQuery) -> Result<Page<AuditEvent>> {
        self.list("/v1/audit-events", q).await
    }
}

/// What the server's unsigned `GET /healthz` answered, and when: the clock on both sides of the
/// request, for comparing the server's clock with this one.
#[derive(Debug, Clone)]
pub struct Health {
    pub status: u16,
    pub body: String,
    /// The server's clock, from the answer's `Date` header (whole seconds).
    pub date: Option<SystemTime>,
    /// The build the answer names.
    pub build: Option<Build>,
    /// This machine's clock just before the request was sent, and once the answer was in.
    pub sent: SystemTime,
    pub received: SystemTime,
}

/// Asks the server at `endpoint` whether it runs (`GET /healthz`, which needs no key). Where
/// nothing answers, the error names the cause and no remedy: the caller knows what it asked for.
pub async fn health(endpoint: &str) -> Result<Health> {
    let endpoint = endpoint.trim_end_matches('/');
    let url = reqwest::Url::parse(endpoint)
        .and_then(|u| u.join("/healthz"))
        .map_err(|e| ClientError::Transport(format!("endpoint '{endpoint}' is not a URL: {e}")))?;
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| ClientError::Transport(e.to_string()))?;
    let sent = SystemTime::now();
    let resp = http.get(url).send().await.map_err(|e| {
        let what = if e.is_connect() { "nothing answers at" } else { "no answer from" };
        ClientError::Transport(format!("{what} {endpoint} ({})", cause(&e)))
    })?;
    let received = SystemTime::now();
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let date = header("date").as_deref().and_then(http_date);
    let build = header(VERSION_HEADER).as_deref().and_then(Build::parse);
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| ClientError::Transport(e.to_string()))?;
    Ok(Health { status, body, date, build, sent, received })
}

/// An HTTP date as servers send it (`Wed, 02 Dec 2026 05:14:58 GMT`, RFC 9110's preferred form).
fn http_date(s: &str) -> Option<SystemTime> {
    let format = ::time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    ::time::PrimitiveDateTime::parse(s, &format).ok().map(|t| t.assume_utc().into())
}

/// A list query as the pairs of a query string.
pub fn list_query_pairs(q: &ListQuery) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push((k.to_owned(), v.clone()));
        }
    };
    push("max_results", &q.max_results.map(|n| n.to_string()));
    push("next_token", &q.next_token);
    push("region", &q.region);
    push("vpc_id", &q.vpc_id);
    push("name", &q.name);
    push("account_id", &q.account_id);
    push("route_table_id", &q.route_table_id);
    push("status", &q.status);
    push("role", &q.role);
    push("hub_id", &q.hub_id);
    push("vbr_id", &q.vbr_id);
    out
}

/// Why a request got no answer, in words that say what to do: reqwest's own ("error sending
/// request for url") names neither the cause nor the likely fix.
fn unreachable(endpoint: &str, e: &reqwest::Error) -> ClientError {
    let cause = cause(e);
    if e.is_connect() {
        ClientError::Transport(format!(
            "nothing answers at {endpoint} ({cause}): is the server running there? Start one with `xconnect \
             serve`, or point the client at another with `xconnect configure --endpoint URL`"
        ))
    } else {
        ClientError::Transport(format!("cannot reach {endpoint}: {cause}"))
    }
}

/// The innermost cause of a failed request ("Connection refused"), which says more than
/// reqwest's own words.
fn cause(e: &reqwest::Error) -> String {
    std::iter::successors(Some(e as &dyn std::error::Error), |e| e.source())
        .last()
        .map(|c| c.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_read_as_servers_send_them() {
        let t = http_date("Wed, 02 Dec 2026 05:14:58 GMT").unwrap();
        let unix = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(unix, 1_796_188_498);
        assert_eq!(http_date("Wed, 02 Dec 2026 05:14:58 +0000"), None, "only the form servers send");
        assert_eq!(http_date("2026-12-02T05:14:58Z"), None);
    }
}
