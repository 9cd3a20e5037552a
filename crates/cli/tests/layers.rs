//! The layers of ARCHITECTURE.md, kept true: its table of allowed dependencies is read and every
//! `crates/*/Cargo.toml` is held to it, so that a crate cannot gain an edge the diagram forbids
//! without the diagram and the table changing in the same commit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One row of the table: what a crate may depend on, what its tests may also use, and whether
/// it is built yet.
struct Row {
    normal: BTreeSet<String>,
    dev: BTreeSet<String>,
    planned: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crate names in a cell: each one in backticks, separated by commas.
fn names(cell: &str) -> BTreeSet<String> {
    cell.split(',').map(|n| n.trim().trim_matches('`').to_owned()).filter(|n| !n.is_empty()).collect()
}

/// The table under ARCHITECTURE.md's diagram, found by its header.
fn table(doc: &str) -> BTreeMap<String, Row> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with("| crate | may depend on |"));
    assert!(lines.next().is_some(), "ARCHITECTURE.md has no table of allowed dependencies");
    let mut rows = BTreeMap::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        let [name, normal, dev, status] = cells[..] else {
            panic!("ARCHITECTURE.md: a row of the dependency table has not four cells: {line}");
        };
        let name = name.trim_matches('`').to_owned();
        let planned = match status {
            "built" => false,
            "planned" => true,
            other => panic!("ARCHITECTURE.md: the status of {name} is {other:?}, neither built nor planned"),
        };
        let row = Row { normal: names(normal), dev: names(dev), planned };
        assert!(rows.insert(name.clone(), row).is_none(), "ARCHITECTURE.md lists {name} twice");
    }
    rows
}

/// Every dependency a manifest names, by package (a renamed one by its `package`), with the
/// section it is in: `[dependencies]`, `[build-dependencies]` and `[dev-dependencies]`, at the
/// top and under `[target.'cfg(..)']`.
fn dependencies(manifest: &toml::Table) -> Vec<(&'static str, String)> {
    let mut tables = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        tables.extend(targets.values().filter_map(toml::Value::as_table));
    }
    let mut out = Vec::new();
    for t in tables {
        for section in ["dependencies", "build-dependencies", "dev-dependencies"] {
            for (key, spec) in t.get(section).and_then(toml::Value::as_table).into_iter().flatten() {
                let package = spec.get("package").and_then(toml::Value::as_str).unwrap_or(key);
                out.push((section, package.to_owned()));
            }
        }
    }
    out
}

/// What is wrong with the workspace against the table, one sentence a finding.
fn violations(table: &BTreeMap<String, Row>, crates: &BTreeMap<String, toml::Table>) -> Vec<String> {
    let mut found = Vec::new();
    // Dependencies name packages; the table names crates by their directory.
    let by_package: BTreeMap<&str, &str> = crates
        .iter()
        .map(|(dir, m)| (m["package"]["name"].as_str().expect("every crate has a package name"), dir.as_str()))
        .collect();
    for (dir, manifest) in crates {
        let Some(row) = table.get(dir) else {
            found.push(format!("crates/{dir} is not in ARCHITECTURE.md's table of allowed dependencies"));
            continue;
        };
        if row.planned {
            found.push(format!("crates/{dir} is built, but ARCHITECTURE.md's table says planned"));
        }
        for (section, package) in dependencies(manifest) {
            if !package.starts_with("xconnect") {
                continue;
            }
            let Some(&to) = by_package.get(package.as_str()) else {
                found.push(format!("{dir} depends on {package} ([{section}]), which no crate under crates/ is"));
                continue;
            };
            let allowed = row.normal.contains(to) || (section == "dev-dependencies" && row.dev.contains(to));
            if !allowed {
                found.push(format!(
                    "{dir} depends on {to} ({package} in [{section}] of crates/{dir}/Cargo.toml), \
                     which ARCHITECTURE.md does not allow"
                ));
            }
        }
    }
    for (name, row) in table {
        if !row.planned && !crates.contains_key(name) {
            found.push(format!("ARCHITECTURE.md says {name} is built, but there is no crates/{name}"));
        }
        for to in row.normal.iter().chain(&row.dev) {
            if !table.contains_key(to) {
                found.push(format!("ARCHITECTURE.md lets {name} depend on {to}, which the table does not list"));
            }
        }
    }
    found
}

fn workspace() -> BTreeMap<String, toml::Table> {
    let mut crates = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).unwrap();
        let parsed: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        crates.insert(dir.file_name().unwrap().to_str().unwrap().to_owned(), parsed);
    }
    crates
}

#[test]
fn every_crate_depends_only_on_what_architecture_md_allows() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let found = violations(&table(&doc), &workspace());
    assert!(found.is_empty(), "the crates break ARCHITECTURE.md's layers:\n  {}", found.join("\n  "));
}

/// The check itself, on made-up manifests: it must see an edge upward, a test-only edge used by
/// the code, an unlisted crate, a renamed dependency and a target-specific one.
#[test]
fn the_layer_check_sees_each_kind_of_breach() {
    let doc = "\
| crate | may depend on | its tests may also use | status |
|---|---|---|---|
| `model` | | | built |
| `net` | `model` | | built |
| `api` | `model` | `net` | built |
| `front` | `api` | | planned |
";
    let manifest = |name: &str, body: &str| -> toml::Table {
        toml::from_str(&format!("[package]\nname = \"{name}\"\n{body}")).unwrap()
    };
    let crates = |extra: &[(&str, toml::Table)]| -> BTreeMap<String, toml::Table> {
        let mut c = BTreeMap::from([
            ("model".to_owned(), manifest("xconnect-model", "")),
            ("net".to_owned(), manifest("xconnect-net", "[dependencies]\nxconnect-model.workspace = true\n")),
            (
                "api".to_owned(),
                manifest(
                    "xconnect-api",
                    "[dependencies]\nxconnect-model = { path = \"../model\" }\n[dev-dependencies]\nxconnect-net.workspace = true\n",
                ),
            ),
        ]);
        c.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        c
    };
    let table = table(doc);
    assert_eq!(violations(&table, &crates(&[])), Vec::<String>::new());
    let breach = |dir: &str, body: &str| {
        let package = format!("xconnect-{dir}");
        violations(&table, &crates(&[(dir, manifest(&package, body))]))
    };
    let upward = breach("net", "[dependencies]\nxconnect-api.workspace = true\n");
    assert!(upward.iter().any(|f| f.starts_with("net depends on api ")), "{upward:?}");
    let test_only = breach("api", "[dependencies]\nxconnect-net = { path = \"../net\" }\n");
    assert!(test_only.iter().any(|f| f.starts_with("api depends on net ")), "{test_only:?}");
    let renamed = breach("model", "[build-dependencies]\nnet = { package = \"xconnect-net\", path = \"../net\" }\n");
    assert!(renamed.iter().any(|f| f.starts_with("model depends on net ")), "{renamed:?}");
    let target = breach("model", "[target.'cfg(unix)'.dependencies]\nxconnect-net.workspace = true\n");
    assert!(target.iter().any(|f| f.starts_with("model depends on net ")), "{target:?}");
    let unlisted = breach("store", "");
    assert!(unlisted.iter().any(|f| f.contains("crates/store is not in")), "{unlisted:?}");
    let built = breach("front", "");
    assert!(built.iter().any(|f| f.contains("table says planned")), "{built:?}");
}
