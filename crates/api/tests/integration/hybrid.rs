//! Data centres through partners through the API: every rule of shared ports and VBRs refused
//! with nothing changed (a tenant making connections, a VLAN clash, an oversubscribed connection,
//! a stranger or the partner answering a port, a second VBR on a port, a VLAN id chosen or
//! changed), and the analyzer from a data centre host through VBR and hub to a VPC, and back.

use xconnect_client::{Client, ClientError, Credentials};
use xconnect_model::connectivity::BlockCode;
use xconnect_model::wire::*;
use xconnect_model::*;

use crate::harness::{Network, Server, network, raced, refused};

async fn partner(server: &Server) -> Client {
    let made = server
        .operator
        .account_create(&AccountCreateRequest { kind: "partner".into(), name: "Equinix".into() })
        .await
        .unwrap();
    Client::new(Credentials {
        endpoint: server.endpoint.clone(),
        access_key_id: made.access_key.access_key_id.to_string(),
        access_key_secret: made.access_key.access_key_secret,
    })
    .unwrap()
}

fn connection(bandwidth: i64) -> PhysicalConnectionCreateRequest {
    PhysicalConnectionCreateRequest {
        name: "ecx-dc11".into(),
        access_point: "Equinix DC11".into(),
        region: "us-east-1".into(),
        port_type: "10GBase-LR".into(),
        bandwidth_mbps: bandwidth,
    }
}

fn port(pc: &PhysicalConnection, tenant: &AccountId, vlan: i64, mbps: i64) -> SharedPortCreateRequest {
    SharedPortCreateRequest {
        physical_connection_id: pc.id.to_string(),
        tenant_account_id: tenant.to_string(),
        vlan_id: vlan,
        bandwidth_mbps: mbps,
    }
}

