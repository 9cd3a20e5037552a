//! CBN 2017-09-12: CEN bandwidth packages and the inter-region bandwidth limits taken from them,
//! each action one control operation in Alibaba's words. Alibaba names a package's areas
//! `China`, `North-America`, `Asia-Pacific`, `Europe`; its limits by the two regions alone (the
//! package is the CEN's one for their areas).

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{
    BandwidthPackageBindRequest, BandwidthPackageCreateRequest, InterRegionBandwidthCreateRequest,
    InterRegionBandwidthListQuery, InterRegionBandwidthModifyRequest, OrderListQuery,
};
use xconnect_model::{BandwidthPackage, BandwidthPackageId, BandwidthPackageStatus, Error, InterRegionBandwidth};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::cen::{VERSION, all_packages};
use crate::params::{Filters, Params};

pub static ACTIONS: &[Action] = &[
    Action {
        product: "CBN",
        version: VERSION,
        name: "CreateCenBandwidthPackage",
        operations: "bandwidth_package_create, bandwidth_package_pay, order_list",
        run: |s, c, p| Box::pin(create_package(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCenBandwidthPackages",
        operations: "bandwidth_package_list, inter_region_bandwidth_list",
        run: |s, c, p| Box::pin(describe_packages(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "AssociateCenBandwidthPackage",
        operations: "bandwidth_package_bind",
        run: |s, c, p| Box::pin(associate_package(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "UnassociateCenBandwidthPackage",
        operations: "bandwidth_package_get, bandwidth_package_unbind",
        run: |s, c, p| Box::pin(unassociate_package(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "SetCenInterRegionBandwidthLimit",
        operations: "hub_get, bandwidth_package_list, inter_region_bandwidth_list, inter_region_bandwidth_create, \
                     inter_region_bandwidth_modify, inter_region_bandwidth_delete",
        run: |s, c, p| Box::pin(set_limit(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCenInterRegionBandwidthLimits",
        operations: "hub_get, inter_region_bandwidth_list, bandwidth_package_list",
        run: |s, c, p| Box::pin(describe_limits(s, c, p)),
    },
    Action {
        product: "CBN",
        version: VERSION,
        name: "DescribeCenGeographicSpanRemainingBandwidth",
        operations: "hub_get, bandwidth_package_list, inter_region_bandwidth_list",
        run: |s, c, p| Box::pin(remaining_bandwidth(s, c, p)),
    },
];

/// Alibaba's geographic region words and the catalogue's areas. A word not listed is handed to
/// control as it is, which refuses it naming the areas it knows.
const AREA_WORDS: &[(&str, &str)] = &[
    ("China", "chinese-mainland"),
    ("North-America", "north-america"),
    ("Asia-Pacific", "asia-pacific"),
    ("Europe", "europe"),
];

fn our_area(word: &str) -> &str {
    AREA_WORDS.iter().find(|(w, _)| *w == word).map_or(word, |(_, a)| *a)
}

fn alibaba_area(area: &str) -> &str {
    AREA_WORDS.iter().find(|(_, a)| *a == area).map_or(area, |(w, _)| *w)
}

/// Alibaba's id of an area pair, `china_china`, `china_north-america`.
fn span_id(p: &BandwidthPackage) -> String {
    format!("{}_{}", alibaba_area(&p.area_a), alibaba_area(&p.area_b)).to_lowercase()
}

/// Alibaba's billing words (`BandwidthPackageChargeType`, `PricingCycle`) as control's mode: a
/// prepaid term of months or years. Any other charge type is handed on for control to refuse.
fn billing_mode(p: &Params) -> String {
    match (p.get("BandwidthPackageChargeType").unwrap_or("PREPAY"), p.get("PricingCycle").unwrap_or("Month")) {
        ("PREPAY", "Month") => "monthly".into(),
        ("PREPAY", "Year") => "yearly".into(),
        ("PREPAY", cycle) => cycle.to_lowercase(),
        (charge, _) => charge.to_lowercase(),
    }
}

fn flag(p: &Params, name: &str) -> Option<bool> {
    p.get(name).map(|v| v.eq_ignore_ascii_case("true"))
}

fn number(p: &Params, name: &str) -> Result<Option<i64>, Error> {
    p.get(name)
        .map(|v| v.parse::<i64>().map_err(|_| Error::invalid(name, format_args!("'{v}' is not a whole number"))))
        .transpose()
}

fn required_number(p: &Params, name: &str) -> Result<i64, Error> {
    p.required(name)?;
    Ok(number(p, name)?.unwrap_or_default())
}

async fn create_package(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let areas = vec![
        our_area(p.required("GeographicRegionAId")?).to_owned(),
        our_area(p.required("GeographicRegionBId")?).to_owned(),
    ];
    let req = BandwidthPackageCreateRequest {
        // Alibaba's Name is optional; a package has a name, so control refuses none, saying so.
        name: p.get("Name").unwrap_or("").to_owned(),
        description: p.get("Description").map(str::to_owned),
        billing_mode: billing_mode(p),
        period: number(p, "Period")?.unwrap_or(1),
        auto_renew: flag(p, "AutoRenew"),
        bandwidth_mbps: required_number(p, "Bandwidth")?,
        areas,
        enterprise_project: None,
        hub_id: None,
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let mut package = state.control.bandwidth_package_create(caller, req).await?;
    let mut out = json!({"CenBandwidthPackageId": package.id.as_str()});
    // AutoPay pays the order at once, as the cloud does; a request repeated under its
    // ClientToken finds the package already paid.
    if flag(p, "AutoPay") == Some(true) {
        if package.status == BandwidthPackageStatus::PendingPayment {
            // The payment is the same request's second change, not a replay.
            package = state.control.bandwidth_package_pay(&caller.after_first_change(), package.id.as_str()).await?;
        }
        let orders = every_page(|next_token| {
            let q = OrderListQuery { max_results: Some(100), next_token, ..Default::default() };
            state.control.order_list(caller, q)
        })
        .await?;
        if let Some(order) = orders.iter().find(|o| o.resource_id == package.id.as_str()) {
            out["CenBandwidthPackageOrderId"] = order.id.as_str().into();
        }
    }
    Ok(fields(out))
}

/// Every inter-region bandwidth of the caller's, of one hub if named.
async fn all_limits(state: &AppState, caller: &Caller, hub: Option<&str>) -> Result<Vec<InterRegionBandwidth>, Error> {
    every_page(|next_token| {
        let q = InterRegionBandwidthListQuery {
            hub_id: hub.map(str::to_owned),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.inter_region_bandwidth_list(caller, q)
    })
    .await
}

fn package_fields(b: &BandwidthPackage, limits: &[InterRegionBandwidth]) -> Value {
    let used: Vec<Value> = limits
        .iter()
        .filter(|l| l.bandwidth_package_id == b.id)
        .map(|l| {
            json!({
                "LocalRegionId": l.region_a.as_str(),
                "OppositeRegionId": l.region_b.as_str(),
                "GeographicSpanId": span_id(b),
                "BandwidthLimit": l.bandwidth_mbps.to_string(),
            })
        })
        .collect();
    json!({
        "CenBandwidthPackageId": b.id.as_str(),
        "Name": b.name.as_str(),
        "Description": b.description.as_str(),
        "Bandwidth": b.bandwidth_mbps,
        "BandwidthPackageChargeType": "PREPAY",
        "GeographicRegionAId": alibaba_area(&b.area_a),
        "GeographicRegionBId": alibaba_area(&b.area_b),
        "GeographicSpanId": span_id(b),
        // Idle until associated with a CEN, then InUse.
        "Status": if b.hub_id.is_some() { "InUse" } else { "Idle" },
        // Alibaba locks a subscription whose term ended (FinancialLocked); an unpaid one keeps
        // the model's word, Alibaba's console having no package before payment.
        "BusinessStatus": match b.status {
            BandwidthPackageStatus::Normal => "Normal",
            BandwidthPackageStatus::Expired => "FinancialLocked",
            BandwidthPackageStatus::PendingPayment => "PendingPayment",
        },
        "CenIds": {"CenId": b.hub_id.iter().map(|h| h.as_str()).collect::<Vec<_>>()},
        "CreationTime": date(b.created_at),
        "ExpiredTime": b.expires_at.map(date).unwrap_or_default(),
        "HasReservationData": "false",
        "OrginInterRegionBandwidthLimits": {"OrginInterRegionBandwidthLimit": used},
        "Tags": {"Tag": []},
    })
}

fn date(t: xconnect_model::Timestamp) -> String {
    xconnect_sign::format_date(t.to_offset_date_time())
}

async fn describe_packages(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let filters = Filters::read(p, &["CenBandwidthPackageId", "Name", "CenId", "Status"])?;
    let mut packages = all_packages(state, caller).await?;
    packages.retain(|b| {
        filters.pass(|key| match key {
            "CenBandwidthPackageId" => vec![b.id.to_string()],
            "Name" => vec![b.name.to_string()],
            "CenId" => b.hub_id.iter().map(|h| h.to_string()).collect(),
            _ => vec![if b.hub_id.is_some() { "InUse" } else { "Idle" }.to_owned()],
        })
    });
    let limits = all_limits(state, caller, None).await?;
    let page = paged(&packages, p, 10, 50)?;
    let items: Vec<Value> = page.items.iter().map(|b| package_fields(b, &limits)).collect();
    Ok(page.answer("CenBandwidthPackages", "CenBandwidthPackage", items))
}

async fn associate_package(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let req = BandwidthPackageBindRequest { hub_id: p.required("CenId")?.to_owned() };
    state.control.bandwidth_package_bind(caller, p.required("CenBandwidthPackageId")?, req).await?;
    Ok(Fields::new())
}

async fn unassociate_package(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let (hub, id) = (p.required("CenId")?, p.required("CenBandwidthPackageId")?);
    let package = state.control.bandwidth_package_get(caller, id).await?;
    // The request names the CEN too: a package bound to another is not this CEN's to release.
    if package.hub_id.as_ref().is_none_or(|h| h.as_str() != hub) {
        return Err(Error::not_found(BandwidthPackageId::KIND, format_args!("{id} on {hub}")));
    }
    state.control.bandwidth_package_unbind(caller, id).await?;
    Ok(Fields::new())
}

/// The package of `hub` for the areas of two regions: the Normal one bound to it that covers
/// them (control keeps one per area pair), else any bound to it, for control to say why it
/// does not serve.
fn package_for<'a>(
    state: &AppState,
    packages: &'a [BandwidthPackage],
    hub: &str,
    regions: (&str, &str),
) -> Result<&'a BandwidthPackage, Error> {
    let catalog = state.control.catalog();
    let (a, b) = (catalog.region_id(regions.0)?, catalog.region_id(regions.1)?);
    let bound: Vec<&BandwidthPackage> =
        packages.iter().filter(|p| p.hub_id.as_ref().is_some_and(|h| h.as_str() == hub)).collect();
    bound
        .iter()
        .find(|p| p.status == BandwidthPackageStatus::Normal && p.covers(catalog.area_of(&a), catalog.area_of(&b)))
        .or(bound.first())
        .copied()
        .ok_or_else(|| {
            Error::rejected(
                "InterRegionBandwidth.PackageNotBound",
                format_args!("CEN {hub} has no bandwidth package: associate one first (AssociateCenBandwidthPackage)"),
            )
        })
}

async fn set_limit(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let hub = p.required("CenId")?;
    let (local, opposite) = (p.required("LocalRegionId")?, p.required("OppositeRegionId")?);
    let mbps = required_number(p, "BandwidthLimit")?;
    let catalog = state.control.catalog();
    let pair = {
        let (a, b) = (catalog.region_id(local)?, catalog.region_id(opposite)?);
        if a <= b { (a, b) } else { (b, a) }
    };
    let existing = all_limits(state, caller, Some(hub))
        .await?
        .into_iter()
        .find(|l| (&l.region_a, &l.region_b) == (&pair.0, &pair.1));
    match (existing, mbps) {
        // 0 removes the limit; there being none, nothing is left to remove.
        (Some(l), 0) => {
            state.control.inter_region_bandwidth_delete(caller, l.id.as_str()).await?;
        }
        (None, 0) => {
            state.control.hub_get(caller, hub).await?;
        }
        (Some(l), _) => {
            let req = InterRegionBandwidthModifyRequest { bandwidth_mbps: mbps };
            state.control.inter_region_bandwidth_modify(caller, l.id.as_str(), req).await?;
        }
        (None, _) => {
            state.control.hub_get(caller, hub).await?;
            let packages = all_packages(state, caller).await?;
            let package = package_for(state, &packages, hub, (local, opposite))?;
            let req = InterRegionBandwidthCreateRequest {
                hub_id: hub.to_owned(),
                bandwidth_package_id: package.id.as_str().to_owned(),
                regions: vec![local.to_owned(), opposite.to_owned()],
                bandwidth_mbps: mbps,
            };
            state.control.inter_region_bandwidth_create(caller, req).await?;
        }
    }
    Ok(Fields::new())
}

async fn describe_limits(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let hub = state.control.hub_get(caller, p.required("CenId")?).await?;
    let limits = all_limits(state, caller, Some(hub.id.as_str())).await?;
    let packages = all_packages(state, caller).await?;
    let page = paged(&limits, p, 10, 50)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|l| {
            let span = packages.iter().find(|b| b.id == l.bandwidth_package_id).map(span_id).unwrap_or_default();
            json!({
                "CenId": l.hub_id.as_str(),
                "LocalRegionId": l.region_a.as_str(),
                "OppositeRegionId": l.region_b.as_str(),
                "BandwidthLimit": l.bandwidth_mbps,
                "BandwidthPackageId": l.bandwidth_package_id.as_str(),
                "BandwidthType": "BandwidthPackage",
                "GeographicSpanId": span,
                // In force as soon as it is set: there is no Modifying here.
                "Status": "Active",
            })
        })
        .collect();
    Ok(page.answer("CenInterRegionBandwidthLimits", "CenInterRegionBandwidthLimit", items))
}

/// What is left to assign between two areas on a CEN: its package for them, less the limits
/// already taken from it (0 when it has none).
async fn remaining_bandwidth(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let hub = state.control.hub_get(caller, p.required("CenId")?).await?;
    let (a, b) = (our_area(p.required("GeographicRegionAId")?), our_area(p.required("GeographicRegionBId")?));
    let packages = all_packages(state, caller).await?;
    let package = packages
        .iter()
        .find(|x| x.hub_id.as_ref() == Some(&hub.id) && x.status == BandwidthPackageStatus::Normal && x.covers(a, b));
    let remaining = match package {
        None => 0,
        Some(x) => {
            let used: u32 = all_limits(state, caller, Some(hub.id.as_str()))
                .await?
                .iter()
                .filter(|l| l.bandwidth_package_id == x.id)
                .map(|l| l.bandwidth_mbps)
                .sum();
            x.bandwidth_mbps.saturating_sub(used)
        }
    };
    Ok(fields(json!({"RemainingBandwidth": remaining})))
}
