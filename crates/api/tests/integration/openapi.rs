//! The OpenAPI document is checked in (`openapi.json` at the top of the repository) so that a
//! change to the API shows in review. This test fails when the code and the file differ; run it
//! with `UPDATE_OPENAPI=1` to write the file anew.

use std::path::PathBuf;

#[test]
fn the_checked_in_document_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    let generated = xconnect_api::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo nextest run -p xconnect-api openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in
        ["/v1/vpcs", "/v1/vswitches/{vswitch_id}", "/v1/security-groups/{security_group_id}/rules", "/v1/audit-events"]
    {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
}
