//! Typed resource ids: a kind prefix (`vpc-`, `vsw-`, …) and 24 characters of lowercase base32
//! from 15 bytes. The model only parses and formats them; the caller supplies the bytes (the
//! control layer: a millisecond timestamp and 72 random bits, so ids are unguessable, never
//! collide in practice, and sort roughly by creation), which keeps this crate pure.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// Characters of an id's body: the base32 digits in ASCII order, so that ids sort as the bytes
/// they encode do.
const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// Random bytes behind one id: 120 bits.
pub const ID_ENTROPY_BYTES: usize = 15;
/// Length of an id's body: 15 bytes are exactly 24 base32 characters.
pub const ID_BODY_LEN: usize = 24;

/// Encodes 15 bytes as 24 base32 characters.
pub fn encode_body(bytes: &[u8; ID_ENTROPY_BYTES]) -> String {
    let mut out = String::with_capacity(ID_BODY_LEN);
    for chunk in bytes.chunks(5) {
        let mut v: u64 = 0;
        for b in chunk {
            v = (v << 8) | u64::from(*b);
        }
        for i in (0..8).rev() {
            out.push(ALPHABET[((v >> (i * 5)) & 31) as usize] as char);
        }
    }
    out
}

/// What every id type can do, so code that mints ids can be generic over the kind.
pub trait ResourceId: Sized {
    fn from_entropy(bytes: &[u8; ID_ENTROPY_BYTES]) -> Self;
}

