//! The endpoint table: every operation of the REST front, in an order that makes each one
//! succeed, with who calls it and what it names. One table drives three checks, as omicron's
//! `VERIFY_ENDPOINTS` does:
//! - coverage: the table and `openapi.json` name the same operations, so a route added without
//!   an entry here (or an entry for a route that is gone) fails the suite;
//! - the walk: every operation, called by its rightful caller, succeeds, on SQLite and on
//!   PostgreSQL;
//! - strangers: just before the rightful caller makes a call that names a resource (in its path
//!   or its body), another tenant, an uninvolved partner and the operator make the same call
//!   with the same real ids. Strangers get 404 worded exactly as for ids that never existed (or,
//!   on the operator's routes, the 403 every non-operator gets); the operator may read and gets
//!   403 for a change; and the owners' state is the same before and after.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use xconnect_client::Client;
use xconnect_store::testing::Kind;

use crate::harness::{Server, Tamper, raw};

/// Who makes a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The tenant that owns most of the walk's resources.
    A,
    /// The other tenant: the acceptor of the pair, the grantor of a network to A's hub.
    B,
    /// The partner whose connection pushes ports to A.
    P,
    Operator,
}

/// Who may call an operation at all, whatever it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Any signed caller, on what it may see.
    Signed,
    /// The operator alone; everyone else gets the same 403, whatever the ids.
    OperatorOnly,
    /// Partners, on what they may see; tenants get the same 403, whatever the ids.
    PartnerOnly,
}

/// Ids saved from earlier answers, by name; a path's `{name}` takes the id of that name.
type Ids = BTreeMap<String, String>;

struct Step {
    who: Who,
    method: &'static str,
    /// The path as the OpenAPI document writes it.
    path: &'static str,
    status: u16,
    access: Access,
    /// Path parameters taken from an id saved under another name.
    bind: &'static [(&'static str, &'static str)],
    query: Option<fn(&Ids) -> String>,
    body: Option<fn(&Ids) -> Value>,
    /// Ids to keep from the answer: (name, JSON pointer).
    save: &'static [(&'static str, &'static str)],
    /// Whether the call changes anything (every method but GET, unless said otherwise).
    changes: bool,
}

fn step(who: Who, method: &'static str, path: &'static str, status: u16) -> Step {
    let changes = method != "GET";
    Step { who, method, path, status, access: Access::Signed, bind: &[], query: None, body: None, save: &[], changes }
}

impl Step {
    fn body(self, body: fn(&Ids) -> Value) -> Step {
        Step { body: Some(body), ..self }
    }
    fn query(self, query: fn(&Ids) -> String) -> Step {
        Step { query: Some(query), ..self }
    }
    fn save(self, save: &'static [(&'static str, &'static str)]) -> Step {
        Step { save, ..self }
    }
    fn bind(self, bind: &'static [(&'static str, &'static str)]) -> Step {
        Step { bind, ..self }
    }
    fn operator_only(self) -> Step {
        Step { access: Access::OperatorOnly, ..self }
    }
    /// A POST that only asks a question, as a connectivity test does.
    fn reads(self) -> Step {
        Step { changes: false, ..self }
    }
    fn partner_only(self) -> Step {
        Step { access: Access::PartnerOnly, ..self }
    }
}

fn id(ids: &Ids, name: &str) -> String {
    ids.get(name).unwrap_or_else(|| panic!("no id saved as {name}")).clone()
}

