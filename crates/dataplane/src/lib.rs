//! The Linux data plane's kernel side: the network namespaces the agent owns, and the agent
//! that brings them to a desired state. Its modules are layered, each using only those listed
//! before it, so that the pure parts stand on their own and the loop sits on top:
//!
//! - `nft`, `diff`: pure. nftables documents and listings; `diff(desired, observed)`.
//! - `sys`: system calls and programs (`nft`, `tc`, `conntrack`) run inside a namespace.
//! - `netns`: making, listing and deleting the agent's namespaces.
//! - `netlink`: the sockets kept open per namespace.
//! - `observe`: reading the kernel into an [`Observed`].
//! - `apply`: applying a [`Diff`], removals and additions.
//! - `reconcile`: the [`Agent`] and its pass: observe, diff, apply.
//!
//! `meter` stands apart: byte counters cut into windows, fed by the agent's `counters`; so does
//! `record`, the agent's crash-safety record of the namespaces it may have made.

mod apply;
mod diff;
pub mod meter;
mod netlink;
mod netns;
mod nft;
mod observe;
mod reconcile;
pub mod record;
mod sys;

pub use diff::{Diff, Link, Observed, SeenShaping, diff};
pub use netns::{delete, ensure, exists, list, live, pids, teardown};
pub use nft::ruleset_hash;
pub use observe::remove_stale_probes;
pub use reconcile::{Agent, apply};
pub use sys::{PREFIX, command_in};
