//! What the OpenAPI document says of a request beyond each field's own form: which fields go
//! together (a rule's one peer, a test's one source, a port for tcp and udp only, a spec for an
//! initiator only) and which bounds depend on another field (a yearly term's length, a port's
//! line rate). Each rule mirrors a check of the control layer that refuses with 400 when it
//! fails; [`with_rules`] adds them to the request schemas as `allOf` branches, so that a
//! request the document allows never meets a 400. Rules no schema can state (host bits, a range
//! that runs backwards, blocks that overlap) are refused with 422 instead.

use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};

use crate::schema::PORT_RANGE;
use crate::{PortType, RouterInterfaceSpec};

/// A schema of no type of its own, for a keyword alone (`enum`, `maximum`).
fn any() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::AnyValue)
}

/// An object whose `field` takes one of `values` (`null` among them stands for left out).
fn field_in(field: &str, values: impl IntoIterator<Item = Value>) -> ObjectBuilder {
    ObjectBuilder::new().property(field, any().enum_values(Some(values)))
}

/// An object in which `field` is given, as something other than `null`.
fn given(o: ObjectBuilder, field: &str, schema: impl Into<RefOr<Schema>>) -> ObjectBuilder {
    o.property(field, schema).required(field)
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn words(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| Value::from(*v)).collect()
}

/// Left out or `null`.
fn absent(o: ObjectBuilder, field: &str) -> ObjectBuilder {
    o.property(field, ObjectBuilder::new().schema_type(Type::Null))
}

/// Exactly one of `a` and `b` is given.
fn one_of_two(a: &str, b: &str) -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(given(ObjectBuilder::new(), a, string()))
        .item(given(ObjectBuilder::new(), b, string()))
        .into()
}

/// A destination port with tcp and udp, and none with icmp (the default).
fn port_with_protocol() -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(given(
            given(ObjectBuilder::new(), "protocol", string().enum_values(Some(["tcp", "udp"]))),
            "port",
            ObjectBuilder::new().schema_type(Type::Integer),
        ))
        .item(absent(field_in("protocol", [Value::Null, "icmp".into()]), "port"))
        .into()
}

/// The rules of each request schema, by its name in the document.
fn rules() -> Vec<(&'static str, Vec<RefOr<Schema>>)> {
    let specs: Vec<Value> = RouterInterfaceSpec::ALL.iter().map(|s| Value::from(s.as_str())).collect();
    let line_rates = PortType::ALL.iter().fold(AnyOfBuilder::new(), |rates, p| {
        rates.item(
            field_in("port_type", [Value::from(p.as_str())])
                .property("bandwidth_mbps", any().maximum(Some(f64::from(p.line_rate_mbps())))),
        )
    });
    // The network's type, when given, matches its id's kind.
    let network_type = || -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(absent(ObjectBuilder::new(), "network_type"))
            .item(field_in("network_type", words(&["vpc"])).property("network_id", string().pattern(Some("^vpc-"))))
            .item(field_in("network_type", words(&["vbr"])).property("network_id", string().pattern(Some("^vbr-"))))
            .into()
    };
    vec![
        (
            "SecurityGroupRuleCreateRequest",
            vec![
                one_of_two("cidr_block", "peer_security_group_id"),
                AnyOfBuilder::new()
                    .item(absent(ObjectBuilder::new(), "peer_account_id"))
                    .item(given(ObjectBuilder::new(), "peer_security_group_id", string()))
                    .into(),
                AnyOfBuilder::new()
                    .item(given(
                        field_in("protocol", words(&["tcp", "udp"])),
                        "port_range",
                        string().pattern(Some(PORT_RANGE)),
                    ))
                    .item(
                        field_in("protocol", words(&["icmp", "all"]))
                            .property("port_range", any().enum_values(Some([Value::Null, "-1/-1".into()]))),
                    )
                    .into(),
            ],
        ),
        (
            "RouteEntryCreateRequest",
            vec![
                AnyOfBuilder::new()
                    .item(given(field_in("next_hop_type", words(&["router_interface"])), "next_hop_id", string()))
                    .item(absent(field_in("next_hop_type", words(&["blackhole"])), "next_hop_id"))
                    .into(),
            ],
        ),
        ("ConnectivityTestRequest", vec![one_of_two("from_instance_id", "from_host_id"), port_with_protocol()]),
        ("ConnectivityMatrixRequest", vec![port_with_protocol()]),
        (
            "RouterInterfaceCreateRequest",
            vec![
                AnyOfBuilder::new()
                    .item(given(field_in("role", words(&["initiator"])), "spec", any().enum_values(Some(specs))))
                    .item(
                        field_in("role", words(&["acceptor"]))
                            .property("spec", any().enum_values(Some([Value::Null, "Default".into()]))),
                    )
                    .into(),
            ],
        ),
        (
            "BandwidthPackageCreateRequest",
            vec![
                AnyOfBuilder::new()
                    .item(field_in("billing_mode", words(&["monthly"])))
                    .item(field_in("billing_mode", words(&["yearly"])).property("period", any().maximum(Some(3.0))))
                    .into(),
            ],
        ),
        ("PhysicalConnectionCreateRequest", vec![line_rates.into()]),
        ("GrantCreateRequest", vec![network_type()]),
        ("AttachmentCreateRequest", vec![network_type()]),
    ]
}

/// Adds the rules to the request schemas of `doc`: each becomes `allOf` its fields and its rules.
pub fn with_rules(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, rules) in rules() {
        let fields = components.schemas.remove(name).unwrap_or_else(|| panic!("{name} is a request schema"));
        let all = rules.into_iter().fold(AllOfBuilder::new().item(fields), |all, r| all.item(r));
        components.schemas.insert(name.to_owned(), all.into());
    }
}
