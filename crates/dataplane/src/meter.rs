//! Metering: the kernel's byte counters of the links whose sent bytes are an account's outbound
//! data transfer, cut into windows aligned to the clock, one usage report per counter and closed
//! window. A report names its counter and window, so sending it twice records it once (the
//! billing API refuses a different count for a window it has).
//!
//! The open windows are kept in a small text file, so that an agent restarted within a window
//! goes on counting from the same baseline, and one restarted after it reports what it missed
//! under the window it was counting (later bytes land in the window that was open, not lost).

use std::collections::BTreeMap;

use xconnect_model::dataplane::Meter;

/// A window being counted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    start_ms: i64,
    /// The counter's reading when the window opened.
    baseline: u64,
    account_id: String,
    resource_id: String,
}

/// One closed window's bytes, to report as outbound data transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub counter_id: String,
    pub account_id: String,
    pub resource_id: String,
    pub window_start_ms: i64,
    pub window_seconds: i64,
    pub bytes_out: u64,
}

#[derive(Debug, Clone)]
pub struct Metering {
    window_ms: i64,
    open: BTreeMap<String, Window>,
}

impl Metering {
    /// Windows of `window_seconds` (1 to 86,400, as the billing API takes them).
    pub fn new(window_seconds: i64) -> Self {
        Metering { window_ms: window_seconds.clamp(1, 86_400) * 1000, open: BTreeMap::new() }
    }

    /// The open windows as saved by [`Metering::save`]; lines that do not read are skipped
    /// (their windows start again from the next reading).
    pub fn load(window_seconds: i64, text: &str) -> Self {
        let mut m = Self::new(window_seconds);
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if let [counter, start, baseline, account, resource] = f[..]
                && let (Ok(start_ms), Ok(baseline)) = (start.parse(), baseline.parse())
            {
                m.open.insert(
                    counter.to_owned(),
                    Window { start_ms, baseline, account_id: account.to_owned(), resource_id: resource.to_owned() },
                );
            }
        }
        m
    }

    /// One line per open window: counter, start, baseline, account, resource (tab-separated).
    pub fn save(&self) -> String {
        self.open
            .iter()
            .map(|(c, w)| format!("{c}\t{}\t{}\t{}\t{}\n", w.start_ms, w.baseline, w.account_id, w.resource_id))
            .collect()
    }

    /// Takes the counters' readings at `now_ms`: opens a window for a counter first seen,
    /// and closes (reports, then reopens) every window the clock has left behind. A reading
    /// below its baseline means the link was made again and counts from zero. Counters no
    /// longer read (their links gone) are dropped with their partial window.
    pub fn tick(&mut self, now_ms: i64, readings: &[(Meter, u64)]) -> Vec<Report> {
        let aligned = now_ms - now_ms.rem_euclid(self.window_ms);
        let mut reports = Vec::new();
        let mut seen = BTreeMap::new();
        for (meter, tx) in readings {
            let counter = meter.counter_id();
            seen.insert(counter.clone(), ());
            let fresh = Window {
                start_ms: aligned,
                baseline: *tx,
                account_id: meter.account_id.clone(),
                resource_id: meter.resource_id.clone(),
            };
            match self.open.get(&counter) {
                None => {
                    self.open.insert(counter, fresh);
                }
                Some(w) if w.start_ms < aligned => {
                    let bytes = if *tx >= w.baseline { tx - w.baseline } else { *tx };
                    if bytes > 0 {
                        reports.push(Report {
                            counter_id: counter.clone(),
                            account_id: w.account_id.clone(),
                            resource_id: w.resource_id.clone(),
                            window_start_ms: w.start_ms,
                            window_seconds: self.window_ms / 1000,
                            bytes_out: bytes,
                        });
                    }
                    self.open.insert(counter, fresh);
                }
                Some(_) => {}
            }
        }
        self.open.retain(|c, _| seen.contains_key(c));
        reports
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter() -> Meter {
        Meter {
            namespace: "xc-r-1".into(),
            interface: "xcp1".into(),
            account_id: "acc-1".into(),
            resource_id: "ri-1".into(),
        }
    }

    #[test]
    fn a_closed_window_reports_its_bytes_once() {
        let mut m = Metering::new(60);
        assert!(m.tick(61_000, &[(meter(), 1_000)]).is_empty(), "first sight opens a window");
        assert!(m.tick(100_000, &[(meter(), 5_000)]).is_empty(), "still open");
        let r = m.tick(121_000, &[(meter(), 9_000)]);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].window_start_ms, r[0].window_seconds, r[0].bytes_out), (60_000, 60, 8_000));
        assert_eq!(r[0].counter_id, "xc-r-1/xcp1");
        assert!(m.tick(130_000, &[(meter(), 9_500)]).is_empty(), "the next window is open");
    }

    #[test]
    fn a_counter_made_again_counts_from_zero_and_a_restart_keeps_the_baseline() {
        let mut m = Metering::new(10);
        m.tick(0, &[(meter(), 50_000)]);
        let saved = m.save();
        let mut again = Metering::load(10, &saved);
        let r = again.tick(10_000, &[(meter(), 700)]);
        assert_eq!(r[0].bytes_out, 700, "below the baseline: the link was made again");
        assert!(again.tick(25_000, &[]).is_empty());
        assert!(again.save().is_empty(), "a counter no longer read is dropped");
    }
}
