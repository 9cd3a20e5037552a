//! What commands print: a readable table by default, or with `--output json` the API's own
//! objects, unchanged, for scripts.

use serde::Serialize;
use xconnect_model::wire::{Page, RegionList};
use xconnect_model::*;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// A resource as a table row.
pub trait Row {
    const HEADERS: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// Prints rows under headers, each column as wide as its widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == widths.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = *w));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out.push_str(&line(r.clone()));
    }
    out
}

/// Writes to standard output for [`out!`]: a closed pipe exits with success and says nothing,
/// any other failure to write is an error on standard error and exit code 1.
pub fn write_stdout(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(1);
    }
}

/// The fields `--query` asked for, if it did.
static QUERY: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Makes every JSON result print only these fields (dotted paths into the object), separated
/// by tabs, one line per item of a list: `vpc create ... --query id,vrouter_id` for scripts
/// that want values, not documents.
pub fn set_query(fields: &str) {
    let fields = fields.split(',').map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect();
    let _ = QUERY.set(fields);
}

/// Where a dotted path (`access_key.access_key_id`, `peer.router_interface_id`) leads in a
/// result.
enum Walk<'v, 'p> {
    /// To this value.
    Found(&'v serde_json::Value),
    /// Nowhere: an object on the way has no field of this name; these are its fields.
    Unknown(&'p str, String),
    /// Below a null, a scalar or past the end of a list: empty here, though the path is one the
    /// result may have (an optional object left out has, when present, its fields).
    Absent,
}

fn walk<'v, 'p>(v: &'v serde_json::Value, path: &'p str) -> Walk<'v, 'p> {
    let mut at = v;
    for part in path.split('.') {
        at = match at {
            serde_json::Value::Object(m) => match m.get(part) {
                Some(x) => x,
                None => return Walk::Unknown(part, m.keys().map(String::as_str).collect::<Vec<_>>().join(", ")),
            },
            serde_json::Value::Array(a) => match part.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(x) => x,
                None => return Walk::Absent,
            },
            _ => return Walk::Absent,
        };
    }
    Walk::Found(at)
}

/// The value at a dotted path, printed bare: strings without quotes, absent values as empty.
fn pick(v: &serde_json::Value, path: &str) -> String {
    match walk(v, path) {
        Walk::Found(serde_json::Value::String(s)) => s.clone(),
        Walk::Found(serde_json::Value::Null) | Walk::Unknown(..) | Walk::Absent => String::new(),
        Walk::Found(other) => other.to_string(),
    }
}

/// The first part of `path` that `v` does not have, with the fields there are where it is
/// missing.
fn unknown<'p>(v: &serde_json::Value, path: &'p str) -> Option<(&'p str, String)> {
    match walk(v, path) {
        Walk::Unknown(part, known) => Some((part, known)),
        Walk::Found(_) | Walk::Absent => None,
    }
}

/// The items of a result that is a list (a page, or a bare array such as `doctor`'s checks),
/// each on a line of its own; none for a single object.
fn list_items(v: &serde_json::Value) -> Option<&Vec<serde_json::Value>> {
    match v {
        serde_json::Value::Array(items) => Some(items),
        _ => v.get("items").and_then(|i| i.as_array()).filter(|_| v.get("next_token").is_some()),
    }
}

fn query_lines(v: &serde_json::Value, fields: &[String]) -> String {
    let line = |item: &serde_json::Value| fields.iter().map(|f| pick(item, f)).collect::<Vec<_>>().join("\t") + "\n";
    match list_items(v) {
        Some(items) => items.iter().map(line).collect(),
        None => line(v),
    }
}

pub fn print_json<T: Serialize>(v: &T) {
    match QUERY.get() {
        Some(fields) => {
            let value = serde_json::to_value(v).expect("API objects serialize");
            // Every item of a list has the fields of the first; an empty list has nothing to check.
            let sample = match list_items(&value) {
                Some(items) => items.first(),
                None => Some(&value),
            };
            for field in fields {
                if let Some((missing, known)) = sample.and_then(|s| unknown(s, field)) {
                    eprintln!(
                        "error: --query: the result has no field '{missing}' (in '{field}'); its fields are {known}"
                    );
                    std::process::exit(2);
                }
            }
            out!("{}", query_lines(&value, fields));
        }
        None => outln!("{}", serde_json::to_string_pretty(v).expect("API objects serialize")),
    }
}

