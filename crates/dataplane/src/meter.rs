//! Metering: the kernel's byte counters of the links whose sent bytes are an account's outbound
//! data transfer, cut into windows aligned to the clock, one usage report per counter and closed
//! window. A report names its counter and window, so sending it twice records it once (the
//! billing API refuses a different count for a window it has).
//!
//! The open windows and the reports not yet accepted are kept in a small text file, so that an
//! agent restarted within a window goes on counting from the same baseline, one restarted after
//! it reports what it missed under the window it was counting (later bytes land in the window
//! that was open, not lost), and a report closed while billing could not be reached is sent
//! after a restart too.

use std::collections::BTreeMap;

use xconnect_model::dataplane::Meter;

/// A window being counted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    start_ms: i64,
    /// The counter's reading when the window opened.
    baseline: u64,
    /// The counter's latest reading: what the window holds if its link goes before it closes.
    last: u64,
    /// Bytes counted in this window by an earlier link of the same name (made again since).
    carried: u64,
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
    /// Closed windows not yet accepted by billing, oldest first.
    unsent: Vec<Report>,
}

impl Metering {
    /// Windows of `window_seconds` (1 to 86,400, as the billing API takes them).
    pub fn new(window_seconds: i64) -> Self {
        Metering { window_ms: window_seconds.clamp(1, 86_400) * 1000, open: BTreeMap::new(), unsent: Vec::new() }
    }