/// Every operation, in the order of a life: made, read, changed, used, and taken apart.
fn table() -> Vec<Step> {
    use Who::*;
    vec![
        // Accounts, keys and the catalogue.
        step(A, "GET", "/v1/caller", 200),
        step(A, "GET", "/v1/regions", 200),
        step(Operator, "POST", "/v1/accounts", 201).operator_only().body(|_| json!({"kind": "tenant", "name": "extra"})),
        step(Operator, "GET", "/v1/accounts", 200).operator_only(),
        step(A, "GET", "/v1/accounts/{account_id}", 200),
        step(Operator, "POST", "/v1/accounts/{account_id}/access-keys", 201).operator_only(),
        step(A, "GET", "/v1/accounts/{account_id}/access-keys", 200),
        // A's VPC, as in seed 003.
        step(A, "POST", "/v1/vpcs", 201)
            .body(|_| json!({"region": "cn-beijing", "cidr_block": "192.168.0.0/16", "name": "vpc-a"}))
            .save(&[("vpc_id", "/id"), ("route_table_id", "/route_table_id"), ("vrouter_id", "/vrouter_id")]),
        step(A, "GET", "/v1/vpcs", 200),
        step(A, "GET", "/v1/vpcs/{vpc_id}", 200),
        step(A, "PATCH", "/v1/vpcs/{vpc_id}", 200).body(|_| json!({"description": "seed 003"})),
        step(A, "POST", "/v1/vswitches", 201)
            .body(|ids| json!({"vpc_id": id(ids, "vpc_id"), "zone": "cn-beijing-a", "cidr_block": "192.168.100.0/24"}))
            .save(&[("vswitch_id", "/id")]),
        step(A, "GET", "/v1/vswitches", 200),
        step(A, "GET", "/v1/vswitches/{vswitch_id}", 200),
        step(A, "PATCH", "/v1/vswitches/{vswitch_id}", 200).body(|_| json!({"name": "vsw"})),
        step(A, "POST", "/v1/security-groups", 201)
            .body(|ids| json!({"vpc_id": id(ids, "vpc_id")}))
            .save(&[("security_group_id", "/id")]),
        step(A, "GET", "/v1/security-groups", 200),
        step(A, "GET", "/v1/security-groups/{security_group_id}", 200),
        step(A, "PATCH", "/v1/security-groups/{security_group_id}", 200).body(|_| json!({"name": "web"})),
        step(A, "POST", "/v1/security-groups/{security_group_id}/rules", 201)
            .body(|_| json!({"direction": "ingress", "protocol": "icmp", "cidr_block": "172.16.0.0/12"}))
            .save(&[("rule_id", "/id")]),
        step(A, "GET", "/v1/security-groups/{security_group_id}/rules", 200),
        step(A, "POST", "/v1/instances", 201)
            .body(|ids| json!({"vswitch_id": id(ids, "vswitch_id"), "security_group_ids": [id(ids, "security_group_id")]}))
            .save(&[("instance_id", "/id")]),
        step(A, "GET", "/v1/instances", 200),
        step(A, "GET", "/v1/instances/{instance_id}", 200),
        step(A, "PATCH", "/v1/instances/{instance_id}", 200).body(|_| json!({"name": "web-1"})),
        step(A, "GET", "/v1/route-tables/{route_table_id}", 200),
        step(A, "POST", "/v1/route-entries", 201)
            .body(|ids| {
                json!({"route_table_id": id(ids, "route_table_id"), "destination_cidr_block": "10.0.0.0/8",
                    "next_hop_type": "blackhole"})
            })
            .save(&[("route_entry_id", "/id")]),
        step(A, "GET", "/v1/route-entries", 200),
        step(A, "GET", "/v1/route-entries/{route_entry_id}", 200),
        step(A, "PATCH", "/v1/route-entries/{route_entry_id}", 200).body(|_| json!({"description": "drop"})),
        // B's VPC in Qingdao, peered with A's through a pair of router interfaces.
        step(B, "POST", "/v1/vpcs", 201)
            .body(|_| json!({"region": "cn-qingdao", "cidr_block": "172.16.0.0/12"}))
            .save(&[("b_vpc_id", "/id"), ("b_vrouter_id", "/vrouter_id")]),
        step(A, "POST", "/v1/router-interfaces", 201)
            .body(|ids| {
                json!({"vpc_id": id(ids, "vpc_id"), "role": "initiator", "peer_region": "cn-qingdao", "spec": "Mini.2"})
            })
            .save(&[("router_interface_id", "/id")]),
        step(B, "POST", "/v1/router-interfaces", 201)
            .body(|ids| json!({"vpc_id": id(ids, "b_vpc_id"), "role": "acceptor", "peer_region": "cn-beijing"}))
            .save(&[("b_router_interface_id", "/id")]),
        step(A, "POST", "/v1/router-interfaces/{router_interface_id}/peer", 200).body(|ids| {
            json!({"peer_account_id": id(ids, "b_account_id"), "peer_vrouter_id": id(ids, "b_vrouter_id"),
                "peer_router_interface_id": id(ids, "b_router_interface_id")})
        }),
        step(B, "POST", "/v1/router-interfaces/{router_interface_id}/peer", 200)
            .bind(&[("router_interface_id", "b_router_interface_id")])
            .body(|ids| {
                json!({"peer_account_id": id(ids, "account_id"), "peer_vrouter_id": id(ids, "vrouter_id"),
                    "peer_router_interface_id": id(ids, "router_interface_id")})
            }),
        step(A, "POST", "/v1/router-interfaces/{router_interface_id}/connect", 200),
        step(A, "GET", "/v1/router-interfaces", 200),
        step(A, "GET", "/v1/router-interfaces/{router_interface_id}", 200),
        step(A, "PATCH", "/v1/router-interfaces/{router_interface_id}", 200).body(|_| json!({"name": "to-b"})),
        step(A, "POST", "/v1/router-interfaces/{router_interface_id}/deactivate", 200),
        step(A, "POST", "/v1/router-interfaces/{router_interface_id}/activate", 200),
        step(A, "GET", "/v1/orders", 200),
        // A's hub, B's network granted to it, both attached; bandwidth bought between regions.
        step(A, "POST", "/v1/hubs", 201).body(|_| json!({"name": "CC_01"})).save(&[("hub_id", "/id")]),
        step(A, "GET", "/v1/hubs", 200),
        step(A, "GET", "/v1/hubs/{hub_id}", 200),
        step(A, "PATCH", "/v1/hubs/{hub_id}", 200).body(|_| json!({"description": "seed 000"})),
        step(B, "POST", "/v1/grants", 201)
            .body(|ids| {
                json!({"network_id": id(ids, "b_vpc_id"), "grantee_account_id": id(ids, "account_id"),
                    "hub_id": id(ids, "hub_id")})
            })
            .save(&[("grant_id", "/id")]),
        step(B, "GET", "/v1/grants", 200),
        step(A, "GET", "/v1/grants/received", 200),
        step(B, "GET", "/v1/grants/{grant_id}", 200),
        step(A, "POST", "/v1/attachments", 201)
            .body(|ids| json!({"hub_id": id(ids, "hub_id"), "network_id": id(ids, "vpc_id")}))
            .save(&[("attachment_id", "/id")]),
        step(A, "POST", "/v1/attachments", 201)
            .body(|ids| {
                json!({"hub_id": id(ids, "hub_id"), "network_id": id(ids, "b_vpc_id"),
                    "network_account_id": id(ids, "b_account_id")})
            })
            .save(&[("b_attachment_id", "/id")]),
        step(A, "GET", "/v1/attachments", 200),
        step(A, "GET", "/v1/attachments/{attachment_id}", 200),
        step(A, "POST", "/v1/bandwidth-packages", 201)
            .body(|_| {
                json!({"name": "daikuaibao1", "billing_mode": "monthly", "period": 1, "bandwidth_mbps": 50,
                    "areas": ["chinese-mainland"]})
            })
            .save(&[("bandwidth_package_id", "/id")]),
        step(A, "GET", "/v1/bandwidth-packages", 200),
        step(A, "GET", "/v1/bandwidth-packages/{bandwidth_package_id}", 200),
        step(A, "PATCH", "/v1/bandwidth-packages/{bandwidth_package_id}", 200).body(|_| json!({"description": "seed 000"})),
        step(A, "POST", "/v1/bandwidth-packages/{bandwidth_package_id}/pay", 200),
        step(A, "POST", "/v1/bandwidth-packages/{bandwidth_package_id}/bind", 200)
            .body(|ids| json!({"hub_id": id(ids, "hub_id")})),
        step(A, "POST", "/v1/inter-region-bandwidths", 201)
            .body(|ids| {
                json!({"hub_id": id(ids, "hub_id"), "bandwidth_package_id": id(ids, "bandwidth_package_id"),
                    "regions": ["cn-beijing", "cn-qingdao"], "bandwidth_mbps": 5})
            })
            .save(&[("inter_region_bandwidth_id", "/id")]),
        step(A, "GET", "/v1/inter-region-bandwidths", 200),
        step(A, "GET", "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", 200),
        step(A, "PATCH", "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", 200)
            .body(|_| json!({"bandwidth_mbps": 4})),
        // Cross-border permits: one approved, one rejected.
        step(A, "POST", "/v1/permits", 201).body(|_| permit()).save(&[("permit_id", "/id")]),
        step(A, "POST", "/v1/permits", 201).body(|_| permit()).save(&[("second_permit_id", "/id")]),
        step(A, "GET", "/v1/permits", 200),
        step(A, "GET", "/v1/permits/{permit_id}", 200),
        step(Operator, "POST", "/v1/permits/{permit_id}/approve", 200).operator_only(),
        step(Operator, "POST", "/v1/permits/{permit_id}/reject", 200)
            .operator_only()
            .bind(&[("permit_id", "second_permit_id")])
            .body(|_| json!({"reason": "the representative did not sign"})),
        step(Operator, "GET", "/v1/admin/clock", 200).operator_only(),
        step(Operator, "POST", "/v1/admin/clock", 200).operator_only().body(|_| json!({"seconds": 60})),
        // A data centre through P's shared port (seed 004): one port accepted, one declined.
        step(P, "POST", "/v1/physical-connections", 201)
            .partner_only()
            .body(|_| {
                json!({"name": "pc-dc11", "access_point": "Equinix DC11", "region": "us-east-1",
                    "port_type": "1000Base-T", "bandwidth_mbps": 1000})
            })
            .save(&[("physical_connection_id", "/id")]),
        step(P, "GET", "/v1/physical-connections", 200),
        step(P, "GET", "/v1/physical-connections/{physical_connection_id}", 200),
        step(P, "POST", "/v1/shared-ports", 201)
            .partner_only()
            .body(|ids| port(ids, 100))
            .save(&[("shared_port_id", "/id")]),
        step(P, "POST", "/v1/shared-ports", 201)
            .partner_only()
            .body(|ids| port(ids, 101)).save(&[("second_shared_port_id", "/id")]),
        step(A, "GET", "/v1/shared-ports", 200),
        step(A, "GET", "/v1/shared-ports/{shared_port_id}", 200),
        step(A, "POST", "/v1/shared-ports/{shared_port_id}/accept", 200),
        step(A, "POST", "/v1/shared-ports/{shared_port_id}/decline", 200)
            .bind(&[("shared_port_id", "second_shared_port_id")]),
        step(P, "DELETE", "/v1/shared-ports/{shared_port_id}", 204)
            .bind(&[("shared_port_id", "second_shared_port_id")]),
        step(A, "POST", "/v1/vbrs", 201)
            .body(|ids| {
                json!({"shared_port_id": id(ids, "shared_port_id"), "local_gateway_ip": "10.0.0.1",
                    "peer_gateway_ip": "10.0.0.2", "peering_subnet": "10.0.0.0/30", "routes": ["172.30.0.0/16"]})
            })
            .save(&[("vbr_id", "/id")]),
        step(A, "GET", "/v1/vbrs", 200),
        step(A, "GET", "/v1/vbrs/{vbr_id}", 200),
        step(A, "PATCH", "/v1/vbrs/{vbr_id}", 200).body(|_| json!({"name": "vbr-dc11"})),
        step(A, "POST", "/v1/data-centre-hosts", 201)
            .body(|ids| json!({"vbr_id": id(ids, "vbr_id"), "ip": "172.30.0.10"}))
            .save(&[("host_id", "/id")]),
        step(A, "GET", "/v1/data-centre-hosts", 200),
        step(A, "GET", "/v1/data-centre-hosts/{host_id}", 200),
        // What the data plane, the bill and the analyzer make of it.
        step(Operator, "GET", "/v1/dataplane/desired-state", 200).operator_only(),
        step(Operator, "POST", "/v1/billing/usage", 200).operator_only().body(|ids| {
            json!({"account_id": id(ids, "account_id"), "counter_id": "xc-walk",
                "resource_id": id(ids, "router_interface_id"), "window_start": "2026-01-01T00:00:00Z",
                "window_seconds": 300, "bytes_out": 1000})
        }),
        step(A, "GET", "/v1/billing/statement", 200).query(|_| "month=2026-01".into()),
        step(A, "GET", "/v1/billing/prices", 200),
        step(A, "POST", "/v1/connectivity-tests", 200)
            .reads()
            .body(|ids| json!({"from_instance_id": id(ids, "instance_id"), "destination_ip": "172.16.0.10"})),
        step(A, "POST", "/v1/connectivity-matrix", 200).reads().body(|ids| json!({"instance_ids": [id(ids, "instance_id")]})),
        step(A, "GET", "/v1/audit-events", 200),
        // Taken apart, innermost first.
        step(A, "DELETE", "/v1/data-centre-hosts/{host_id}", 204),
        step(A, "DELETE", "/v1/vbrs/{vbr_id}", 204),
        step(A, "DELETE", "/v1/inter-region-bandwidths/{inter_region_bandwidth_id}", 204),
        step(A, "POST", "/v1/bandwidth-packages/{bandwidth_package_id}/unbind", 200),
        step(A, "DELETE", "/v1/attachments/{attachment_id}", 204).bind(&[("attachment_id", "b_attachment_id")]),
        step(A, "DELETE", "/v1/attachments/{attachment_id}", 204),
        step(B, "DELETE", "/v1/grants/{grant_id}", 204),
        step(A, "DELETE", "/v1/hubs/{hub_id}", 204),
        step(A, "POST", "/v1/router-interfaces/{router_interface_id}/deactivate", 200),
        step(A, "DELETE", "/v1/router-interfaces/{router_interface_id}", 204),
        step(A, "DELETE", "/v1/route-entries/{route_entry_id}", 204),
        step(A, "DELETE", "/v1/security-groups/{security_group_id}/rules/{rule_id}", 204),
        step(A, "DELETE", "/v1/instances/{instance_id}", 204),
        step(A, "DELETE", "/v1/security-groups/{security_group_id}", 204),
        step(A, "DELETE", "/v1/vswitches/{vswitch_id}", 204),
        step(A, "DELETE", "/v1/vpcs/{vpc_id}", 204),
    ]
}

