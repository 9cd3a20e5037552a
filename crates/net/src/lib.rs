//! The forwarding view computed from the model: route tables with longest-prefix match, and
//! security-group evaluation. Pure: plain data in, plain answers out, no IO. The API shows
//! route tables through it and the analyzer and data plane (later capabilities) will decide
//! with it, so what is shown and what is done cannot disagree.

pub mod analyzer;
pub mod hub;
pub mod plan;
pub mod routes;
pub mod security;
pub mod visibility;

pub use routes::{Route, RouteTable};
pub use security::{Decision, Packet, Rules};
pub use visibility::redact;