/// Prints one resource.
pub fn one<T: Row + Serialize>(format: Format, v: &T) {
    match format {
        Format::Json => print_json(v),
        Format::Table => out!("{}", table(T::HEADERS, &[v.cells()])),
    }
}

/// Prints a page of resources, and where the next page starts.
pub fn page<T: Row + Serialize>(format: Format, p: &Page<T>) {
    match format {
        Format::Json => print_json(p),
        Format::Table => {
            let rows: Vec<Vec<String>> = p.items.iter().map(Row::cells).collect();
            out!("{}", table(T::HEADERS, &rows));
            if let Some(t) = &p.next_token {
                eprintln!("more results: repeat with --next-token {t}");
            }
        }
    }
}

impl Row for Account {
    const HEADERS: &'static [&'static str] = &["ID", "NUMBER", "KIND", "NAME", "CREATED"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.number.to_string(),
            self.kind.to_string(),
            self.name.to_string(),
            self.created_at.to_string(),
        ]
    }
}

impl Row for AccessKey {
    const HEADERS: &'static [&'static str] = &["ACCESS_KEY_ID", "ACCOUNT", "CREATED"];
    fn cells(&self) -> Vec<String> {
        vec![self.id.to_string(), self.account_id.to_string(), self.created_at.to_string()]
    }
}

impl Row for AccessKeySecret {
    const HEADERS: &'static [&'static str] = &["ACCOUNT", "ACCESS_KEY_ID", "ACCESS_KEY_SECRET"];
    fn cells(&self) -> Vec<String> {
        vec![self.account_id.to_string(), self.access_key_id.to_string(), self.access_key_secret.clone()]
    }
}

impl Row for AccountCreated {
    const HEADERS: &'static [&'static str] = &["ACCOUNT", "KIND", "NAME", "ACCESS_KEY_ID", "ACCESS_KEY_SECRET"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.account.id.to_string(),
            self.account.kind.to_string(),
            self.account.name.to_string(),
            self.access_key.access_key_id.to_string(),
            self.access_key.access_key_secret.clone(),
        ]
    }
}

impl Row for Vpc {
    const HEADERS: &'static [&'static str] = &["ID", "REGION", "CIDR", "NAME", "VROUTER", "ROUTE_TABLE"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.region.to_string(),
            self.cidr_block.to_string(),
            opt(&self.name),
            self.vrouter_id.to_string(),
            self.route_table_id.to_string(),
        ]
    }
}

impl Row for VSwitch {
    const HEADERS: &'static [&'static str] = &["ID", "VPC", "ZONE", "CIDR", "NAME"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.vpc_id.to_string(),
            self.zone.clone(),
            self.cidr_block.to_string(),
            opt(&self.name),
        ]
    }
}

impl Row for Instance {
    const HEADERS: &'static [&'static str] = &["ID", "VSWITCH", "PRIVATE_IP", "SECURITY_GROUPS", "NAME"];
    fn cells(&self) -> Vec<String> {
        let groups: Vec<String> = self.security_group_ids.iter().map(|g| g.to_string()).collect();
        vec![
            self.id.to_string(),
            self.vswitch_id.to_string(),
            self.private_ip.to_string(),
            groups.join(","),
            opt(&self.name),
        ]
    }
}

impl Row for SecurityGroup {
    const HEADERS: &'static [&'static str] = &["ID", "VPC", "REGION", "NAME"];
    fn cells(&self) -> Vec<String> {
        vec![self.id.to_string(), self.vpc_id.to_string(), self.region.to_string(), opt(&self.name)]
    }
}

fn peer(p: &RulePeer) -> String {
    match p {
        RulePeer::Cidr { cidr_block } => cidr_block.to_string(),
        RulePeer::SecurityGroup { security_group_id, account_id } => format!("{security_group_id} ({account_id})"),
    }
}

fn lower<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl Row for SecurityGroupRule {
    const HEADERS: &'static [&'static str] = &["ID", "DIRECTION", "PROTOCOL", "PORTS", "PEER", "PRIORITY", "POLICY"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            lower(&self.direction),
            lower(&self.protocol),
            opt(&self.port_range),
            peer(&self.peer),
            self.priority.to_string(),
            lower(&self.policy),
        ]
    }
}

fn next_hop(n: &NextHop) -> String {
    match n.target_id() {
        Some(id) => format!("{} {id}", n.type_name()),
        None => n.type_name().to_owned(),
    }
}