fn permit() -> Value {
    json!({"enterprise": "E", "representative": "R",
        "documents": [{"name": "agreement.pdf", "content_base64": "c2lnbmVk"}]})
}

fn port(ids: &Ids, vlan: u32) -> Value {
    json!({"physical_connection_id": id(ids, "physical_connection_id"), "tenant_account_id": id(ids, "account_id"),
        "vlan_id": vlan, "bandwidth_mbps": 100})
}

/// The operations of the checked-in OpenAPI document, as `METHOD /path`.
fn documented() -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(&xconnect_api::openapi_json()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    ops
}

#[test]
fn the_table_covers_every_documented_operation() {
    let documented = documented();
    let tabled: BTreeSet<String> = table().iter().map(|s| format!("{} {}", s.method, s.path)).collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let unknown: Vec<_> = tabled.difference(&documented).collect();
    assert!(missing.is_empty(), "operations with no entry in the endpoint table (add them to walk.rs): {missing:#?}");
    assert!(unknown.is_empty(), "entries of the endpoint table that name no documented operation: {unknown:#?}");
}

/// The walk's callers, and the strangers who try each call first.
struct Cast {
    a: Client,
    b: Client,
    p: Client,
    operator: Client,
    /// A tenant with no part in anything the walk makes.
    stranger: Client,
    /// A partner with no part in it either.
    stranger_partner: Client,
}