fn vbr(port: &SharedPort, vlan: Option<i64>) -> VbrCreateRequest {
    VbrCreateRequest {
        shared_port_id: port.id.to_string(),
        vlan_id: vlan,
        local_gateway_ip: "10.254.0.1".into(),
        peer_gateway_ip: "10.254.0.2".into(),
        peering_subnet: "10.254.0.0/30".into(),
        routes: Some(vec!["192.168.10.0/24".into()]),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_of_ports_and_vbrs_refuses_with_nothing_changed() {
    let server = Server::start().await;
    let p = partner(&server).await;
    let (t, stranger) = (server.tenant("T").await, server.tenant("S").await);
    let tenant = t.caller().await.unwrap().id;
    let pc = p.physical_connection_create(&connection(1000)).await.unwrap();
    let sp = p.shared_port_create(&port(&pc, &tenant, 1200, 600)).await.unwrap();
    assert_eq!(sp.status, SharedPortStatus::Pending);
    let before = server.snapshot().await;

    let mut checks: Vec<(&str, Result<(), ClientError>, u16, &str)> = Vec::new();
    macro_rules! check {
        ($what:expr, $call:expr, $status:expr, $code:expr) => {
            checks.push(($what, $call.await.map(drop), $status, $code))
        };
    }
    check!("a tenant owning connections", t.physical_connection_create(&connection(1000)), 403, "Forbidden");
    check!("beyond the port's line rate", p.physical_connection_create(&connection(20_000)), 400, "InvalidParameter");
    check!("a VLAN clash", p.shared_port_create(&port(&pc, &tenant, 1200, 10)), 409, "SharedPort.VlanInUse");
    check!("a VLAN out of range", p.shared_port_create(&port(&pc, &tenant, 3000, 10)), 400, "InvalidParameter");
    check!(
        "an oversubscribed connection",
        p.shared_port_create(&port(&pc, &tenant, 1201, 401)),
        409,
        "SharedPort.Oversubscribed"
    );
    check!("a tenant pushing ports", t.shared_port_create(&port(&pc, &tenant, 1201, 10)), 403, "Forbidden");
    check!("a stranger accepting", stranger.shared_port_accept(sp.id.as_str()), 404, "NotFound");
    check!("a stranger reading", stranger.shared_port_get(sp.id.as_str()), 404, "NotFound");
    check!("the partner accepting", p.shared_port_accept(sp.id.as_str()), 403, "Forbidden");
    check!("a VBR on a pending port", t.vbr_create(&vbr(&sp, None)), 422, "Vbr.PortNotAccepted");
    check!("a VBR on another's port", stranger.vbr_create(&vbr(&sp, None)), 404, "NotFound");
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");

    t.shared_port_accept(sp.id.as_str()).await.unwrap();
    let v = t.vbr_create(&vbr(&sp, Some(1200))).await.unwrap();
    assert_eq!(v.vlan_id, 1200, "inherited");
    let before = server.snapshot().await;
    check!("answering twice", t.shared_port_decline(sp.id.as_str()), 409, "SharedPort.AlreadyAnswered");
    check!("a second VBR on the port", t.vbr_create(&vbr(&sp, None)), 409, "Vbr.PortTaken");
    let change = VbrModifyRequest { vlan_id: Some(1201), description: Some("moved".into()), ..Default::default() };
    check!("changing the VLAN id", t.vbr_modify(v.id.as_str(), &change), 422, "Vbr.VlanIdImmutable");
    let bad_gw = VbrCreateRequest { peer_gateway_ip: "10.254.0.3".into(), ..vbr(&sp, None) };
    check!("a gateway outside the subnet's hosts", t.vbr_create(&bad_gw), 422, "Vbr.GatewayOutsideSubnet");
    let host = DataCentreHostCreateRequest { vbr_id: v.id.to_string(), ip: "10.9.9.9".into(), name: None };
    check!("a host outside the data centre", t.data_centre_host_create(&host), 422, "Host.NotInDataCentre");
    check!("a stranger's VBR", stranger.vbr_get(v.id.as_str()), 404, "NotFound");
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");

    // A VBR choosing another VLAN id than its port's is refused at creation too; a declined port
    // frees its VLAN id and bandwidth.
    let sp2 = p.shared_port_create(&port(&pc, &tenant, 1300, 400)).await.unwrap();
    t.shared_port_accept(sp2.id.as_str()).await.unwrap();
    assert_eq!(refused(t.vbr_create(&vbr(&sp2, Some(7))).await).1, "Vbr.VlanIdImmutable");
    assert_eq!(refused(p.shared_port_create(&port(&pc, &tenant, 1400, 1)).await).1, "SharedPort.Oversubscribed");
    let pc2 = p.physical_connection_create(&connection(100)).await.unwrap();
    let first = p.shared_port_create(&port(&pc2, &tenant, 5, 100)).await.unwrap();
    t.shared_port_decline(first.id.as_str()).await.unwrap();
    let again = p.shared_port_create(&port(&pc2, &tenant, 5, 100)).await.unwrap();
    assert_eq!((again.vlan_id, again.status), (5, SharedPortStatus::Pending), "a declined port holds nothing");
}

/// A partner names the tenant of a port, and is told nothing of whether that account exists:
/// a port for a live tenant, for an id never made and for another partner is made alike and
/// stays pending until answered or withdrawn. Only the tenant it names answers it, and only a
/// tenant; only its partner withdraws it, and not once it is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_cannot_tell_which_accounts_exist() {
    let server = Server::start().await;
    let (p, q) = (partner(&server).await, partner(&server).await);
    let (t, stranger) = (server.tenant("T").await, server.tenant("S").await);
    let tenant = t.caller().await.unwrap().id;
    let other_partner = q.caller().await.unwrap().id;
    let never_made = AccountId::parse("tenant_account_id", "acc-2al5c5pmhjotdhvvhuxwzpku").unwrap();
    let pc = p.physical_connection_create(&connection(1000)).await.unwrap();

    let mut ports = Vec::new();
    for (vlan, named) in [(10, &tenant), (11, &never_made), (12, &other_partner)] {
        let made = p.shared_port_create(&port(&pc, named, vlan, 100)).await.unwrap();
        let mut shape = serde_json::to_value(&made).unwrap();
        for varies in ["id", "account_id", "vlan_id", "created_at"] {
            shape.as_object_mut().unwrap().remove(varies);
        }
        ports.push((made, shape));
    }
    assert_eq!(ports[0].1, ports[1].1, "a port for an id never made reads as one for a live tenant");
    assert_eq!(ports[0].1, ports[2].1);
    let [live, ghost, partners] = [&ports[0].0, &ports[1].0, &ports[2].0].map(|p| p.id.as_str().to_owned());
    assert_eq!(p.shared_port_get(&ghost).await.unwrap().status, SharedPortStatus::Pending);
    let own = p.caller().await.unwrap().id;
    assert_eq!(refused(p.shared_port_create(&port(&pc, &own, 13, 1)).await), (422, "SharedPort.OwnAccount".into()));

    let before = server.snapshot().await;
    assert_eq!(refused(q.shared_port_accept(&partners).await), (403, "Forbidden".into()), "a partner holds no VBR");
    assert_eq!(
        refused(t.shared_port_delete(&live).await),
        (403, "Forbidden".into()),
        "the tenant answers, not withdraws"
    );
    assert_eq!(refused(stranger.shared_port_delete(&live).await), (404, "NotFound".into()));
    assert_eq!(refused(q.shared_port_delete(&live).await), (404, "NotFound".into()));
    assert_eq!(refused(server.operator.shared_port_delete(&live).await), (403, "Forbidden".into()));
    assert_eq!(server.snapshot().await, before, "the refusals changed something");

    // Withdrawn, a port frees its VLAN id; an accepted one is the tenant's.
    p.shared_port_delete(&ghost).await.unwrap();
    assert_eq!(refused(p.shared_port_get(&ghost).await), (404, "NotFound".into()));
    p.shared_port_create(&port(&pc, &tenant, 11, 100)).await.unwrap();
    t.shared_port_accept(&live).await.unwrap();
    assert_eq!(refused(p.shared_port_delete(&live).await), (409, "SharedPort.Accepted".into()));
    assert_eq!(t.shared_port_get(&live).await.unwrap().status, SharedPortStatus::Accepted);
}

/// Seed 004's shape through the API: a host behind a VBR reaches an instance through the hub,
/// and the instance reaches the host; before the VBR is attached, the host's packet has no route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_centre_host_reaches_a_vpc_through_vbr_and_hub() {
    let server = Server::start().await;
    let p = partner(&server).await;
    let t = server.tenant("T").await;
    let tenant = t.caller().await.unwrap().id;
    let pc = p.physical_connection_create(&connection(1000)).await.unwrap();
    let sp = p.shared_port_create(&port(&pc, &tenant, 1200, 100)).await.unwrap();
    t.shared_port_accept(sp.id.as_str()).await.unwrap();
    let v = t.vbr_create(&vbr(&sp, None)).await.unwrap();
    let host = t
        .data_centre_host_create(&DataCentreHostCreateRequest {
            vbr_id: v.id.to_string(),
            ip: "192.168.10.5".into(),
            name: None,
        })
        .await
        .unwrap();
    let Network { vpc, instance: i, .. } =
        network(&t, "us-east-1", "us-east-1a", "172.16.0.0/16", "172.16.1.0/24", Some("192.168.10.0/24")).await;
    let from_host = |to: &str| ConnectivityTestRequest {
        from_host_id: Some(host.id.to_string()),
        destination_ip: to.into(),
        ..Default::default()
    };
    let to_host = ConnectivityTestRequest {
        from_instance_id: Some(i.id.to_string()),
        destination_ip: "192.168.10.5".into(),
        ..Default::default()
    };
    let answer = t.connectivity_test(&from_host(&i.private_ip.to_string())).await.unwrap();
    assert_eq!(answer.blocked.as_ref().map(|b| b.code), Some(BlockCode::NoRoute), "{answer:#?}");
    assert!(answer.blocked.unwrap().fix.contains("attach VBR"));

    let hub = t.hub_create(&HubCreateRequest { name: "h".into(), ..Default::default() }).await.unwrap();
    for network in [v.id.to_string(), vpc.id.to_string()] {
        let req = AttachmentCreateRequest { hub_id: hub.id.to_string(), network_id: network, ..Default::default() };
        t.attachment_create(&req).await.unwrap();
    }
    let answer = t.connectivity_test(&from_host(&i.private_ip.to_string())).await.unwrap();
    assert!(answer.reachable, "{answer:#?}");
    assert_eq!((answer.from_host_id.as_ref(), answer.to_instance_id.as_ref()), (Some(&host.id), Some(&i.id)));
    assert_eq!(answer.bandwidth_kbps, Some(100_000), "one region: only the shared port's 100 Mbit/s narrows it");
    let answer = t.connectivity_test(&to_host).await.unwrap();
    assert!(answer.reachable, "{answer:#?}");
    assert_eq!(answer.to_host_id.as_ref(), Some(&host.id));
    // An address of the data centre no host holds.
    let answer = t
        .connectivity_test(&ConnectivityTestRequest { destination_ip: "192.168.10.99".into(), ..to_host.clone() })
        .await
        .unwrap();
    assert_eq!(answer.blocked.map(|b| b.code), Some(BlockCode::NoInstance));
    // Both sources at once is not a question.
    let both = ConnectivityTestRequest { from_host_id: Some(host.id.to_string()), ..to_host };
    assert_eq!(refused(t.connectivity_test(&both).await).1, "InvalidParameter");
    // A route change that would strand the host is refused, with nothing changed.
    let strand = VbrModifyRequest { routes: Some(vec!["10.1.0.0/16".into()]), ..Default::default() };
    assert_eq!(refused(t.vbr_modify(v.id.as_str(), &strand).await).1, "Vbr.RouteInUse");
    assert_eq!(t.vbr_get(v.id.as_str()).await.unwrap().routes.len(), 1);
    // A VBR with hosts and an attachment is not deleted under them.
    assert_eq!(refused(t.vbr_delete(v.id.as_str()).await).1, "DependencyViolation");
}

