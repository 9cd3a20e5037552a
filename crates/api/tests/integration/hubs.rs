//! Hubs through the API: every refusal of hubs, grants, attachments, packages, inter-region
//! bandwidths and permits with nothing changed after it; the analyzer through a hub as the
//! tutorials build it up (a missing grant, not attached, test bandwidth, assigned bandwidth, a
//! conflict, a missing route back, an expired package); a stranger who sees none of it; and the
//! sum of a package's bandwidths under racing requests on both stores.

use xconnect_client::{Client, ClientError};
use xconnect_model::connectivity::{BlockCode, ConnectivityAnswer};
use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::testing::Kind;

use crate::harness::{Network, Server, network, raced, refused};

/// One account's VPC with a vswitch, a group admitting everything from 0.0.0.0/0 by icmp,
/// and an instance.
struct Net {
    c: Client,
    account: AccountId,
    vpc: Vpc,
    instance: Instance,
}

impl Net {
    async fn new(c: &Client, region: &str, zone: &str, block: &str, vsw: &str) -> Net {
        let account = c.caller().await.unwrap().id;
        let Network { vpc, instance, .. } = network(c, region, zone, block, vsw, Some("0.0.0.0/0")).await;
        Net { c: c.clone(), account, vpc, instance }
    }

    async fn ping(&self, to: &Net) -> ConnectivityAnswer {
        self.ping_ip(&to.instance.private_ip.to_string()).await
    }

    async fn ping_ip(&self, to: &str) -> ConnectivityAnswer {
        let req = ConnectivityTestRequest {
            from_instance_id: Some(self.instance.id.to_string()),
            destination_ip: to.into(),
            ..Default::default()
        };
        self.c.connectivity_test(&req).await.unwrap()
    }
}

fn code(a: &ConnectivityAnswer) -> Option<BlockCode> {
    a.blocked.as_ref().map(|b| b.code)
}