impl Row for RouteEntry {
    const HEADERS: &'static [&'static str] = &["ID", "ROUTE_TABLE", "DESTINATION", "NEXT_HOP"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.route_table_id.to_string(),
            self.destination_cidr_block.to_string(),
            next_hop(&self.next_hop),
        ]
    }
}

impl Row for RouterInterface {
    const HEADERS: &'static [&'static str] =
        &["ID", "VPC", "REGION", "ROLE", "SPEC", "STATUS", "PEER_REGION", "PEER_INTERFACE", "NAME"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.vpc_id.to_string(),
            self.region.to_string(),
            self.role.to_string(),
            opt(&self.spec),
            self.status.to_string(),
            self.peer_region.to_string(),
            opt(&self.peer.as_ref().map(|p| p.router_interface_id.clone())),
            opt(&self.name),
        ]
    }
}

impl Row for Order {
    const HEADERS: &'static [&'static str] =
        &["ID", "PRODUCT", "RESOURCE", "REGION", "ITEM", "MBIT/S", "STARTED", "ENDED"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.product.to_string(),
            self.resource_id.clone(),
            opt(&self.region),
            self.item.clone(),
            self.bandwidth_mbps.to_string(),
            self.started_at.to_string(),
            opt(&self.ended_at),
        ]
    }
}

impl Row for Hub {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "PROJECT", "DESCRIPTION"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.to_string(),
            self.enterprise_project.to_string(),
            self.description.as_str().to_owned(),
        ]
    }
}

impl Row for Grant {
    const HEADERS: &'static [&'static str] = &["ID", "NETWORK", "REGION", "OWNER", "HUB", "GRANTEE"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.network_id.clone(),
            self.region.to_string(),
            self.account_id.to_string(),
            self.hub_id.to_string(),
            self.grantee_account_id.to_string(),
        ]
    }
}

impl Row for Attachment {
    const HEADERS: &'static [&'static str] = &["ID", "HUB", "NETWORK", "OWNER", "REGION", "CIDR_BLOCKS"];
    fn cells(&self) -> Vec<String> {
        let blocks: Vec<String> = self.cidr_blocks.iter().map(|c| c.to_string()).collect();
        vec![
            self.id.to_string(),
            self.hub_id.to_string(),
            self.network_id.clone(),
            self.network_account_id.to_string(),
            self.region.to_string(),
            blocks.join(","),
        ]
    }
}

impl Row for BandwidthPackage {
    const HEADERS: &'static [&'static str] =
        &["ID", "NAME", "MBIT/S", "AREAS", "BILLING", "STATUS", "HUB", "EXPIRES", "AUTO_RENEW"];
    fn cells(&self) -> Vec<String> {
        let areas =
            if self.area_a == self.area_b { self.area_a.clone() } else { format!("{}<>{}", self.area_a, self.area_b) };
        vec![
            self.id.to_string(),
            self.name.to_string(),
            self.bandwidth_mbps.to_string(),
            areas,
            format!("{} x{}", lower(&self.billing_mode), self.period),
            self.status.to_string(),
            opt(&self.hub_id),
            opt(&self.expires_at),
            self.auto_renew.to_string(),
        ]
    }
}

impl Row for InterRegionBandwidth {
    const HEADERS: &'static [&'static str] = &["ID", "HUB", "REGIONS", "MBIT/S", "PACKAGE"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.hub_id.to_string(),
            format!("{}<>{}", self.region_a, self.region_b),
            self.bandwidth_mbps.to_string(),
            self.bandwidth_package_id.to_string(),
        ]
    }
}

impl Row for Permit {
    const HEADERS: &'static [&'static str] = &["ID", "ACCOUNT", "ENTERPRISE", "REPRESENTATIVE", "DOCUMENTS", "STATUS"];
    fn cells(&self) -> Vec<String> {
        let docs: Vec<String> = self.documents.iter().map(|d| d.name.clone()).collect();
        let status = match &self.reason {
            Some(r) => format!("{} ({r})", self.status),
            None => self.status.to_string(),
        };
        vec![
            self.id.to_string(),
            self.account_id.to_string(),
            self.enterprise.clone(),
            self.representative.clone(),
            docs.join(","),
            status,
        ]
    }
}