impl Cast {
    fn client(&self, who: Who) -> &Client {
        match who {
            Who::A => &self.a,
            Who::B => &self.b,
            Who::P => &self.p,
            Who::Operator => &self.operator,
        }
    }
}

/// The path with its parameters filled in from `ids`, and the query if any.
fn resolve(step: &Step, ids: &Ids) -> String {
    let mut path = step.path.to_owned();
    while let Some(open) = path.find('{') {
        let close = path[open..].find('}').unwrap() + open;
        let name = &path[open + 1..close];
        let from = step.bind.iter().find(|(p, _)| *p == name).map_or(name, |(_, from)| from);
        path.replace_range(open..=close, &id(ids, from));
    }
    match step.query {
        Some(q) => format!("{path}?{}", q(ids)),
        None => path,
    }
}

/// An id of the same kind that was never made: the same prefix, another body.
fn ghost(real: &str) -> String {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    let (prefix, body) = real.rsplit_once('-').unwrap();
    let body: String = body
        .bytes()
        .map(|b| ALPHABET[(ALPHABET.iter().position(|x| *x == b).unwrap() + 11) % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}-{body}")
}

/// Every saved id that occurs in `text`, longest first (so none is replaced inside another).
fn ids_in<'a>(text: &str, ids: &'a Ids) -> Vec<&'a String> {
    let mut found: Vec<&String> = ids.values().filter(|v| text.contains(v.as_str())).collect();
    found.sort_by_key(|v| std::cmp::Reverse(v.len()));
    found.dedup();
    found
}

