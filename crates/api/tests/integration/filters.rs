//! Every top-level list takes exactly the filters the OpenAPI document advertises for it: each
//! one advertised is accepted, and each filter some other list takes is refused here, with a 400
//! that names it, rather than ignored. The lists under a resource (a group's rules) take paging
//! only, which `walk.rs` and the rules' own tests exercise.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{Server, Tamper, raw};

/// A well-formed value for a filter, that the operator may use.
fn value(filter: &str, account: &str) -> String {
    match filter {
        "max_results" => "10".into(),
        "region" => "cn-beijing".into(),
        "name" => "web".into(),
        "status" => "Active".into(),
        "role" => "initiator".into(),
        "account_id" => account.into(),
        "vpc_id" => "vpc-2al5c5pmhjotdhvvhuxwzpku".into(),
        "route_table_id" => "vtb-2al5c5pmhjotdhvvhuxwzpku".into(),
        "hub_id" => "hub-2al5c5pmhjotdhvvhuxwzpku".into(),
        "vbr_id" => "vbr-2al5c5pmhjotdhvvhuxwzpku".into(),
        other => panic!("no sample value for the filter {other}: add one here"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_list_takes_its_advertised_filters_and_refuses_the_rest() {
    let server = Server::start().await;
    let op = &server.operator;
    let account = op.caller().await.unwrap().id.to_string();
    let doc: Value = serde_json::from_str(&xconnect_api::openapi_json()).unwrap();
    let mut lists = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let query: BTreeSet<String> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        if query.contains("max_results") && !path.contains('{') {
            lists.push((path.clone(), query));
        }
    }
    assert!(lists.len() >= 19, "found only {} lists in the document", lists.len());
    let every: BTreeSet<String> = lists.iter().flat_map(|(_, q)| q.iter().cloned()).collect();
    for (path, takes) in &lists {
        for filter in every.iter().filter(|f| *f != "next_token") {
            let url = format!("{path}?{filter}={}", value(filter, &account));
            let (status, answer) = raw(&server.endpoint, op.credentials(), "GET", &url, b"", Tamper::default()).await;
            if takes.contains(filter) {
                assert_eq!(status, 200, "GET {url}: an advertised filter must be accepted: {answer}");
            } else {
                assert_eq!(
                    (status, answer["code"].as_str()),
                    (400, Some("InvalidParameter")),
                    "GET {url}: a filter the document does not advertise must be refused: {answer}"
                );
                let message = answer["message"].as_str().unwrap();
                assert!(message.contains(filter.as_str()), "GET {url}: the refusal names the filter: {message}");
            }
        }
    }
}