impl Row for xconnect_model::wire::Clock {
    const HEADERS: &'static [&'static str] = &["NOW", "OFFSET_MS"];
    fn cells(&self) -> Vec<String> {
        vec![self.now.to_string(), self.offset_ms.to_string()]
    }
}

impl Row for PhysicalConnection {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "ACCESS_POINT", "REGION", "PORT", "MBIT/S", "STATUS"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.to_string(),
            self.access_point.clone(),
            self.region.to_string(),
            self.port_type.to_string(),
            self.bandwidth_mbps.to_string(),
            self.status.clone(),
        ]
    }
}

impl Row for SharedPort {
    const HEADERS: &'static [&'static str] = &["ID", "CONNECTION", "PARTNER", "TENANT", "VLAN", "MBIT/S", "STATUS"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.physical_connection_id.to_string(),
            self.partner_account_id.to_string(),
            self.account_id.to_string(),
            self.vlan_id.to_string(),
            self.bandwidth_mbps.to_string(),
            self.status.to_string(),
        ]
    }
}

impl Row for Vbr {
    const HEADERS: &'static [&'static str] = &["ID", "PORT", "REGION", "VLAN", "LOCAL_GW", "PEER_GW", "ROUTES"];
    fn cells(&self) -> Vec<String> {
        let routes: Vec<String> = self.routes.iter().map(|r| r.to_string()).collect();
        vec![
            self.id.to_string(),
            self.shared_port_id.to_string(),
            self.region.to_string(),
            self.vlan_id.to_string(),
            self.local_gateway_ip.to_string(),
            self.peer_gateway_ip.to_string(),
            routes.join(","),
        ]
    }
}

impl Row for DataCentreHost {
    const HEADERS: &'static [&'static str] = &["ID", "VBR", "IP", "NAME"];
    fn cells(&self) -> Vec<String> {
        vec![self.id.to_string(), self.vbr_id.to_string(), self.ip.to_string(), opt(&self.name)]
    }
}

impl Row for AuditEvent {
    const HEADERS: &'static [&'static str] = &["AT", "ACCOUNT", "ACTION", "RESOURCE", "RESULT", "REQUEST"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.at.to_string(),
            self.account_id.to_string(),
            self.action.clone(),
            opt(&self.resource_id),
            self.result.clone(),
            self.request_id.to_string(),
        ]
    }
}

/// A route table prints its routes, one per line.
pub fn route_table(format: Format, t: &RouteTable) {
    match format {
        Format::Json => print_json(t),
        Format::Table => {
            outln!("route table {} of VPC {} ({}, VRouter {})", t.id, t.vpc_id, t.region, t.vrouter_id);
            let rows: Vec<Vec<String>> = t
                .entries
                .iter()
                .map(|e| {
                    vec![
                        e.destination_cidr_block.to_string(),
                        next_hop(&e.next_hop),
                        lower(&e.kind),
                        opt(&e.route_entry_id),
                    ]
                })
                .collect();
            out!("{}", table(&["DESTINATION", "NEXT_HOP", "KIND", "ROUTE_ENTRY"], &rows));
            for c in &t.conflicts {
                outln!(
                    "not installed: {} from hub {} (attachment {}): conflicts with {}",
                    c.destination_cidr_block,
                    c.hub_id,
                    c.attachment_id,
                    c.conflicts_with
                );
            }
        }
    }
}

/// A connectivity answer: the verdict, then one line per hop, then what would fix it.
pub fn connectivity(format: Format, a: &xconnect_model::connectivity::ConnectivityAnswer) {
    match format {
        Format::Json => print_json(a),
        Format::Table => {
            let verdict = if a.reachable { "reachable" } else { "unreachable" };
            let to = match (&a.to_instance_id, &a.to_host_id) {
                (Some(i), _) => format!(" ({i})"),
                (None, Some(h)) => format!(" ({h})"),
                (None, None) => String::new(),
            };
            let from = match (&a.from_instance_id, &a.from_host_id) {
                (Some(i), _) => i.to_string(),
                (None, Some(h)) => h.to_string(),
                (None, None) => "?".to_owned(),
            };
            outln!("{from} ({}) -> {}{to}: {verdict}", a.source_ip, a.destination_ip);
            let rows: Vec<Vec<String>> = a
                .hops
                .iter()
                .map(|h| {
                    vec![
                        if h.passed { "ok".into() } else { "BLOCKED".into() },
                        lower(&h.kind),
                        h.component.clone(),
                        h.check.clone(),
                    ]
                })
                .collect();
            out!("{}", table(&["", "HOP", "COMPONENT", "CHECK"], &rows));
            match a.bandwidth_kbps {
                Some(k) if a.test_bandwidth_only => {
                    outln!("bandwidth: {k} kbit/s test bandwidth only: assign an inter-region bandwidth for more")
                }
                Some(k) if k % 1000 == 0 => outln!("bandwidth: {} Mbit/s (the narrowest on the way)", k / 1000),
                Some(k) => outln!("bandwidth: {k} kbit/s (the narrowest on the way)"),
                None => {}
            }
            if let Some(b) = &a.blocked {
                outln!("blocked: {} — {}", b.code, b.fix);
            }
        }
    }
}

