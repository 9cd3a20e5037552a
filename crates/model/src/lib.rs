//! The xconnect model: ids, names, CIDR blocks, the region catalogue, every resource type, the
//! wire format and the one error type. Pure: no IO, no async, no clock, no randomness; callers
//! hand in time and entropy, so every function here is deterministic and cheap to test.

pub mod billing;
pub mod catalog;
pub mod cidr;
pub mod connectivity;
pub mod dataplane;
pub mod error;
pub mod hub;
pub mod hybrid;
pub mod id;
pub mod name;
pub mod peering;
pub mod resources;
pub mod schema;
pub mod time;
pub mod version;
pub mod wire;

pub use catalog::{Catalog, RegionId};
pub use cidr::{Cidr, Family};
pub use error::{Error, Result};
pub use hub::*;
pub use hybrid::*;
pub use id::*;
pub use name::{Description, Name};
pub use peering::*;
pub use resources::*;
pub use time::Timestamp;
