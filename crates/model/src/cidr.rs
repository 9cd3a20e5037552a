//! CIDR blocks, parsed strictly: a block with host bits set, a bad prefix length or the wrong
//! address family is an error that says which, and suggests the block the caller probably meant.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::error::{CidrProblem, Error};

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        })
    }
}

/// A network block whose address has no bits set below its prefix length.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(IpNet);

impl Cidr {
    /// Parses `s` strictly. `field` names the request field in the error.
    pub fn parse(field: &str, s: &str) -> Result<Cidr, Error> {
        let err = |problem, reason: String| Error::InvalidCidr {
            field: field.to_owned(),
            value: s.to_owned(),
            problem,
            reason,
        };
        let Some((addr, len)) = s.split_once('/') else {
            return Err(err(
                CidrProblem::Malformed,
                "is not a CIDR block: write address/prefix-length, e.g. 192.168.0.0/16".into(),
            ));
        };
        let addr = IpAddr::from_str(addr)
            .map_err(|_| err(CidrProblem::Malformed, format!("has no valid IP address before the '/': '{addr}'")))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len: u8 = match len.parse() {
            Ok(n) if n <= max && !len.starts_with('+') => n,
            _ => {
                return Err(err(
                    CidrProblem::PrefixLength,
                    format!(
                        "has prefix length '{len}'; an {} prefix length is 0 to {max}",
                        if max == 32 { "IPv4" } else { "IPv6" }
                    ),
                ));
            }
        };
        let net = IpNet::new(addr, len).expect("length was checked against the family");
        if net.network() != addr {
            return Err(err(
                CidrProblem::HostBitsSet,
                format!("has host bits set below /{len}; did you mean {}?", net.trunc()),
            ));
        }
        Ok(Cidr(net))
    }

    /// Checks that the block is of `family` with a prefix length in `min..=max`.
    pub fn require(self, field: &str, family: Family, min: u8, max: u8) -> Result<Cidr, Error> {
        let err = |problem, reason: String| Error::InvalidCidr {
            field: field.to_owned(),
            value: self.to_string(),
            problem,
            reason,
        };
        if self.family() != family {
            return Err(err(CidrProblem::Family, format!("is {}, but {field} must be {family}", self.family())));
        }
        if !(min..=max).contains(&self.prefix_len()) {
            return Err(err(
                CidrProblem::PrefixLength,
                format!("has prefix length /{}; {field} takes /{min} to /{max}", self.prefix_len()),
            ));
        }
        Ok(self)
    }

    /// Refuses a block that overlaps an IPv4 range no network may use as its own, as the clouds
    /// refuse it for a VPC: "this network" 0.0.0.0/8, loopback 127.0.0.0/8, link-local
    /// 169.254.0.0/16, multicast 224.0.0.0/4, reserved 240.0.0.0/4, and the shared space
    /// 100.64.0.0/10, which the data plane numbers its own links from.
    pub fn require_unreserved(self, field: &str) -> Result<Cidr, Error> {
        match SPECIAL_PURPOSE.iter().find(|(block, _)| special(block).overlaps(&self)) {
            None => Ok(self),
            Some((block, what)) => Err(Error::InvalidCidr {
                field: field.to_owned(),
                value: self.to_string(),
                problem: CidrProblem::SpecialPurpose,
                reason: format!(
                    "overlaps {block}, {what}; use a private block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or a public one"
                ),
            }),
        }
    }

    /// Refuses a destination inside a range no packet is routed to: multicast, loopback,
    /// link-local, reserved, "this network" (a route to a larger block that contains one, such
    /// as 0.0.0.0/0, is fine).
    pub fn require_routable(self, field: &str) -> Result<Cidr, Error> {
        match SPECIAL_PURPOSE
            .iter()
            .filter(|(block, _)| *block != "100.64.0.0/10")
            .find(|(block, _)| special(block).contains(&self))
        {
            None => Ok(self),
            Some((block, what)) => Err(Error::InvalidCidr {
                field: field.to_owned(),
                value: self.to_string(),
                problem: CidrProblem::SpecialPurpose,
                reason: format!("lies in {block}, {what}, which is not routed"),
            }),
        }
    }

    pub fn from_net(net: IpNet) -> Cidr {
        Cidr(net.trunc())
    }

    pub fn net(&self) -> IpNet {
        self.0
    }