/// A connectivity matrix: one line per ordered pair.
pub fn matrix(format: Format, m: &xconnect_model::connectivity::ConnectivityMatrix) {
    match format {
        Format::Json => print_json(m),
        Format::Table => {
            let mut rows = Vec::new();
            for (i, from) in m.instance_ids.iter().enumerate() {
                for (j, to) in m.instance_ids.iter().enumerate() {
                    if i != j {
                        rows.push(vec![from.to_string(), to.to_string(), m.verdicts[i][j].clone()]);
                    }
                }
            }
            out!("{}", table(&["FROM", "TO", "VERDICT"], &rows));
        }
    }
}

/// A statement: one line per charge, then the total.
pub fn statement(format: Format, s: &xconnect_model::billing::Statement) {
    let money = |cents: i64| format!("{}.{:02}", cents / 100, cents % 100);
    match format {
        Format::Json => print_json(s),
        Format::Table => {
            outln!("statement of account {} for {} ({}), as of {}", s.account_id, s.month, s.currency, s.as_of);
            let rows: Vec<Vec<String>> = s
                .lines
                .iter()
                .map(|l| {
                    vec![
                        l.product.clone(),
                        l.resource_id.clone(),
                        l.item.clone(),
                        l.quantity.clone(),
                        money(l.unit_price_cents),
                        money(l.amount_cents),
                    ]
                })
                .collect();
            out!("{}", table(&["PRODUCT", "RESOURCE", "ITEM", "QUANTITY", "UNIT_PRICE", "AMOUNT"], &rows));
            outln!("total: {} {}", money(s.total_cents), s.currency);
        }
    }
}

pub fn regions(format: Format, r: &RegionList) {
    match format {
        Format::Json => print_json(r),
        Format::Table => {
            let rows: Vec<Vec<String>> = r
                .regions
                .iter()
                .map(|x| {
                    let aliases: Vec<String> = x.aliases.iter().map(|a| format!("{}:{}", a.cloud, a.id)).collect();
                    vec![x.id.clone(), x.name.clone(), x.area.clone(), x.zones.join(","), aliases.join(",")]
                })
                .collect();
            out!("{}", table(&["ID", "NAME", "AREA", "ZONES", "ALIASES"], &rows));
        }
    }
}

/// What a delete prints: the id it deleted.
pub fn deleted(format: Format, id: &str) {
    match format {
        Format::Json => print_json(&serde_json::json!({ "id": id, "deleted": true })),
        Format::Table => outln!("deleted {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_pick_fields_of_objects_and_of_list_items() {
        let v = serde_json::json!({"id": "vpc-1", "n": 3, "peer": {"router_interface_id": "ri-9"}, "none": null});
        let fields: Vec<String> =
            ["id", "n", "peer.router_interface_id", "none", "missing.deep"].map(String::from).into();
        assert_eq!(query_lines(&v, &fields), "vpc-1\t3\tri-9\t\t\n");
        let page = serde_json::json!({"items": [{"id": "a"}, {"id": "b"}], "next_token": null});
        assert_eq!(query_lines(&page, &["id".to_owned()]), "a\nb\n");
        let array = serde_json::json!([{"check": "root", "status": "ok"}, {"check": "server", "status": "fail"}]);
        assert_eq!(query_lines(&array, &["check".to_owned(), "status".to_owned()]), "root\tok\nserver\tfail\n");
    }

    #[test]
    fn columns_line_up() {
        let t = table(&["ID", "NAME"], &[vec!["vpc-1".into(), "a".into()], vec!["vpc-22".into(), "bb".into()]]);
        assert_eq!(t, "ID      NAME\nvpc-1   a\nvpc-22  bb\n");
    }
}
