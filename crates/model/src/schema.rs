//! Small helpers for the OpenAPI schemas of the model's string-like types, so each newtype
//! describes itself once, beside its parser.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema restricted by a regular expression.
pub fn string_with_pattern(pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).into()
}

/// A string schema with a format hint and a description.
pub fn string_with_format(format: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom(format.to_owned())))
        .description(Some(description))
        .into()
}

/// A port range of tcp or udp, `from/to`, each 1 to 65535 (that `from` is not above `to` is the
/// server's to check).
pub const PORT_RANGE: &str = "^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])/([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$";

/// One IPv4 octet in decimal, without leading zeros (as Rust's parser and the clouds read it).
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

fn ipv4() -> String {
    format!("{OCTET}\\.{OCTET}\\.{OCTET}\\.{OCTET}")
}

/// The prefix lengths `min..=max`, as alternatives of a regular expression.
fn lengths(min: u8, max: u8) -> String {
    (min..=max).map(|n| n.to_string()).collect::<Vec<_>>().join("|")
}

/// An IPv4 CIDR block with a prefix length of `min` to `max`. Its form only: that no host
/// bits are set and that the block is not of special purpose are checked by the server.
/// Its `format` names the kind of block, for generators that know it (the fuzzer's hooks make
/// blocks with no host bits set).
fn ipv4_block(format: &str, min: u8, max: u8, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom(format.to_owned())))
        .pattern(Some(format!("^{}/({})$", ipv4(), lengths(min, max))))
        .description(Some(description))
        .into()
}

/// Declares schema-only types for values that arrive as plain strings in requests (the control
/// layer parses them, with an error of its own for each problem): each describes the form the
/// parser takes, so that the OpenAPI document states it. `wire` declares the fixed words with it.
macro_rules! request_values {
    ($($(#[$doc:meta])* $name:ident => $schema:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}
pub(crate) use request_values;

/// A string schema that takes one of `values`.
pub(crate) fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).description(Some(description)).into()
}

request_values! {
    /// Makes a retried create return the first one's result: 1 to 64 printable ASCII characters.
    ClientToken => string_with_pattern("^[!-~]{1,64}$");
    /// A counter's or resource's name in a usage report: 1 to 128 printable ASCII characters.
    CounterName => string_with_pattern("^[!-~]{1,128}$");
    /// An IPv4 address in dotted decimal.
    Ipv4Address => string_with_pattern(&format!("^{}$", ipv4()));
    /// An IPv4 or IPv6 address.
    IpAddress => utoipa::openapi::schema::OneOfBuilder::new()
        .item(string_with_pattern(&format!("^{}$", ipv4())))
        .item(string_with_format("ipv6", "An IPv6 address"))
        .into();
    /// A VPC's block: IPv4, /8 to /28.
    VpcBlock => ipv4_block("vpc-block", 8, 28, "IPv4, /8 to /28, with no host bits set, and not a block of special purpose \
        (0.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3)");
    /// A vswitch's block: IPv4, /16 to /29, inside its VPC's.
    VSwitchBlock => ipv4_block("vswitch-block", 16, 29, "IPv4, /16 to /29, inside the VPC's block");
    /// Any IPv4 block: a rule's peer, a route's destination, a data centre's route.
    Ipv4Block => ipv4_block("ipv4-block", 0, 32, "An IPv4 CIDR block with no host bits set");
    /// A block a network advertises, or a data centre's route: IPv4, /8 to /32.
    OwnBlock => ipv4_block("ipv4-block", 8, 32, "IPv4, /8 to /32, with no host bits set");
    /// A VBR's peering subnet: IPv4, /24 to /30.
    PeeringSubnet => ipv4_block("peering-subnet", 24, 30, "IPv4, /24 to /30");
    /// A rule's port range, `from/to` with 1 <= from <= to <= 65535 (`-1/-1`, none, for icmp
    /// and all).
    PortRangeText => string_with_pattern(&format!("^-1/-1$|{PORT_RANGE}"));
    /// A network a hub attaches: a VPC's or a VBR's id.
    NetworkId => string_with_pattern("^(vpc|vbr)-[2-7a-z]{24}$");
    /// A calendar month, `YYYY-MM`, of the years 1970 to 9998.
    Month => string_with_pattern("^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])$");
    /// Free text of 1 to 255 characters with something besides spaces, and no control
    /// characters.
    Reason => text(255);
    /// Free text of 1 to 64 characters: no control characters, and something besides spaces.
    Text64 => text(64);
    /// Free text of 1 to 128 characters: no control characters, and something besides spaces.
    Text128 => text(128);
    /// Bytes in base64 (the standard alphabet, padded, no bits set past the last byte), at least
    /// one.
    Base64 => string_with_pattern(
        "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$"
    );
    /// A region of the catalogue, by id, alias or display name. The document lists the names
    /// of the catalogue the server runs with ([`with_catalogue`]).
    RegionName => string_with_format("region", "A region of the catalogue, by id, alias or display name");
    /// A zone of a region of the catalogue (the document lists them).
    ZoneName => string_with_format("zone", "A zone of a region of the catalogue");
    /// An area of the catalogue, by id or name (the document lists them).
    AreaName => string_with_format("area", "An area of the catalogue, by id or name");
}

/// Characters no free text may hold: control characters (Unicode's Cc).
pub(crate) const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";

/// 1 to `max` characters, none a control character, not all white space.
fn text(max: usize) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
        .pattern(Some(format!("^[^{CONTROL}]*[^\\s{CONTROL}][^{CONTROL}]*$")))
        .into()
}

/// Puts the names `catalog` answers to into the document, as the enums of [`RegionName`],
/// [`ZoneName`] and [`AreaName`]: the document states the regions of the server it describes.
pub fn with_catalogue(doc: &mut utoipa::openapi::OpenApi, catalog: &crate::catalog::Catalog) {
    let (regions, zones, areas) = catalog.spellings();
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, values, description) in [
        ("RegionName", regions, "A region of the catalogue, by id, alias or display name (any case)"),
        ("ZoneName", zones, "A zone of a region of the catalogue; a vswitch's must be of its VPC's region"),
        ("AreaName", areas, "An area of the catalogue, by id or name (any case)"),
    ] {
        let schema =
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).description(Some(description));
        components.schemas.insert(name.to_owned(), schema.into());
    }
}