    pub fn family(&self) -> Family {
        match self.0 {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }

    pub fn prefix_len(&self) -> u8 {
        self.0.prefix_len()
    }

    /// The first and last address of an IPv4 block as integers, which is how the store finds
    /// overlapping blocks with an index instead of reading them all. `None` for IPv6.
    pub fn v4_range(&self) -> Option<(i64, i64)> {
        match self.0 {
            IpNet::V4(n) => Some((i64::from(u32::from(n.network())), i64::from(u32::from(n.broadcast())))),
            IpNet::V6(_) => None,
        }
    }

    pub fn contains_addr(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }

    /// Whether `other` lies wholly inside this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }

    /// Whether the two blocks share any address. Two blocks overlap exactly when one contains
    /// the other, since CIDR blocks are aligned.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Cidr {
    type Err = Error;
    fn from_str(s: &str) -> Result<Cidr, Error> {
        Cidr::parse("cidr_block", s)
    }
}

impl serde::Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse("cidr_block", &s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Cidr {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_with_format("cidr", "A CIDR block with no host bits set, e.g. 192.168.0.0/16")
    }
}
impl utoipa::ToSchema for Cidr {}

/// The IPv4 ranges of special purpose that no network of a tenant takes as its own (RFC 6890).
const SPECIAL_PURPOSE: [(&str, &str); 6] = [
    ("0.0.0.0/8", "\"this network\""),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved for future use"),
    ("100.64.0.0/10", "shared address space (the data plane's own links)"),
];

/// One of the blocks above, written correctly there.
fn special(block: &str) -> Cidr {
    Cidr::from_net(block.parse().expect("a special-purpose block is a block"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_purpose_blocks_are_no_network_and_no_destination() {
        let c = |s: &str| Cidr::parse("c", s).unwrap();
        for bad in [
            "224.0.0.0/8",
            "127.0.0.0/8",
            "0.0.0.0/8",
            "169.254.0.0/16",
            "240.0.0.0/8",
            "255.255.255.240/28",
            "100.64.0.0/10",
            "100.0.0.0/8",
        ] {
            assert_eq!(
                c(bad).require_unreserved("cidr_block").unwrap_err().code(),
                "InvalidCidr.SpecialPurpose",
                "{bad}"
            );
        }
        for good in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "47.100.0.0/16", "100.128.0.0/16"] {
            assert!(c(good).require_unreserved("cidr_block").is_ok(), "{good}");
        }
        assert!(c("224.0.0.0/24").require_routable("d").is_err(), "multicast");
        assert!(c("0.0.0.0/0").require_routable("d").is_ok(), "the default route");
        assert!(c("100.64.0.0/10").require_routable("d").is_ok(), "shared space may be routed to");
    }

    fn problem(s: &str) -> CidrProblem {
        match Cidr::parse("cidr_block", s).unwrap_err() {
            Error::InvalidCidr { problem, .. } => problem,
            e => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn strict_parsing_names_the_problem() {
        assert_eq!(Cidr::parse("c", "192.168.0.0/16").unwrap().to_string(), "192.168.0.0/16");
        assert_eq!(Cidr::parse("c", "0.0.0.0/0").unwrap().prefix_len(), 0);
        assert_eq!(Cidr::parse("c", "10.0.0.1/32").unwrap().prefix_len(), 32);
        assert_eq!(Cidr::parse("c", "fd00::/8").unwrap().family(), Family::V6);
        assert_eq!(problem("192.168.1.0/16"), CidrProblem::HostBitsSet);
        assert_eq!(problem("192.168.0.0/33"), CidrProblem::PrefixLength);
        assert_eq!(problem("192.168.0.0/-1"), CidrProblem::PrefixLength);
        assert_eq!(problem("192.168.0.0/+8"), CidrProblem::PrefixLength);
        assert_eq!(problem("192.168.0.0"), CidrProblem::Malformed);
        assert_eq!(problem("192.168.0/16"), CidrProblem::Malformed);
        assert_eq!(problem("banana/8"), CidrProblem::Malformed);
        let e = Cidr::parse("cidr_block", "192.168.1.0/16").unwrap_err();
        assert!(e.to_string().contains("did you mean 192.168.0.0/16"), "{e}");
        assert_eq!(e.code(), "InvalidCidr.HostBitsSet");
    }

    #[test]
    fn family_and_length_requirements() {
        let v6 = Cidr::parse("c", "fd00::/48").unwrap();
        let e = v6.require("cidr_block", Family::V4, 8, 28).unwrap_err();
        assert_eq!(e.code(), "InvalidCidr.Family");
        let wide = Cidr::parse("c", "10.0.0.0/7").unwrap();
        assert_eq!(wide.require("cidr_block", Family::V4, 8, 28).unwrap_err().code(), "InvalidCidr.PrefixLength");
    }

    #[test]
    fn overlap_is_containment_either_way() {
        let a = Cidr::parse("c", "10.0.0.0/16").unwrap();
        let b = Cidr::parse("c", "10.0.1.0/24").unwrap();
        let c = Cidr::parse("c", "10.1.0.0/16").unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert!(a.contains(&b) && !b.contains(&a));
    }
}