fn valid_body(body: &str) -> bool {
    body.len() == ID_BODY_LEN && body.bytes().all(|b| ALPHABET.contains(&b))
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident = $prefix:literal, $kind:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;
            /// The kind's name in messages.
            pub const KIND: &'static str = $kind;

            /// A new id from fresh random bytes.
            pub fn from_entropy(bytes: &[u8; ID_ENTROPY_BYTES]) -> Self {
                $name(format!("{}{}", $prefix, encode_body(bytes)))
            }

            /// Parses an id given by a caller in `field`.
            pub fn parse(field: &str, s: &str) -> Result<Self, Error> {
                match s.strip_prefix($prefix) {
                    Some(body) if valid_body(body) => Ok($name(s.to_owned())),
                    _ => Err(Error::invalid(field, format_args!(
                        "'{}' is not a {} id (they look like {}{})",
                        s, $kind, $prefix, "2dgm6mxzsv7qjbmhr6ly3b2c"))),
                }
            }

            /// Wraps an id read back from the store, which only ever holds valid ids.
            pub fn from_trusted(s: String) -> Self {
                debug_assert!(s.starts_with($prefix), "{s} is not a {}", $kind);
                $name(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ResourceId for $name {
            fn from_entropy(bytes: &[u8; ID_ENTROPY_BYTES]) -> Self {
                $name::from_entropy(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                $name::parse($kind, s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse($kind, &s).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::schema::string_with_pattern(concat!("^", $prefix, "[2-7a-z]{24}$"))
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

ids! {
    /// An account: operator, tenant or partner.
    AccountId = "acc-", "account";
    /// An access key's id, the `Credential` of a signed request.
    AccessKeyId = "ak-", "access key";
    /// A VPC.
    VpcId = "vpc-", "VPC";
    /// A VPC's router (Alibaba Cloud's VRouter).
    VRouterId = "vrt-", "VRouter";
    /// A route table; every VPC has one system route table.
    RouteTableId = "vtb-", "route table";
    /// A custom route entry.
    RouteEntryId = "rte-", "route entry";
    /// A vswitch (subnet) inside a VPC.
    VSwitchId = "vsw-", "vswitch";
    /// An instance, the thing that sends and receives packets.
    InstanceId = "i-", "instance";
    /// A security group.
    SecurityGroupId = "sg-", "security group";
    /// One rule of a security group.
    SecurityGroupRuleId = "sgr-", "security group rule";
    /// One side of a peering: a router interface of a VPC's VRouter.
    RouterInterfaceId = "ri-", "router interface";
    /// A charge-bearing order: what an account bought and since when.
    OrderId = "ord-", "order";
    /// A transit hub (Alibaba Cloud's CEN instance, Huawei Cloud's cloud connection).
    HubId = "hub-", "hub";
    /// A network attached to a hub.
    AttachmentId = "att-", "attachment";
    /// A network owner's permission for another account's hub to attach the network.
    GrantId = "grant-", "grant";
    /// A bandwidth package: bought bandwidth between areas.
    BandwidthPackageId = "bwp-", "bandwidth package";
    /// Bandwidth between two regions on a hub, taken from a package.
    InterRegionBandwidthId = "irb-", "inter-region bandwidth";
    /// A cross-border permit application.
    PermitId = "permit-", "cross-border permit";
    /// A partner's physical connection at an access point.
    PhysicalConnectionId = "pc-", "physical connection";
    /// A partner's shared port on a physical connection, for one tenant.
    SharedPortId = "sp-", "shared port";
    /// A virtual border router on a shared port.
    VbrId = "vbr-", "VBR";
    /// A host in a data centre behind a VBR.
    DataCentreHostId = "host-", "data centre host";
    /// A saved connectivity question: a source, a destination and a protocol, asked again by
    /// each of its analyses (Alibaba Cloud NIS's network path).
    NetworkPathId = "path-", "network path";
    /// One answer to a network path's question, kept as it was when asked.
    PathAnalysisId = "pa-", "path analysis";
    /// One entry of the audit trail.
    EventId = "ev-", "audit event";
    /// One API request, echoed in every response and error.
    RequestId = "req-", "request";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_wrong_kinds() {
        let id = VpcId::from_entropy(&[0xff; ID_ENTROPY_BYTES]);
        assert_eq!(id.as_str(), "vpc-zzzzzzzzzzzzzzzzzzzzzzzz");
        let zero = VpcId::from_entropy(&[0; ID_ENTROPY_BYTES]);
        assert_eq!(zero.as_str(), "vpc-222222222222222222222222");
        assert_eq!(VpcId::parse("vpc_id", id.as_str()).unwrap(), id);
        assert!(VpcId::parse("vpc_id", "vsw-zzzzzzzzzzzzzzzzzzzzzzzz").is_err());
        assert!(VpcId::parse("vpc_id", "vpc-7777").is_err());
        assert!(VpcId::parse("vpc_id", "vpc-77777777777777777777777A").is_err());
        let e = VSwitchId::parse("vswitch_id", "nope").unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert!(e.to_string().contains("vswitch_id"));
    }

    #[test]
    fn ids_sort_as_their_bytes() {
        let mut a = [0u8; ID_ENTROPY_BYTES];
        let mut b = [0u8; ID_ENTROPY_BYTES];
        a[0] = 0x7f;
        b[0] = 0x80;
        assert!(VpcId::from_entropy(&a) < VpcId::from_entropy(&b));
        a = [0xff; ID_ENTROPY_BYTES];
        b = [0xff; ID_ENTROPY_BYTES];
        a[14] = 0xfe;
        assert!(VpcId::from_entropy(&a) < VpcId::from_entropy(&b));
    }

    #[test]
    fn every_byte_reaches_the_body() {
        let mut bytes = [0u8; ID_ENTROPY_BYTES];
        let base = encode_body(&bytes);
        for i in 0..ID_ENTROPY_BYTES {
            bytes[i] = 1;
            assert_ne!(encode_body(&bytes), base, "byte {i} is lost");
            bytes[i] = 0;
        }
    }
}

impl AccountId {
    /// The account's number, as Alibaba Cloud numbers accounts (`OwnerId`, `ChildInstanceOwnerId`,
    /// ...: integers in its SDKs' models): 16 digits, derived from the id by a fixed hash
    /// (64-bit FNV-1a) so that it needs no storage and is the same on every server and every
    /// front. It must never change: programs keep it. Two accounts share a number with a
    /// probability of about n²/1.8·10¹⁶, one in ten thousand at a million accounts.
    pub fn number(&self) -> u64 {
        if let Some(n) = self.stood_for() {
            return n;
        }
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.as_str().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Self::NUMBERS.start() + h % (Self::NUMBERS.end() - Self::NUMBERS.start() + 1)
    }

    /// Every account number has 16 digits: a number outside these names no account.
    pub const NUMBERS: std::ops::RangeInclusive<u64> = 1_000_000_000_000_000..=9_999_999_999_999_999;
}

/// The first bytes of an id that stands for an account number no account has: 64 bits no id
/// drawn at random will start with (one chance in 2^64 each).
const STAND_IN: [u8; 8] = *b"\xff\xfenumber";

impl AccountId {
    /// The id that stands for `number` where a caller named an account by a number no account
    /// has: it carries the number (in its last 7 bytes, room for every 16-digit number), so its
    /// [`number`](Self::number) is that number, and a record made for it looks exactly like one
    /// made for a live account. A partner naming a tenant by number learns nothing of whether
    /// the tenant exists. No account ever has this id.
    pub fn standing_for(number: u64) -> AccountId {
        let mut bytes = [0u8; ID_ENTROPY_BYTES];
        bytes[..8].copy_from_slice(&STAND_IN);
        bytes[8..].copy_from_slice(&number.to_be_bytes()[1..]);
        AccountId::from_entropy(&bytes)
    }

    /// The number a stand-in id carries ([`standing_for`](Self::standing_for)); `None` for an
    /// account's own id.
    fn stood_for(&self) -> Option<u64> {
        let stand_in = AccountId::standing_for(0);
        // The first 12 characters encode the first 60 bits: the marker's alone.
        let (body, marker) = (&self.as_str()[Self::PREFIX.len()..], &stand_in.as_str()[Self::PREFIX.len()..]);
        if body.len() != ID_BODY_LEN || body[..12] != marker[..12] {
            return None;
        }
        // The last 12 characters are 60 bits: the marker's last 4 and the 56-bit number.
        let mut v: u64 = 0;
        for c in body[12..].bytes() {
            v = (v << 5) | ALPHABET.iter().position(|a| *a == c)? as u64;
        }
        (v >> 56 == u64::from(STAND_IN[7] & 0x0f)).then_some(v & ((1 << 56) - 1))
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn a_stand_in_carries_its_number_and_no_drawn_id_is_one() {
        for n in [1_000_000_000_000_000, 2_266_960_130_124_540, 9_999_999_999_999_999] {
            let id = AccountId::standing_for(n);
            assert_eq!(id.number(), n, "{id}");
            assert_eq!(AccountId::parse("account_id", id.as_str()).unwrap(), id);
        }
        assert_ne!(AccountId::standing_for(1), AccountId::standing_for(2));
        let drawn = AccountId::from_trusted("acc-2al5eojkjzlltmtemj66d7jh".into());
        assert_eq!(drawn.stood_for(), None);
        // An id sharing the marker's first 60 bits but not its 61st to 64th is an account's own.
        let mut near = STAND_IN.to_vec();
        near[7] ^= 0x01;
        near.extend([0u8; 7]);
        let near = AccountId::from_entropy(&near.try_into().unwrap());
        assert_eq!(near.stood_for(), None);
    }

    #[test]
    fn an_accounts_number_has_16_digits_and_never_changes() {
        let id = AccountId::from_trusted("acc-2al5eojkjzlltmtemj66d7jh".into());
        // Pinned: a change here renumbers every account a program has kept.
        assert_eq!(id.number(), 2_266_960_130_124_540);
        assert_eq!(id.number().to_string().len(), 16);
        assert_ne!(AccountId::from_trusted("acc-2al5eojkjzlltmtemj66d7ji".into()).number(), id.number());
    }
}