fn attach(hub: &Hub, net: &Net, blocks: Option<&[&str]>) -> AttachmentCreateRequest {
    AttachmentCreateRequest {
        hub_id: hub.id.to_string(),
        network_id: net.vpc.id.to_string(),
        network_account_id: Some(net.account.to_string()),
        cidr_blocks: blocks.map(|b| b.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

fn grant(hub: &Hub, net: &Net) -> GrantCreateRequest {
    GrantCreateRequest {
        network_id: net.vpc.id.to_string(),
        grantee_account_id: hub.account_id.to_string(),
        hub_id: hub.id.to_string(),
        ..Default::default()
    }
}

fn package(name: &str, mbps: i64, areas: &[&str], hub: Option<&Hub>) -> BandwidthPackageCreateRequest {
    BandwidthPackageCreateRequest {
        name: name.into(),
        billing_mode: "monthly".into(),
        period: 1,
        bandwidth_mbps: mbps,
        areas: areas.iter().map(|a| a.to_string()).collect(),
        hub_id: hub.map(|h| h.id.to_string()),
        ..Default::default()
    }
}

fn irb(hub: &Hub, p: &BandwidthPackage, a: &str, b: &str, mbps: i64) -> InterRegionBandwidthCreateRequest {
    InterRegionBandwidthCreateRequest {
        hub_id: hub.id.to_string(),
        bandwidth_package_id: p.id.to_string(),
        regions: vec![a.into(), b.into()],
        bandwidth_mbps: mbps,
    }
}

fn hub_named(name: &str) -> HubCreateRequest {
    HubCreateRequest { name: name.into(), ..Default::default() }
}

/// Seed 002's shape, step by step, with the analyzer's answer after each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_analyzer_follows_the_tutorial_through_the_hub() {
    let server = Server::start().await;
    let (ca, cb) = (server.tenant("A").await, server.tenant("B").await);
    let a = Net::new(&ca, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let b = Net::new(&cb, "cn-qingdao", "cn-qingdao-b", "172.16.0.0/16", "172.16.1.0/24").await;
    let hub = ca.hub_create(&hub_named("DifferentAccountDifferentRegion")).await.unwrap();
    ca.attachment_create(&attach(&hub, &a, None)).await.unwrap();

    // B's VPC is not attached, and B has granted nothing: the fix says a grant is missing.
    let answer = a.ping(&b).await;
    assert_eq!(code(&answer), Some(BlockCode::NoRoute));
    assert!(answer.blocked.unwrap().fix.contains("grant"));
    let answer = b.ping(&a).await;
    assert_eq!(code(&answer), Some(BlockCode::NoRoute));
    assert!(answer.blocked.unwrap().fix.contains("xconnect grant create"));
    // Granted, not yet attached.
    cb.grant_create(&grant(&hub, &b)).await.unwrap();
    let answer = b.ping(&a).await;
    assert_eq!(code(&answer), Some(BlockCode::NotAttached), "{answer:#?}");
    assert!(answer.blocked.unwrap().fix.contains(hub.id.as_str()));

    // Attached: two regions with no inter-region bandwidth get the test bandwidth only.
    ca.attachment_create(&attach(&hub, &b, None)).await.unwrap();
    for (from, to) in [(&a, &b), (&b, &a)] {
        let answer = from.ping(to).await;
        assert!(answer.reachable, "{answer:#?}");
        assert_eq!((answer.bandwidth_kbps, answer.test_bandwidth_only), (Some(10), true));
    }
    // The route tables show what each learned.
    let table = ca.route_table_get(a.vpc.route_table_id.as_str()).await.unwrap();
    let learned: Vec<String> = table
        .entries
        .iter()
        .filter(|e| e.kind == RouteKind::Learned)
        .map(|e| e.destination_cidr_block.to_string())
        .collect();
    assert_eq!(learned, ["172.16.1.0/24"]);
    // B's attachment follows its vswitches: one made after attaching is learned too.
    cb.vswitch_create(&VSwitchCreateRequest {
        vpc_id: b.vpc.id.to_string(),
        zone: "cn-qingdao-c".into(),
        cidr_block: "172.16.2.0/24".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let table = ca.route_table_get(a.vpc.route_table_id.as_str()).await.unwrap();
    assert_eq!(table.entries.iter().filter(|e| e.kind == RouteKind::Learned).count(), 2);

    // The package and the region connection: 5 Mbit/s both ways.
    let p = ca
        .bandwidth_package_create(&package("MainlandBandwidthPackage", 8, &["Mainland China"], Some(&hub)))
        .await
        .unwrap();
    assert_eq!(p.status, BandwidthPackageStatus::PendingPayment);
    assert_eq!((p.hub_id.as_ref(), p.hub_on_payment.as_ref()), (None, Some(&hub.id)), "bound only once paid");
    let p = ca.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    assert_eq!((p.status, p.hub_id.as_ref()), (BandwidthPackageStatus::Normal, Some(&hub.id)));
    let orders = ca.order_list(&ListQuery::default()).await.unwrap().items;
    assert_eq!(orders.len(), 1, "paying records the package's order");
    assert_eq!((orders[0].product, orders[0].bandwidth_mbps), (OrderProduct::BandwidthPackage, 8));
    ca.inter_region_bandwidth_create(&irb(&hub, &p, "China North 1", "China North 2", 5)).await.unwrap();
    for (from, to) in [(&a, &b), (&b, &a)] {
        let answer = from.ping(to).await;
        assert!(answer.reachable);
        assert_eq!((answer.bandwidth_kbps, answer.test_bandwidth_only), (Some(5000), false));
    }

    // A third VPC, attached later, advertises a block that overlaps B's: it is not installed in
    // A's table, and the part of it B's block does not cover is a conflict.
    let a2 = Net::new(&ca, "cn-beijing", "cn-beijing-b", "172.16.0.0/16", "172.16.0.0/24").await;
    ca.attachment_create(&attach(&hub, &a2, Some(&["172.16.0.0/23"]))).await.unwrap();
    let table = ca.route_table_get(a.vpc.route_table_id.as_str()).await.unwrap();
    assert_eq!(table.conflicts.len(), 1, "{table:#?}");
    assert!(table.conflicts[0].conflicts_with.contains("172.16.1.0/24"));
    let answer = a.ping(&a2).await;
    assert_eq!(code(&answer), Some(BlockCode::RouteConflict), "{answer:#?}");

    // The package expires after its month: the regions are back to the test bandwidth.
    server.operator.clock_advance(40 * 86_400).await.unwrap();
    assert_eq!(ca.bandwidth_package_get(p.id.as_str()).await.unwrap().status, BandwidthPackageStatus::Expired);
    let answer = a.ping(&b).await;
    assert_eq!((answer.bandwidth_kbps, answer.test_bandwidth_only), (Some(10), true));
}

/// A network whose attachment does not advertise the source's block gives no way back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_not_advertised_leaves_no_way_back() {
    let server = Server::start().await;
    let c = server.tenant("A").await;
    let a = Net::new(&c, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let b = Net::new(&c, "cn-beijing", "cn-beijing-b", "172.16.0.0/16", "172.16.1.0/24").await;
    let hub = c.hub_create(&hub_named("h")).await.unwrap();
    c.attachment_create(&attach(&hub, &a, Some(&["192.168.2.0/24"]))).await.unwrap();
    c.attachment_create(&attach(&hub, &b, None)).await.unwrap();
    let answer = a.ping(&b).await;
    assert_eq!(code(&answer), Some(BlockCode::NoReturnRoute), "{answer:#?}");
    assert!(answer.blocked.unwrap().fix.contains("advertise"));
    // The advertised block leads through the hub (in one region: no package, nothing narrows
    // the path) into A's VPC, where no vswitch holds it.
    let answer = b.ping_ip("192.168.2.7").await;
    assert_eq!((code(&answer), answer.bandwidth_kbps), (Some(BlockCode::NoRoute), None));
    assert_eq!(answer.hops.iter().filter(|h| h.kind == xconnect_model::connectivity::HopKind::Hub).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_has_its_code_and_changes_nothing() {
    let server = Server::start().await;
    let (ca, cb, cc) = (server.tenant("A").await, server.tenant("B").await, server.tenant("C").await);
    let a = Net::new(&ca, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let b = Net::new(&cb, "cn-qingdao", "cn-qingdao-b", "172.16.0.0/16", "172.16.1.0/24").await;
    let hub = ca.hub_create(&hub_named("CC_01")).await.unwrap();
    let hub2 = ca.hub_create(&hub_named("CC_02")).await.unwrap();
    let before = server.snapshot().await;

    let mut checks: Vec<(&str, Result<(), ClientError>, u16, &str)> = Vec::new();
    macro_rules! check {
        ($what:expr, $call:expr, $status:expr, $code:expr) => {
            checks.push(($what, $call.await.map(drop), $status, $code))
        };
    }
    check!("bad hub name", ca.hub_create(&hub_named("CC 01!")), 400, "InvalidName");
    let long = HubCreateRequest { description: Some("x".repeat(256)), ..hub_named("ok") };
    check!("long description", ca.hub_create(&long), 400, "InvalidDescription");
    check!("attach without a grant", ca.attachment_create(&attach(&hub, &b, None)), 422, "Attachment.NotGranted");
    let wrong_owner = AttachmentCreateRequest {
        network_account_id: Some(cc.caller().await.unwrap().id.to_string()),
        ..attach(&hub, &b, None)
    };
    check!("attach naming the wrong owner", ca.attachment_create(&wrong_owner), 422, "Attachment.NotGranted");
    check!("attach to another's hub", cb.attachment_create(&attach(&hub, &b, None)), 404, "NotFound");
    check!("grant another's VPC", cc.grant_create(&grant(&hub, &b)), 404, "NotFound");
    let elsewhere = AttachmentCreateRequest { region: Some("cn-qingdao".into()), ..attach(&hub, &a, None) };
    check!("attach in the wrong region", ca.attachment_create(&elsewhere), 422, "Attachment.RegionMismatch");
    check!(
        "advertise outside the VPC",
        ca.attachment_create(&attach(&hub, &a, Some(&["10.0.0.0/8"]))),
        422,
        "Attachment.CidrNotInVpc"
    );
    check!(
        "advertise overlapping blocks",
        ca.attachment_create(&attach(&hub, &a, Some(&["192.168.0.0/24", "192.168.0.0/25"]))),
        422,
        "Attachment.BlocksOverlap"
    );
    check!(
        "a package with no area",
        ca.bandwidth_package_create(&package("p", 10, &[], None)),
        400,
        "InvalidParameter"
    );
    check!(
        "a package in no known area",
        ca.bandwidth_package_create(&package("p", 10, &["Atlantis"], None)),
        400,
        "InvalidParameter"
    );
    check!(
        "too much bandwidth",
        ca.bandwidth_package_create(&package("p", 20_000, &["chinese-mainland"], None)),
        400,
        "InvalidParameter"
    );
    check!(
        "across the border without a permit",
        ca.bandwidth_package_create(&package("p", 10, &["chinese-mainland", "europe"], None)),
        422,
        "BandwidthPackage.PermitRequired"
    );
    check!(
        "a package for another's hub",
        cb.bandwidth_package_create(&package("p", 10, &["chinese-mainland"], Some(&hub))),
        404,
        "NotFound"
    );
    check!("a tenant moving the clock", ca.clock_advance(86_400), 403, "Forbidden");
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");

    // B grants this hub's id to C, not to the hub's owner: the grant lets nobody attach.
    let to_c = GrantCreateRequest { grantee_account_id: cc.caller().await.unwrap().id.to_string(), ..grant(&hub, &b) };
    let misdirected = cb.grant_create(&to_c).await.unwrap();
    let before = server.snapshot().await;
    check!(
        "attach under a grant to another account",
        ca.attachment_create(&attach(&hub, &b, None)),
        422,
        "Attachment.NotGranted"
    );
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");
    cb.grant_delete(misdirected.id.as_str()).await.unwrap();

    // Grants and attachments: once each, and nothing detached silently.
    cb.grant_create(&grant(&hub, &b)).await.unwrap();
    ca.attachment_create(&attach(&hub, &a, None)).await.unwrap();
    let att_b = ca.attachment_create(&attach(&hub, &b, None)).await.unwrap();
    let granted = cb.grant_list(&ListQuery::default()).await.unwrap().items.remove(0);
    let p = ca.bandwidth_package_create(&package("daikuaibao1", 50, &["chinese-mainland"], None)).await.unwrap();
    let before = server.snapshot().await;
    check!("grant twice", cb.grant_create(&grant(&hub, &b)), 409, "Grant.Duplicate");
    check!("attach twice", ca.attachment_create(&attach(&hub, &b, None)), 409, "Attachment.AlreadyAttached");
    check!("attach to a second hub", ca.attachment_create(&attach(&hub2, &a, None)), 409, "Attachment.AlreadyAttached");
    check!("revoke while attached", cb.grant_delete(granted.id.as_str()), 409, "Grant.InUse");
    check!("delete a hub with attachments", ca.hub_delete(hub.id.as_str()), 409, "DependencyViolation");
    check!("delete an attached VPC", cb.vpc_delete(b.vpc.id.as_str()), 409, "DependencyViolation");
    check!(
        "bind before paying",
        ca.bandwidth_package_bind(p.id.as_str(), hub.id.as_str()),
        409,
        "BandwidthPackage.NotNormal"
    );
    check!(
        "bandwidth from an unpaid package",
        ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "cn-qingdao", 5)),
        409,
        "BandwidthPackage.NotNormal"
    );
    check!("a stranger detaching", cc.attachment_delete(att_b.id.as_str()), 404, "NotFound");
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");

    // Packages and inter-region bandwidths.
    let p = ca.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    let p2 = ca.bandwidth_package_create(&package("second", 10, &["Chinese mainland"], None)).await.unwrap();
    let p2 = ca.bandwidth_package_pay(p2.id.as_str()).await.unwrap();
    let far = ca.bandwidth_package_create(&package("unbound", 10, &["chinese-mainland"], None)).await.unwrap();
    let far = ca.bandwidth_package_pay(far.id.as_str()).await.unwrap();
    ca.bandwidth_package_bind(p.id.as_str(), hub.id.as_str()).await.unwrap();
    let first = ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "cn-qingdao", 30)).await.unwrap();
    let before = server.snapshot().await;
    check!("pay twice", ca.bandwidth_package_pay(p.id.as_str()), 409, "BandwidthPackage.AlreadyPaid");
    check!(
        "bind twice",
        ca.bandwidth_package_bind(p.id.as_str(), hub2.id.as_str()),
        409,
        "BandwidthPackage.AlreadyBound"
    );
    check!(
        "a second package for the same areas",
        ca.bandwidth_package_bind(p2.id.as_str(), hub.id.as_str()),
        409,
        "BandwidthPackage.AreaPairTaken"
    );
    check!(
        "more than the package holds",
        ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "cn-shanghai", 21)),
        409,
        "InterRegionBandwidth.ExceedsPackage"
    );
    check!(
        "the same regions twice",
        ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-qingdao", "cn-beijing", 1)),
        409,
        "InterRegionBandwidth.Duplicate"
    );
    check!(
        "regions outside the package",
        ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "us-east-1", 1)),
        422,
        "InterRegionBandwidth.RegionsOutsidePackage"
    );
    check!(
        "a package not bound to the hub",
        ca.inter_region_bandwidth_create(&irb(&hub, &far, "cn-beijing", "cn-shanghai", 1)),
        422,
        "InterRegionBandwidth.PackageNotBound"
    );
    check!(
        "one region twice",
        ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "China (Beijing)", 1)),
        422,
        "InterRegionBandwidth.SameRegion"
    );
    check!(
        "modify beyond the package",
        ca.inter_region_bandwidth_modify(first.id.as_str(), 51),
        409,
        "InterRegionBandwidth.ExceedsPackage"
    );
    check!("unbind while used", ca.bandwidth_package_unbind(p.id.as_str()), 409, "BandwidthPackage.InUse");
    check!("a stranger's package", cc.bandwidth_package_get(p.id.as_str()), 404, "NotFound");
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");
    // Up to exactly the package, then down.
    assert_eq!(ca.inter_region_bandwidth_modify(first.id.as_str(), 50).await.unwrap().bandwidth_mbps, 50);
    assert_eq!(ca.inter_region_bandwidth_modify(first.id.as_str(), 2).await.unwrap().bandwidth_mbps, 2);

    // Permits: only the operator decides, once, and a rejection says why.
    let doc = PermitDocumentUpload { name: "agreement.pdf".into(), content_base64: "c2lnbmVk".into() };
    let apply = PermitCreateRequest { enterprise: "E".into(), representative: "R".into(), documents: vec![doc] };
    let permit = ca.permit_create(&apply).await.unwrap();
    // "c2lnbmVk" is base64 for "signed"; its SHA-256 as sha256sum prints it.
    assert_eq!(permit.documents[0].sha256, "4a3cdfae6f291c8f544daea5b72905cf9e74c1ed427d831ad0d7ca00c73c794d");
    assert_eq!((permit.documents[0].size, permit.status), (6, PermitStatus::PendingApproval));
    let before = server.snapshot().await;
    let no_docs = PermitCreateRequest { documents: vec![], ..apply.clone() };
    check!("no documents", ca.permit_create(&no_docs), 400, "InvalidParameter");
    let bad = PermitCreateRequest {
        documents: vec![PermitDocumentUpload { name: "x".into(), content_base64: "not base64!".into() }],
        ..apply.clone()
    };
    check!("a document that is not base64", ca.permit_create(&bad), 400, "InvalidParameter");
    check!("a tenant approving", ca.permit_approve(permit.id.as_str()), 403, "Forbidden");
    check!(
        "a rejection without a reason",
        server.operator.permit_reject(permit.id.as_str(), " "),
        400,
        "InvalidParameter"
    );
    check!("a stranger's permit", cc.permit_get(permit.id.as_str()), 404, "NotFound");
    check!(
        "pending: still no package",
        ca.bandwidth_package_create(&package("p", 10, &["chinese-mainland", "europe"], None)),
        422,
        "BandwidthPackage.PermitPending"
    );
    for (what, result, status, code) in checks.drain(..) {
        assert_eq!(refused(result), (status, code.to_owned()), "{what}");
    }
    assert_eq!(server.snapshot().await, before, "the refusals changed something");
    let rejected = server.operator.permit_reject(permit.id.as_str(), "the seal is missing").await.unwrap();
    assert_eq!((rejected.status, rejected.reason.as_deref()), (PermitStatus::Rejected, Some("the seal is missing")));
    assert_eq!(refused(server.operator.permit_approve(permit.id.as_str()).await).1, "Permit.AlreadyDecided");
    assert_eq!(
        refused(ca.bandwidth_package_create(&package("p", 10, &["chinese-mainland", "europe"], None)).await).1,
        "BandwidthPackage.PermitRequired",
        "a rejected application is no permit"
    );
    // Revoked once detached; the hub goes once nothing is attached or bound.
    ca.attachment_delete(att_b.id.as_str()).await.unwrap();
    cb.grant_delete(granted.id.as_str()).await.unwrap();
    let att_a = ca.attachment_list(&ListQuery::default()).await.unwrap().items.remove(0);
    ca.attachment_delete(att_a.id.as_str()).await.unwrap();
    assert_eq!(refused(ca.hub_delete(hub.id.as_str()).await).1, "DependencyViolation", "a package is bound");
    ca.inter_region_bandwidth_delete(first.id.as_str()).await.unwrap();
    ca.bandwidth_package_unbind(p.id.as_str()).await.unwrap();
    ca.hub_delete(hub.id.as_str()).await.unwrap();
}

