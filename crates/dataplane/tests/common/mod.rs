//! What the data plane's test files share: the namespaces a test made, deleted when it ends.

use xconnect_dataplane as dp;
use xconnect_model::dataplane::DesiredState;

/// The namespaces a test has made, deleted when it ends, whether it passes or panics (unless
/// `XC_KEEP` is set, to look at them after a failure).
#[derive(Default)]
pub struct Made(Vec<String>);

impl Made {
    /// Counts in the namespaces `desired` makes, and returns every name made so far: what an
    /// agent that carries the kernel from one desired state to the next may remove.
    pub fn add(&mut self, desired: &DesiredState) -> &[String] {
        self.0.extend(desired.namespaces.iter().map(|n| n.name.clone()));
        self.0.sort();
        self.0.dedup();
        &self.0
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        if std::env::var_os("XC_KEEP").is_some() {
            return;
        }
        for n in &self.0 {
            let _ = dp::delete(n);
        }
    }
}