/// A VBR attaches to another account's hub only under its owner's grant, like a VPC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vbr_attaches_to_another_accounts_hub_under_a_grant() {
    let server = Server::start().await;
    let p = partner(&server).await;
    let (t, owner) = (server.tenant("T").await, server.tenant("HubOwner").await);
    let tenant = t.caller().await.unwrap().id;
    let pc = p.physical_connection_create(&connection(1000)).await.unwrap();
    let sp = p.shared_port_create(&port(&pc, &tenant, 100, 100)).await.unwrap();
    t.shared_port_accept(sp.id.as_str()).await.unwrap();
    let v = t.vbr_create(&vbr(&sp, None)).await.unwrap();
    let hub = owner.hub_create(&HubCreateRequest { name: "h".into(), ..Default::default() }).await.unwrap();
    let attach = AttachmentCreateRequest {
        hub_id: hub.id.to_string(),
        network_id: v.id.to_string(),
        network_account_id: Some(tenant.to_string()),
        ..Default::default()
    };
    let before = server.snapshot().await;
    assert_eq!(refused(owner.attachment_create(&attach).await).1, "Attachment.NotGranted");
    assert_eq!(server.snapshot().await, before);
    let grant = GrantCreateRequest {
        network_id: v.id.to_string(),
        grantee_account_id: owner.caller().await.unwrap().id.to_string(),
        hub_id: hub.id.to_string(),
        ..Default::default()
    };
    let g = t.grant_create(&grant).await.unwrap();
    assert_eq!(g.network_type, NetworkKind::Vbr);
    let a = owner.attachment_create(&attach).await.unwrap();
    assert_eq!((a.network_type, a.cidr_blocks.len()), (NetworkKind::Vbr, 1), "it advertises its data centre routes");
    // The VBR's new route is advertised as it is added.
    let routes = VbrModifyRequest {
        routes: Some(vec!["192.168.10.0/24".into(), "192.168.20.0/24".into()]),
        ..Default::default()
    };
    t.vbr_modify(v.id.as_str(), &routes).await.unwrap();
    assert_eq!(owner.attachment_get(a.id.as_str()).await.unwrap().cidr_blocks.len(), 2);
    assert_eq!(refused(t.grant_delete(g.id.as_str()).await).1, "Grant.InUse");
}