fn ghosted(text: &str, real: &[&String]) -> String {
    real.iter().fold(text.to_owned(), |t, r| t.replace(r.as_str(), &ghost(r)))
}

async fn send(c: &Client, method: &str, path: &str, body: &str) -> (u16, Value) {
    raw(&c.credentials().endpoint, c.credentials(), method, path, body.as_bytes(), Tamper::default()).await
}

async fn walk(kind: Kind) {
    let server = Server::start_on(kind).await;
    let operator = server.operator.clone();
    let partner = |name: &'static str| {
        let server = &server;
        async move { server.account("partner", name).await }
    };
    let cast = Cast {
        a: server.tenant("A").await,
        b: server.tenant("B").await,
        p: partner("Equinix").await,
        operator,
        stranger: server.tenant("Stranger").await,
        stranger_partner: partner("Stranger-partner").await,
    };
    let mut ids = Ids::new();
    ids.insert("account_id".into(), cast.a.caller().await.unwrap().id.to_string());
    ids.insert("b_account_id".into(), cast.b.caller().await.unwrap().id.to_string());

    let mut strangers_tried = 0;
    for step in table() {
        let what = format!("{} {} as {:?}", step.method, step.path, step.who);
        let path = resolve(&step, &ids);
        let body = step.body.map(|b| b(&ids).to_string()).unwrap_or_default();
        let named = ids_in(&format!("{path} {body}"), &ids);
        if !named.is_empty() {
            strangers_tried += 1;
            let before = server.snapshot().await;
            for (who, c, partner) in [("a tenant", &cast.stranger, false), ("a partner", &cast.stranger_partner, true)]
            {
                let (status, answer) = send(c, step.method, &path, &body).await;
                let (ghost_status, ghost_answer) =
                    send(c, step.method, &ghosted(&path, &named), &ghosted(&body, &named)).await;
                let expected = match (step.access, partner) {
                    (Access::Signed, _) | (Access::PartnerOnly, true) => (404, "NotFound"),
                    (Access::OperatorOnly, _) | (Access::PartnerOnly, false) => (403, "Forbidden"),
                };
                assert_eq!((status, answer["code"].as_str().unwrap_or("")), expected, "{what}, by {who}: {answer}");
                assert_eq!(ghost_status, status, "{what}, by {who}, with ids never made: {ghost_answer}");
                assert_eq!(
                    ghosted(answer["message"].as_str().unwrap(), &named),
                    ghost_answer["message"].as_str().unwrap(),
                    "{what}, by {who}: a real id must be refused in the words used for one never made"
                );
            }
            if step.who != Who::Operator {
                let (status, answer) = send(&cast.operator, step.method, &path, &body).await;
                if !step.changes {
                    assert_eq!(status, 200, "{what}, read by the operator: {answer}");
                } else {
                    assert_eq!((status, answer["code"].as_str()), (403, Some("Forbidden")), "{what}, by the operator");
                }
            }
            assert_eq!(server.snapshot().await, before, "{what}: the strangers' calls changed something");
        }
        let (status, answer) = send(cast.client(step.who), step.method, &path, &body).await;
        assert_eq!(status, step.status, "{what}: {answer}");
        for (name, pointer) in step.save {
            let value =
                answer.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("{what}: no {pointer}"));
            ids.insert((*name).into(), value.into());
        }
    }
    assert!(strangers_tried >= 60, "the strangers tried only {strangers_tried} calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_and_its_strangers_on_sqlite() {
    walk(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_and_its_strangers_on_postgres() {
    walk(Kind::Postgres).await;
}
