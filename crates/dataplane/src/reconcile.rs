//! The agent's loop on top of the layers below: each pass observes the kernel (`observe.rs`),
//! computes the pure diff against the desired state (`diff.rs`) and applies it (`apply.rs`),
//! adding what is missing and taking away what is stale. The first pass and the hundredth take
//! the same path, so a pass killed anywhere is finished by the next one.
//!
//! The agent marks the tables it writes with a hash of their document (`nft.rs`): that is how
//! it knows, after a restart, whether a table already holds what is wanted.

use std::io;

use xconnect_model::dataplane::*;

use crate::diff::{Diff, Observed, diff, untagged};
use crate::netlink::Sockets;
use crate::observe::{self, Tables, kernel_has_vlans};
use crate::sys::other;

/// The agent: its sockets and what it knows of the tables it wrote. One per host; a new one
/// (after a restart) reads everything from the kernel again.
#[derive(Default)]
pub struct Agent {
    sockets: Sockets,
    tables: Tables,
    /// Whether this kernel makes 802.1Q VLAN interfaces; asked once, when first needed.
    vlans: Option<bool>,
}

/// Brings the kernel to the desired state in one pass of a fresh agent (see [`Agent`]).
/// `made` are the namespaces made before for this state (its record): those it no longer holds
/// are deleted, and no other namespace is, so agents and tests sharing a host never remove
/// each other's.
pub async fn apply(d: &DesiredState, made: &[String]) -> io::Result<Diff> {
    Agent::new().reconcile(d, made).await
}

impl Agent {
    pub fn new() -> Self {
        Self::default()
    }

    /// The byte counters of the metered links that exist, read from the kernel now.
    pub async fn counters(&mut self, meters: &[Meter]) -> io::Result<Vec<(Meter, u64)>> {
        observe::counters(&mut self.sockets, meters).await
    }

    /// Whether VBR links carry their VLAN tagged (false: the kernel has no 802.1Q, and the
    /// link carries the data centre's traffic untagged). None until a VLAN was wanted.
    pub fn vlans_tagged(&self) -> Option<bool> {
        self.vlans
    }

    /// The desired state as this kernel can hold it: VLAN interfaces folded into their links
    /// when it has no 802.1Q (asked once, the first time a VLAN is wanted).
    async fn realisable(&mut self, desired: &DesiredState) -> io::Result<Option<DesiredState>> {
        if desired.vlans.is_empty() {
            return Ok(None);
        }
        if self.vlans.is_none() {
            self.vlans = Some(kernel_has_vlans().await?);
        }
        Ok((self.vlans == Some(false)).then(|| untagged(desired)))
    }

    /// What the kernel holds of `desired`; `made` are namespaces this agent made earlier
    /// (those no longer desired are stale; no other namespace is ever touched).
    pub async fn observe(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<Observed> {
        let folded = self.realisable(desired).await?;
        let desired = folded.as_ref().unwrap_or(desired);
        observe::observe(&mut self.sockets, &mut self.tables, desired, made).await
    }

    /// What differs between `desired` and the kernel, and what was read to find it.
    pub async fn diff(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<(Diff, Observed)> {
        let folded = self.realisable(desired).await?;
        let desired = folded.as_ref().unwrap_or(desired);
        let o = observe::observe(&mut self.sockets, &mut self.tables, desired, made).await?;
        Ok((diff(desired, &o), o))
    }

    /// One pass, as the agent's loop makes them: reads the kernel and applies what differs;
    /// the next pass sees whether it all took. Returns what was found different.
    pub async fn pass(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<Diff> {
        let (d, _) = self.diff(desired, made).await?;
        if !d.is_empty() {
            self.apply_diff(&d).await?;
        }
        Ok(d)
    }

    /// Passes until nothing differs (at most three, then it is an error): for a run that must
    /// leave the kernel as wanted before it returns. Returns what the first pass found.
    ///
    /// A pass that fails is followed by another, as in the agent's loop: the kernel changes
    /// under a pass too (a namespace deleted takes its veths' other ends from their namespaces
    /// a moment later, not at once), and the next pass starts from what is there.
    pub async fn reconcile(&mut self, desired: &DesiredState, made: &[String]) -> io::Result<Diff> {
        let mut first = None;
        let mut failed = None;
        for _ in 0..3 {
            let (d, _) = self.diff(desired, made).await?;
            if d.is_empty() {
                return Ok(first.unwrap_or(d));
            }
            if let Err(e) = self.apply_diff(&d).await {
                failed = Some(e);
            }
            first.get_or_insert(d);
        }
        let (d, _) = self.diff(desired, made).await?;
        match failed {
            _ if d.is_empty() => Ok(first.unwrap_or(d)),
            Some(e) => Err(other(format!("the kernel did not reach the desired state: {e}; still different: {d:?}"))),
            None => Err(other(format!("the kernel did not reach the desired state; still different: {d:?}"))),
        }
    }

    async fn apply_diff(&mut self, d: &Diff) -> io::Result<()> {
        crate::apply::apply(&mut self.sockets, &mut self.tables, d).await
    }
}
