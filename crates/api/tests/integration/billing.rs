//! Statements through the API: nothing for an unpaid package, its first term when paid and its
//! renewal in the month the renewed term starts, metered usage recorded once per window, and who
//! may read which statement. (Every seed's statement is checked line by line in the CLI tests.)

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::harness::{Server, refused};

fn month_of(t: Timestamp) -> String {
    t.to_string()[..7].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_follow_orders_terms_and_usage() {
    let server = Server::start().await;
    let (a, b) = (server.tenant("A").await, server.tenant("B").await);
    let me = a.caller().await.unwrap().id;
    let hub = a.hub_create(&HubCreateRequest { name: "h".into(), ..Default::default() }).await.unwrap();
    let p = a
        .bandwidth_package_create(&BandwidthPackageCreateRequest {
            name: "renewing".into(),
            billing_mode: "monthly".into(),
            period: 1,
            auto_renew: Some(true),
            bandwidth_mbps: 10,
            areas: vec!["chinese-mainland".into()],
            hub_id: Some(hub.id.to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    // Unpaid, it costs nothing.
    let now = server.operator.clock_get().await.unwrap().now;
    let st = a.statement_get(&month_of(now), None).await.unwrap();
    assert_eq!((st.lines.len(), st.total_cents), (0, 0));
    let p = a.bandwidth_package_pay(p.id.as_str()).await.unwrap();
    let st = a.statement_get(&month_of(now), None).await.unwrap();
    assert_eq!(st.lines.len(), 1);
    // From the shipped price list (crates/control/default-prices.toml), written out here rather
    // than asked of the server under test: 15.00 per Mbit/s and month within the Chinese
    // mainland, for 10 Mbit/s.
    let per_term = 1500 * 10;
    assert_eq!(
        server.operator.prices().await.unwrap().package_per_mbps_month("chinese-mainland", "chinese-mainland") * 10,
        per_term,
        "the server serves the shipped price list"
    );
    assert_eq!((st.lines[0].amount_cents, st.total_cents), (per_term, per_term));

    // A month later the package renewed itself: the renewal is charged in the month it starts.
    server.operator.clock_advance(32 * 86_400).await.unwrap();
    let later = server.operator.clock_get().await.unwrap().now;
    let renewal_month = month_of(p.expires_at.unwrap());
    let st = a.statement_get(&renewal_month, None).await.unwrap();
    assert!(st.lines.iter().any(|l| l.item.contains("renewal") && l.amount_cents == per_term), "{st:#?}");
    assert_eq!(a.bandwidth_package_get(p.id.as_str()).await.unwrap().status, BandwidthPackageStatus::Normal);

    // Usage: recorded once per window; a different count for the window is refused.
    let report = |bytes: i64| UsageReportRequest {
        account_id: me.to_string(),
        counter_id: "xc-test".into(),
        resource_id: "link".into(),
        window_start: format!("{}-01T00:00:00Z", month_of(later)),
        window_seconds: 300,
        bytes_out: bytes,
    };
    server.operator.usage_report(&report(2_000_000_000)).await.unwrap();
    server.operator.usage_report(&report(2_000_000_000)).await.unwrap();
    assert_eq!(refused(server.operator.usage_report(&report(3)).await).1, "Usage.WindowConflict");
    let overlapping = UsageReportRequest { window_start: format!("{}-01T00:02:00Z", month_of(later)), ..report(5) };
    assert_eq!(refused(server.operator.usage_report(&overlapping).await).1, "Usage.WindowOverlap");
    let too_much = UsageReportRequest { window_start: format!("{}-02T00:00:00Z", month_of(later)), ..report(i64::MAX) };
    assert_eq!(refused(server.operator.usage_report(&too_much).await).1, "Usage.TooManyBytes");
    // Windows the calendar cannot hold: year 0 at +01:00 (year -1 in UTC) was committed and then
    // its answer panicked; 9999 at -01:00 (year 10000) was stored and shown as 1970; the last
    // one would end past 9999.
    let before = server.snapshot().await;
    for (start, code) in [
        ("0000-01-01T00:30:00+01:00", "InvalidParameter"),
        ("9999-12-31T23:30:00-01:00", "InvalidParameter"),
        ("9999-12-31T23:58:00Z", "Usage.WindowOutOfTime"),
    ] {
        let edge = UsageReportRequest { window_start: start.into(), ..report(1) };
        assert_eq!(refused(server.operator.usage_report(&edge).await).1, code, "{start}");
    }
    assert_eq!(server.snapshot().await, before);
    assert_eq!(refused(a.usage_report(&report(1)).await).0, 403, "only the operator's data plane reports");
    let st = a.statement_get(&month_of(later), None).await.unwrap();
    let transfer: Vec<_> = st.lines.iter().filter(|l| l.product == "data_transfer").collect();
    assert_eq!(transfer.len(), 1);
    // 2,000,000,000 bytes out at the shipped 0.08 per GB.
    assert_eq!(transfer[0].amount_cents, 2 * 8);

    // Who reads what: one's own; the operator any; another tenant's is not a tenant's to ask.
    assert_eq!(refused(b.statement_get(&month_of(later), Some(me.as_str())).await).0, 403);
    let theirs = server.operator.statement_get(&month_of(later), Some(me.as_str())).await.unwrap();
    assert_eq!(theirs.total_cents, st.total_cents);
    assert_eq!(refused(a.statement_get("2026-13", None).await).1, "InvalidParameter");
    assert_eq!(refused(a.statement_get("9999-12", None).await).1, "InvalidParameter");
    assert_eq!(b.statement_get(&month_of(later), None).await.unwrap().lines.len(), 0);

    // Renewal switched off: the terms renewed so far stay charged, none follow; an expired
    // package cannot be switched back on.
    let off = BandwidthPackageModifyRequest { auto_renew: Some(false), ..Default::default() };
    let stopped = a.bandwidth_package_modify(p.id.as_str(), &off).await.unwrap();
    server.operator.clock_advance(40 * 86_400).await.unwrap();
    assert_eq!(a.bandwidth_package_get(p.id.as_str()).await.unwrap().status, BandwidthPackageStatus::Expired);
    let on = BandwidthPackageModifyRequest { auto_renew: Some(true), ..Default::default() };
    assert_eq!(refused(a.bandwidth_package_modify(p.id.as_str(), &on).await).1, "BandwidthPackage.NotNormal");
    let after = month_of(stopped.expires_at.unwrap());
    let st = a.statement_get(&after, None).await.unwrap();
    assert!(st.lines.iter().all(|l| l.product != "bandwidth_package"), "no term after the last: {st:#?}");
    let st = a.statement_get(&renewal_month, None).await.unwrap();
    assert!(st.lines.iter().any(|l| l.item.contains("renewal")), "the renewal stays on its month's statement");
}