/// Every list a tenant or partner makes has its quota, checked in the transaction that adds to
/// it: with each quota at one, the second of each is refused and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_quota_refuses_the_one_too_many() {
    let one = xconnect_control::Quotas {
        hubs_per_account: 1,
        grants_per_network: 1,
        bandwidth_packages_per_account: 1,
        permits_per_account: 1,
        physical_connections_per_account: 1,
        shared_ports_per_connection: 1,
        data_centre_hosts_per_vbr: 1,
        routes_per_vbr: 1,
        ..Default::default()
    };
    let server = Server::start_with(xconnect_store::testing::Kind::Sqlite, one).await;
    let t = server.tenant("A").await;
    let p = partner(&server).await;
    let me = t.caller().await.unwrap().id;
    let too_many =
        |what: &str, r: Result<(), ClientError>| assert_eq!(refused(r), (409, "QuotaExceeded".into()), "{what}");

    let hub = HubCreateRequest { name: "CC_01".into(), ..Default::default() };
    t.hub_create(&hub).await.unwrap();
    let before = server.snapshot().await;
    too_many("a second hub", t.hub_create(&hub).await.map(drop));

    let Network { vpc, .. } = network(&t, "cn-qingdao", "cn-qingdao-b", "192.168.0.0/16", "192.168.1.0/24", None).await;
    let grant = |hub: &str| GrantCreateRequest {
        network_id: vpc.id.to_string(),
        grantee_account_id: "acc-2al5c5pmhjotdhvvhuxwzpku".into(),
        hub_id: hub.into(),
        ..Default::default()
    };
    t.grant_create(&grant("hub-2al5c5pmhjotdhvvhuxwzpku")).await.unwrap();
    too_many("a second grant of one network", t.grant_create(&grant("hub-3al5c5pmhjotdhvvhuxwzpku")).await.map(drop));

    let package = BandwidthPackageCreateRequest {
        name: "daikuaibao1".into(),
        billing_mode: "monthly".into(),
        period: 1,
        bandwidth_mbps: 10,
        areas: vec!["chinese-mainland".into()],
        ..Default::default()
    };
    t.bandwidth_package_create(&package).await.unwrap();
    too_many("a second package", t.bandwidth_package_create(&package).await.map(drop));

    let doc = PermitDocumentUpload { name: "a.pdf".into(), content_base64: "YQ==".into() };
    let permit = PermitCreateRequest { enterprise: "E".into(), representative: "R".into(), documents: vec![doc] };
    t.permit_create(&permit).await.unwrap();
    too_many("a second permit", t.permit_create(&permit).await.map(drop));

    let pc = p.physical_connection_create(&connection(1000)).await.unwrap();
    too_many("a second connection", p.physical_connection_create(&connection(1000)).await.map(drop));
    let sp = p.shared_port_create(&port(&pc, &me, 100, 50)).await.unwrap();
    too_many("a second port on the connection", p.shared_port_create(&port(&pc, &me, 101, 50)).await.map(drop));

    t.shared_port_accept(sp.id.as_str()).await.unwrap();
    let two_routes =
        VbrCreateRequest { routes: Some(vec!["192.168.10.0/24".into(), "192.168.20.0/24".into()]), ..vbr(&sp, None) };
    too_many("two routes on a VBR", t.vbr_create(&two_routes).await.map(drop));
    let v = t.vbr_create(&vbr(&sp, None)).await.unwrap();
    let host = |ip: &str| DataCentreHostCreateRequest { vbr_id: v.id.to_string(), ip: ip.into(), ..Default::default() };
    t.data_centre_host_create(&host("192.168.10.5")).await.unwrap();
    too_many("a second host behind the VBR", t.data_centre_host_create(&host("192.168.10.6")).await.map(drop));

    // Only what was allowed is there: one of each.
    let after = server.snapshot().await;
    for list in ["hubs", "bandwidth_packages", "permits", "physical_connections", "shared_ports", "vbrs", "hosts"] {
        assert_eq!(after[list]["items"].as_array().unwrap().len(), 1, "{list}");
    }
    assert_eq!(after["hubs"], before["hubs"]);
}