    /// The open windows and unsent reports as saved by [`Metering::save`]; lines that do not
    /// read are skipped (their windows start again from the next reading).
    pub fn load(window_seconds: i64, text: &str) -> Self {
        let mut m = Self::new(window_seconds);
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f[..] {
                ["window", counter, start, baseline, last, carried, account, resource] => {
                    if let (Ok(start_ms), Ok(baseline), Ok(last), Ok(carried)) =
                        (start.parse(), baseline.parse(), last.parse(), carried.parse())
                    {
                        let (account_id, resource_id) = (account.to_owned(), resource.to_owned());
                        let w = Window { start_ms, baseline, last, carried, account_id, resource_id };
                        m.open.insert(counter.to_owned(), w);
                    }
                }
                // As an agent before this one saved an open window: no last reading kept.
                [counter, start, baseline, account, resource] => {
                    if let (Ok(start_ms), Ok(baseline)) = (start.parse(), baseline.parse()) {
                        let (account_id, resource_id) = (account.to_owned(), resource.to_owned());
                        let w = Window { start_ms, baseline, last: baseline, carried: 0, account_id, resource_id };
                        m.open.insert(counter.to_owned(), w);
                    }
                }
                ["report", counter, start, seconds, bytes, account, resource] => {
                    if let (Ok(window_start_ms), Ok(window_seconds), Ok(bytes_out)) =
                        (start.parse(), seconds.parse(), bytes.parse())
                    {
                        m.unsent.push(Report {
                            counter_id: counter.to_owned(),
                            account_id: account.to_owned(),
                            resource_id: resource.to_owned(),
                            window_start_ms,
                            window_seconds,
                            bytes_out,
                        });
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// One line per open window (`window`, counter, start, baseline, last reading, carried,
    /// account, resource) and per unsent report (`report`, counter, window start, seconds, bytes,
    /// account, resource), tab-separated.
    pub fn save(&self) -> String {
        let windows = self.open.iter().map(|(c, w)| {
            let (start, baseline, last, carried) = (w.start_ms, w.baseline, w.last, w.carried);
            format!("window\t{c}\t{start}\t{baseline}\t{last}\t{carried}\t{}\t{}\n", w.account_id, w.resource_id)
        });
        let reports = self.unsent.iter().map(|r| {
            format!(
                "report\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.counter_id, r.window_start_ms, r.window_seconds, r.bytes_out, r.account_id, r.resource_id
            )
        });
        windows.chain(reports).collect()
    }

    /// Closed windows not yet accepted by billing, oldest first.
    pub fn unsent(&self) -> &[Report] {
        &self.unsent
    }

    /// Forgets the unsent reports `done` says are settled (accepted, recorded before, or
    /// refused for good).
    pub fn settle(&mut self, done: impl Fn(&Report) -> bool) {
        self.unsent.retain(|r| !done(r));
    }

    /// Takes the counters' readings at `now_ms`: opens a window for a counter first seen,
    /// and closes (to report, then reopens) every window the clock has left behind. A reading
    /// below the last one means the link was made again and counts from zero. A counter no
    /// longer read (its link gone) is reported, when its window closes, with what it had
    /// counted at its last reading.
    pub fn tick(&mut self, now_ms: i64, readings: &[(Meter, u64)]) {
        let aligned = now_ms - now_ms.rem_euclid(self.window_ms);
        let mut open = BTreeMap::new();
        for (meter, tx) in readings {
            let counter = meter.counter_id();
            let fresh = Window {
                start_ms: aligned,
                baseline: *tx,
                last: *tx,
                carried: 0,
                account_id: meter.account_id.clone(),
                resource_id: meter.resource_id.clone(),
            };
            let window = match self.open.remove(&counter) {
                None => fresh,
                Some(mut w) => {
                    if *tx < w.last {
                        // Made again since the last reading: what the old link sent after that
                        // reading went with it; the new one has counted from zero.
                        w.carried += w.last - w.baseline;
                        w.baseline = 0;
                    }
                    w.last = *tx;
                    if w.start_ms < aligned {
                        self.close(&counter, &w);
                        fresh
                    } else {
                        w
                    }
                }
            };
            open.insert(counter, window);
        }
        // A counter not read now (its link gone, or not made yet again) keeps its window until
        // the clock closes it, with what it had counted; if the link comes back within the
        // window, the window counts on (one report per counter and window, never two).
        for (counter, w) in std::mem::take(&mut self.open) {
            if w.start_ms < aligned {
                self.close(&counter, &w);
            } else {
                open.insert(counter, w);
            }
        }
        self.open = open;
    }

    /// Queues the report of a closed window, if it counted anything.
    fn close(&mut self, counter: &str, w: &Window) {
        let bytes_out = w.carried + w.last.saturating_sub(w.baseline);
        if bytes_out > 0 {
            self.unsent.push(Report {
                counter_id: counter.to_owned(),
                account_id: w.account_id.clone(),
                resource_id: w.resource_id.clone(),
                window_start_ms: w.start_ms,
                window_seconds: self.window_ms / 1000,
                bytes_out,
            });
        }
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
        m.tick(61_000, &[(meter(), 1_000)]);
        assert!(m.unsent().is_empty(), "first sight opens a window");
        m.tick(100_000, &[(meter(), 5_000)]);
        assert!(m.unsent().is_empty(), "still open");
        m.tick(121_000, &[(meter(), 9_000)]);
        let r = m.unsent().to_vec();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].window_start_ms, r[0].window_seconds, r[0].bytes_out), (60_000, 60, 8_000));
        assert_eq!(r[0].counter_id, "xc-r-1/xcp1");
        m.settle(|x| *x == r[0]);
        m.tick(130_000, &[(meter(), 9_500)]);
        assert!(m.unsent().is_empty(), "the next window is open");
    }

    #[test]
    fn a_counter_made_again_keeps_what_the_old_link_counted() {
        let mut m = Metering::new(10);
        m.tick(0, &[(meter(), 50_000)]);
        m.tick(4_000, &[(meter(), 50_300)]);
        m.tick(8_000, &[(meter(), 700)]);
        m.tick(10_000, &[(meter(), 900)]);
        assert_eq!(m.unsent()[0].bytes_out, 300 + 900, "the old link's 300, the new one's 900");
    }

    #[test]
    fn a_restart_keeps_the_baseline_and_the_unsent_reports() {
        let mut m = Metering::new(10);
        m.tick(0, &[(meter(), 50_000)]);
        m.tick(10_000, &[(meter(), 50_400)]);
        m.tick(12_000, &[(meter(), 50_500)]);
        let mut again = Metering::load(10, &m.save());
        assert_eq!(again.unsent(), m.unsent(), "the report billing has not taken yet survives");
        again.tick(20_000, &[(meter(), 50_600)]);
        assert_eq!(again.unsent()[1].bytes_out, 200, "counted on from the saved baseline");
    }

    #[test]
    fn windows_saved_by_the_agent_before_go_on_counting() {
        let mut m = Metering::load(10, "xc-r-1/xcp1\t0\t1000\tacc-1\tri-1\n");
        m.tick(10_000, &[(meter(), 1_600)]);
        assert_eq!(m.unsent()[0].bytes_out, 600);
    }

    #[test]
    fn a_link_gone_closes_its_window_with_what_it_counted() {
        let mut m = Metering::new(10);
        m.tick(0, &[(meter(), 1_000)]);
        m.tick(3_000, &[(meter(), 1_250)]);
        m.tick(5_000, &[]);
        assert!(m.unsent().is_empty(), "the window is still open");
        m.tick(11_000, &[]);
        assert_eq!(m.unsent().len(), 1);
        assert_eq!((m.unsent()[0].window_start_ms, m.unsent()[0].bytes_out), (0, 250));
        assert!(!m.save().contains("window"), "nothing is counted for it any more");
        m.tick(21_000, &[]);
        assert_eq!(m.unsent().len(), 1, "closed once");
    }

    #[test]
    fn a_link_made_again_within_its_window_is_reported_once() {
        let mut m = Metering::new(10);
        m.tick(0, &[(meter(), 1_000)]);
        m.tick(2_000, &[(meter(), 1_100)]);
        m.tick(4_000, &[]);
        m.tick(6_000, &[(meter(), 40)]);
        m.tick(10_000, &[(meter(), 90)]);
        assert_eq!(m.unsent().len(), 1);
        assert_eq!(m.unsent()[0].bytes_out, 100 + 90);
    }
}
