//! An instance's nftables table, as JSON, and nothing but pure functions of documents: the
//! document `nft -j -f -` loads (the table declared, deleted and made again in one transaction,
//! so a ruleset is replaced whole or, refused, not at all), marked with the hash of what it was
//! made from; what a listing (`nft -j list table`) says of the table it lists (its mark, whether
//! it has the document's shape); and the peers of rules taken away. Running `nft` is `sys.rs`'s.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use xconnect_model::dataplane::Ruleset;

/// The hash the agent marks a table with: FNV-1a of the ruleset's document, stable across
/// builds (a table written by another version of the agent is at worst written once more).
pub fn ruleset_hash(doc: &str) -> u64 {
    doc.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The mark, as a rule's comment (nft 1.0.6 reads no table comments from JSON).
fn mark(rs: &Ruleset) -> String {
    format!("xc:{:016x}", ruleset_hash(&rs.nftables))
}

/// The commands `nft -j -f -` runs: the table declared and deleted (so that whatever was there
/// goes, and a first run does not fail for want of it), then the ruleset, its first rule
/// carrying the mark. A ruleset that is not a JSON document is refused, never written half.
pub(crate) fn document(rs: &Ruleset) -> Result<String, serde_json::Error> {
    let doc: Value = serde_json::from_str(&rs.nftables)?;
    let table = json!({"table": {"family": "inet", "name": rs.table}});
    let mut cmds = vec![json!({ "add": table.clone() }), json!({ "delete": table })];
    let mut marked = false;
    for mut c in doc["nftables"].as_array().cloned().unwrap_or_default() {
        if !marked && let Some(rule) = c.get_mut("add").and_then(|a| a.get_mut("rule")) {
            rule["comment"] = Value::String(mark(rs));
            marked = true;
        }
        cmds.push(c);
    }
    Ok(json!({ "nftables": cmds }).to_string())
}

/// The hash in a listing's mark, zero when its table has no mark of the agent's.
pub(crate) fn marked_hash(listing: &str) -> u64 {
    rules(listing)
        .iter()
        .find_map(|r| r["comment"].as_str().and_then(|c| c.strip_prefix("xc:")))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

/// The hash a listed table stands for, as the diff compares it with the wanted one: its mark's,
/// or zero when it has none, or when it carries `rs`'s mark without `rs`'s rules (a rule
/// added, taken away or changed under the agent, the marked rule left alone): such a table is
/// another's, and is written again.
pub(crate) fn listed_hash(listing: &str, rs: &Ruleset) -> u64 {
    let hash = marked_hash(listing);
    let wanted = ruleset_hash(&rs.nftables);
    match document(rs) {
        Ok(doc) if hash == wanted && shape(listing) != shape(&doc) => 0,
        _ => hash,
    }
}

/// The rules of a document or a listing (`{"add": {"rule": …}}` or `{"rule": …}`).
fn rules(doc: &str) -> Vec<Value> {
    let Ok(v) = serde_json::from_str::<Value>(doc) else { return Vec::new() };
    v["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("add").unwrap_or(c).get("rule").cloned())
        .collect()
}

/// What a table holds, as the agent's document and nft's listing both spell it: each chain's
/// declaration, then each chain's rules in order, without the handles the kernel adds and with
/// sets in address order (as nft lists them). Two tables of one shape filter alike.
pub(crate) fn shape(doc: &str) -> Vec<Value> {
    let Ok(v) = serde_json::from_str::<Value>(doc) else { return Vec::new() };
    let items: Vec<&Value> =
        v["nftables"].as_array().into_iter().flatten().map(|c| c.get("add").unwrap_or(c)).collect();
    let strip = |x: &Value| {
        let mut x = canonical(x);
        if let Some(o) = x.as_object_mut() {
            o.remove("handle");
        }
        x
    };
    let chains: Vec<Value> = items.iter().filter_map(|c| c.get("chain")).map(strip).collect();
    let mut out = chains.clone();
    for chain in &chains {
        out.extend(items.iter().filter_map(|c| c.get("rule")).filter(|r| r["chain"] == chain["name"]).map(strip));
    }
    out
}

/// `v` with every set's members in address order (addresses before anything else), and a set
/// of one as its member (as nft 1.0 lists it).
fn canonical(v: &Value) -> Value {
    if let Some([one]) = v.get("set").and_then(Value::as_array).map(Vec::as_slice) {
        return canonical(one);
    }
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| {
                    let mut x = canonical(x);
                    if k == "set"
                        && let Some(members) = x.as_array_mut()
                    {
                        members.sort_by_key(|m| {
                            let ip = m.as_str().and_then(|s| s.parse::<std::net::IpAddr>().ok());
                            (ip.is_none(), ip, m.to_string())
                        });
                    }
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// An inbound rule's comment and source match, as the kernel and the agent both spell them.
fn sources(doc: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in rules(doc).iter().filter(|r| r["chain"] == "input") {
        for e in r["expr"].as_array().into_iter().flatten() {
            let m = &e["match"];
            if m["left"]["payload"]["field"] == "saddr" {
                out.insert((r["comment"].as_str().unwrap_or("").to_owned(), canonical(&m["right"]).to_string()));
            }
        }
    }
    out
}

/// The source addresses and blocks of inbound rules that `old` has and `new` does not (either
/// may be the agent's document or nft's listing).
pub(crate) fn revoked_sources(old: &str, new: &str) -> Vec<String> {
    let kept = sources(new);
    let mut out = Vec::new();
    for (_, right) in sources(old).difference(&kept) {
        let Ok(v) = serde_json::from_str::<Value>(right) else { continue };
        let one = |x: &Value| match x {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) => {
                let p = &x["prefix"];
                Some(format!("{}/{}", p["addr"].as_str()?, p["len"].as_u64()?))
            }
            _ => None,
        };
        match v.get("set").and_then(Value::as_array) {
            Some(set) => out.extend(set.iter().filter_map(one)),
            None => out.extend(one(&v)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(doc: Value) -> Ruleset {
        Ruleset { namespace: "xc-i-1".into(), table: "xc".into(), nftables: doc.to_string() }
    }

    fn rule(comment: &str, right: Value) -> Value {
        json!({"add": {"rule": {"family": "inet", "table": "xc", "chain": "input", "comment": comment, "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": right}},
            {"accept": null}]}}})
    }

    #[test]
    fn the_table_is_replaced_whole_and_its_first_rule_carries_the_mark() {
        let r = rs(
            json!({"nftables": [{"add": {"table": {"family": "inet", "name": "xc"}}}, rule("a", json!("10.0.0.1"))]}),
        );
        let doc: Value = serde_json::from_str(&document(&r).unwrap()).unwrap();
        let cmds = doc["nftables"].as_array().unwrap();
        assert!(cmds[0].get("add").is_some() && cmds[1].get("delete").is_some());
        assert_eq!(cmds[3]["add"]["rule"]["comment"], format!("xc:{:016x}", ruleset_hash(&r.nftables)));
    }

    #[test]
    fn a_listing_has_the_shape_of_the_document_it_was_written_from() {
        let chain = json!({"add": {"chain": {"family": "inet", "table": "xc", "name": "input", "type": "filter",
            "hook": "input", "prio": 0, "policy": "drop"}}});
        let doc = json!({"nftables": [{"add": {"table": {"family": "inet", "name": "xc"}}}, chain,
            rule("a", json!({"set": ["10.1.1.10", "10.1.1.2"]}))]})
        .to_string();
        // As nft lists it: handles added, the set in address order.
        let mut listed_rule = rule("a", json!({"set": ["10.1.1.2", "10.1.1.10"]}))["add"]["rule"].clone();
        listed_rule["handle"] = json!(4);
        let mut listed_chain = chain["add"]["chain"].clone();
        listed_chain["handle"] = json!(1);
        let listing = json!({"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "xc", "handle": 1}},
            {"chain": listed_chain}, {"rule": listed_rule.clone()}]});
        assert_eq!(shape(&doc), shape(&listing.to_string()));
        assert!(revoked_sources(&listing.to_string(), &doc).is_empty(), "the same sources, in another order");
        // A set of one is listed as its member.
        let one = json!({"nftables": [chain.clone(), rule("b", json!({"set": ["10.1.1.2"]}))]}).to_string();
        let listed = json!({"nftables": [chain.clone(), rule("b", json!("10.1.1.2"))]}).to_string();
        assert_eq!(shape(&one), shape(&listed));
        assert!(revoked_sources(&listed, &one).is_empty());
        // A rule added under the agent changes the shape, its first rule left as it was.
        let mut meddled = listing.clone();
        meddled["nftables"].as_array_mut().unwrap().push(json!({"rule": listed_rule}));
        assert_ne!(shape(&doc), shape(&meddled.to_string()));
    }

    #[test]
    fn a_listing_stands_for_its_marks_hash_only_while_it_has_the_documents_shape() {
        let chain = json!({"chain": {"family": "inet", "table": "xc", "name": "input", "type": "filter",
            "hook": "input", "prio": 0, "policy": "drop"}});
        let r = rs(json!({"nftables": [{"add": {"table": {"family": "inet", "name": "xc"}}}, {"add": chain.clone()},
            rule("a", json!("10.0.0.1"))]}));
        // What nft lists after loading the document: the table, its chain, then the marked rule.
        let written: Value = serde_json::from_str(&document(&r).unwrap()).unwrap();
        let listed_rule = written["nftables"][4]["add"]["rule"].clone();
        let listing = json!({"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "xc"}}, chain,
            {"rule": listed_rule}]});
        assert_eq!(listed_hash(&listing.to_string(), &r), ruleset_hash(&r.nftables));
        // A rule added under the agent: the mark is still there, the table is not the agent's.
        let mut meddled = listing.clone();
        meddled["nftables"].as_array_mut().unwrap().push(json!({"rule": rule("b", json!("10.6.6.6"))["add"]["rule"]}));
        assert_eq!(marked_hash(&meddled.to_string()), ruleset_hash(&r.nftables));
        assert_eq!(listed_hash(&meddled.to_string(), &r), 0);
        // A table someone else wrote: no mark.
        let foreign = json!({"nftables": [{"rule": rule("a", json!("10.0.0.1"))["add"]["rule"]}]}).to_string();
        assert_eq!(listed_hash(&foreign, &r), 0);
        // Another version of the ruleset: its own hash, to be written over.
        let older = rs(json!({"nftables": [rule("a", json!("10.0.0.2"))]}));
        assert_eq!(listed_hash(&listing.to_string(), &older), ruleset_hash(&r.nftables));
    }

    #[test]
    fn revoked_sources_are_those_of_the_rules_taken_away() {
        let old = json!({"nftables": [
            rule("a", json!({"prefix": {"addr": "10.0.0.0", "len": 8}})),
            rule("b", json!({"set": ["10.1.1.1", "10.1.1.2"]})),
        ]})
        .to_string();
        let new = json!({"nftables": [rule("a", json!({"prefix": {"addr": "10.0.0.0", "len": 8}}))]}).to_string();
        assert_eq!(revoked_sources(&old, &new), ["10.1.1.1", "10.1.1.2"]);
        assert!(revoked_sources(&new, &new).is_empty());
        // nft's listing spells rules without the "add" around them.
        let listed = json!({"nftables": [{"rule": rule("a", json!("10.9.9.9"))["add"]["rule"].clone()}]}).to_string();
        assert_eq!(revoked_sources(&listed, &new), ["10.9.9.9"]);
    }
}