/// Five ports of 40 Mbit/s pushed at once on a 100 Mbit/s connection: two fit, three are
/// refused, and the connection is never oversubscribed.
async fn ports_racing_for_a_connection_never_oversubscribe_it(kind: xconnect_store::testing::Kind) {
    let server = Server::start_on(kind).await;
    let t = server.tenant("A").await;
    let p = partner(&server).await;
    let me = t.caller().await.unwrap().id;
    let pc = p.physical_connection_create(&connection(100)).await.unwrap();
    let handles: Vec<_> = (0..5)
        .map(|n| {
            let (p, req) = (p.clone(), port(&pc, &me, 100 + n, 40));
            tokio::spawn(async move { p.shared_port_create(&req).await })
        })
        .collect();
    let results = raced(handles).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2, "{results:?}");
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(refused(r).1, "SharedPort.Oversubscribed");
    }
    let ports = p.shared_port_list(&ListQuery::default()).await.unwrap().items;
    assert_eq!(ports.iter().map(|p| p.bandwidth_mbps).sum::<u32>(), 80);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_racing_for_a_connection_never_oversubscribe_it_on_sqlite() {
    ports_racing_for_a_connection_never_oversubscribe_it(xconnect_store::testing::Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_racing_for_a_connection_never_oversubscribe_it_on_postgres() {
    ports_racing_for_a_connection_never_oversubscribe_it(xconnect_store::testing::Kind::Postgres).await;
}