/// A stranger sees none of it: not the hub, the grants, the attachments, the packages, the
/// bandwidths or the permits, and cannot list them either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_sees_none_of_it() {
    let server = Server::start().await;
    let (ca, cb, cc) = (server.tenant("A").await, server.tenant("B").await, server.tenant("C").await);
    let a = Net::new(&ca, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let b = Net::new(&cb, "cn-qingdao", "cn-qingdao-b", "172.16.0.0/16", "172.16.1.0/24").await;
    let hub = ca.hub_create(&hub_named("h")).await.unwrap();
    let g = cb.grant_create(&grant(&hub, &b)).await.unwrap();
    let att = ca.attachment_create(&attach(&hub, &b, None)).await.unwrap();
    ca.attachment_create(&attach(&hub, &a, None)).await.unwrap();
    let p = ca.bandwidth_package_create(&package("p", 10, &["chinese-mainland"], Some(&hub))).await.unwrap();
    ca.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    let i = ca.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "cn-qingdao", 10)).await.unwrap();
    let doc = PermitDocumentUpload { name: "a.pdf".into(), content_base64: "YQ==".into() };
    let permit = ca
        .permit_create(&PermitCreateRequest {
            enterprise: "E".into(),
            representative: "R".into(),
            documents: vec![doc],
        })
        .await
        .unwrap();
    let before = server.snapshot().await;

    assert_eq!(refused(cc.hub_get(hub.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.hub_delete(hub.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.grant_get(g.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.grant_delete(g.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.attachment_get(att.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.bandwidth_package_pay(p.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.inter_region_bandwidth_get(i.id.as_str()).await).0, 404);
    assert_eq!(refused(cc.inter_region_bandwidth_modify(i.id.as_str(), 1).await).0, 404);
    assert_eq!(refused(cc.permit_get(permit.id.as_str()).await).0, 404);
    let all = ListQuery::default();
    assert!(cc.hub_list(&all).await.unwrap().items.is_empty());
    assert!(cc.grant_list(&all).await.unwrap().items.is_empty());
    assert!(cc.grant_list_received(&all).await.unwrap().items.is_empty());
    assert!(cc.attachment_list(&all).await.unwrap().items.is_empty());
    assert!(cc.bandwidth_package_list(&all).await.unwrap().items.is_empty());
    assert!(cc.inter_region_bandwidth_list(&all).await.unwrap().items.is_empty());
    assert!(cc.permit_list(&all).await.unwrap().items.is_empty());
    assert_eq!(server.snapshot().await, before);

    // The two parties each see the grant and the attachment; B sees not A's hub itself.
    assert_eq!(ca.grant_list_received(&all).await.unwrap().items.len(), 1);
    assert_eq!(cb.attachment_get(att.id.as_str()).await.unwrap().hub_id, hub.id);
    assert_eq!(cb.attachment_list(&all).await.unwrap().items.len(), 1);
    assert_eq!(refused(cb.hub_get(hub.id.as_str()).await).0, 404);
}

/// Five requests at once, each for 4 of a package's 10 Mbit/s between a different pair of
/// regions: two get it, three are refused, and the package is never oversubscribed.
async fn the_sum_holds_under_a_race(kind: Kind) {
    let server = Server::start_on(kind).await;
    let c = server.tenant("A").await;
    let hub = c.hub_create(&hub_named("h")).await.unwrap();
    let p = c.bandwidth_package_create(&package("p", 10, &["chinese-mainland"], Some(&hub))).await.unwrap();
    let p = c.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    let pairs = [
        ("cn-beijing", "cn-qingdao"),
        ("cn-beijing", "cn-shanghai"),
        ("cn-hangzhou", "cn-shenzhen"),
        ("cn-qingdao", "cn-zhangjiakou"),
        ("cn-shanghai", "cn-shenzhen"),
    ];
    let calls = pairs.iter().map(|(x, y)| {
        let c = c.clone();
        let req = irb(&hub, &p, x, y, 4);
        tokio::spawn(async move { c.inter_region_bandwidth_create(&req).await })
    });
    let handles: Vec<_> = calls.collect();
    let results = raced(handles).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 2, "{results:?}");
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(refused(r), (409, "InterRegionBandwidth.ExceedsPackage".to_owned()));
    }
    let all = c.inter_region_bandwidth_list(&ListQuery::default()).await.unwrap().items;
    assert_eq!(all.iter().map(|b| b.bandwidth_mbps).sum::<u32>(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sum_holds_under_a_race_on_sqlite() {
    the_sum_holds_under_a_race(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sum_holds_under_a_race_on_postgres() {
    the_sum_holds_under_a_race(Kind::Postgres).await;
}

/// Every id in `text` (a kind prefix, a dash, 24 base32 characters) replaced by `ID`, so that
/// answers about different resources can be compared for what they reveal.
fn without_ids(text: &str) -> String {
    let mut out = String::new();
    for token in text.split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let (word, rest) =
            token.split_at(token.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).len());
        let id = word.rsplit_once('-').is_some_and(|(prefix, body)| {
            !prefix.is_empty()
                && body.len() == 24
                && body.bytes().all(|b| b"234567abcdefghijklmnopqrstuvwxyz".contains(&b))
        });
        out.push_str(if id { "ID" } else { word });
        out.push_str(rest);
    }
    out
}

/// A stranger who grants its own VPC to another account's hub (a grant is taken without looking
/// at the hub) learns nothing of that hub from its connectivity tests: the answer is the same for
/// an address the hub's networks advertise, for any other address, and for a hub id that never
/// existed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_to_a_strangers_hub_maps_nothing() {
    let server = Server::start().await;
    let (ca, cb) = (server.tenant("A").await, server.tenant("B").await);
    let a = Net::new(&ca, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let hub = ca.hub_create(&hub_named("CC_01")).await.unwrap();
    ca.attachment_create(&attach(&hub, &a, None)).await.unwrap();
    let to_real = Net::new(&cb, "cn-qingdao", "cn-qingdao-b", "172.16.0.0/16", "172.16.1.0/24").await;
    let to_ghost = Net::new(&cb, "cn-qingdao", "cn-qingdao-b", "172.17.0.0/16", "172.17.1.0/24").await;
    cb.grant_create(&grant(&hub, &to_real)).await.unwrap();
    let ghost = GrantCreateRequest { hub_id: "hub-2al5c5pmhjotdhvvhuxwzpku".into(), ..grant(&hub, &to_ghost) };
    cb.grant_create(&ghost).await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for net in [&to_real, &to_ghost] {
        for to in [a.instance.private_ip.to_string(), "192.168.1.200".into(), "10.9.9.9".into()] {
            let answer = net.ping_ip(&to).await;
            assert_eq!(code(&answer), Some(BlockCode::NotAttached), "{answer:#?}");
            let shown = serde_json::to_string(&answer).unwrap().replace(&to, "TO");
            seen.insert(without_ids(&shown).replace("172.17.", "172.16."));
        }
    }
    assert_eq!(seen.len(), 1, "the answers differ, so they tell something of the hub: {seen:#?}");
}

/// Two modifies at once, each raising one of two inter-region bandwidths (4 and 4 of a 10 Mbit/s
/// package) to 6: one fits, the other would take the sum to 12, so exactly one wins.
async fn a_modify_race_keeps_the_sum(kind: Kind) {
    let server = Server::start_on(kind).await;
    let c = server.tenant("A").await;
    let hub = c.hub_create(&hub_named("h")).await.unwrap();
    let p = c.bandwidth_package_create(&package("p", 10, &["chinese-mainland"], Some(&hub))).await.unwrap();
    let p = c.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    let one = c.inter_region_bandwidth_create(&irb(&hub, &p, "cn-beijing", "cn-qingdao", 4)).await.unwrap();
    let two = c.inter_region_bandwidth_create(&irb(&hub, &p, "cn-hangzhou", "cn-shenzhen", 4)).await.unwrap();
    let handles: Vec<_> = [one.id.to_string(), two.id.to_string()]
        .into_iter()
        .map(|id| {
            let c = c.clone();
            tokio::spawn(async move { c.inter_region_bandwidth_modify(&id, 6).await })
        })
        .collect();
    let results = raced(handles).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    let lost = results.into_iter().find(|r| r.is_err()).unwrap();
    assert_eq!(refused(lost), (409, "InterRegionBandwidth.ExceedsPackage".to_owned()));
    let all = c.inter_region_bandwidth_list(&ListQuery::default()).await.unwrap().items;
    assert_eq!(all.iter().map(|b| b.bandwidth_mbps).sum::<u32>(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modify_race_keeps_the_sum_on_sqlite() {
    a_modify_race_keeps_the_sum(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modify_race_keeps_the_sum_on_postgres() {
    a_modify_race_keeps_the_sum(Kind::Postgres).await;
}

/// One network attached to two hubs at once: a network attaches to one hub, so one wins.
async fn one_network_attaches_to_one_of_two_racing_hubs(kind: Kind) {
    let server = Server::start_on(kind).await;
    let ca = server.tenant("A").await;
    let a = Net::new(&ca, "cn-beijing", "cn-beijing-a", "192.168.0.0/16", "192.168.1.0/24").await;
    let hubs = [ca.hub_create(&hub_named("h1")).await.unwrap(), ca.hub_create(&hub_named("h2")).await.unwrap()];
    let handles: Vec<_> = hubs
        .iter()
        .map(|h| {
            let (c, req) = (ca.clone(), attach(h, &a, None));
            tokio::spawn(async move { c.attachment_create(&req).await })
        })
        .collect();
    let results = raced(handles).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    let lost = results.into_iter().find(|r| r.is_err()).unwrap();
    assert_eq!(refused(lost), (409, "Attachment.AlreadyAttached".to_owned()));
    assert_eq!(ca.attachment_list(&ListQuery::default()).await.unwrap().items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_network_attaches_to_one_of_two_racing_hubs_on_sqlite() {
    one_network_attaches_to_one_of_two_racing_hubs(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_network_attaches_to_one_of_two_racing_hubs_on_postgres() {
    one_network_attaches_to_one_of_two_racing_hubs(Kind::Postgres).await;
}
