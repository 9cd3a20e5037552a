//! Counters, gauges and histograms kept with atomics, and their Prometheus text exposition
//! (format 0.0.4). Each layer keeps its own figures in these (the store its commits, the API its
//! requests, the agent its passes) and the process that serves `/metrics` writes them out;
//! nothing here is global, so two servers in one test process count apart.
//!
//! A histogram's buckets are fixed when it is made, as Prometheus wants them (cumulative `le`
//! bounds plus `+Inf`); observing is a few relaxed atomic adds, cheap enough for every request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// A count that only goes up.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down (requests in flight).
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn add(&self, n: i64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn set(&self, n: i64) {
        self.0.store(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Bounds for latencies in seconds: 100 µs to 10 s, about three to a decade.
pub const SECONDS: &[f64] =
    &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// A distribution of observed values over fixed bucket bounds.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One count per bound (values at most that bound and above the one before), then the
    /// count above the last bound. Made cumulative when written.
    counts: Box<[AtomicU64]>,
    /// The sum of the observations, as f64 bits, added with a compare-and-swap loop.
    sum: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        debug_assert!(bounds.windows(2).all(|w| w[0] < w[1]), "bounds rise");
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    pub fn observe(&self, value: f64) {
        let i = self.bounds.partition_point(|b| *b < value);
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        let mut old = self.sum.load(Ordering::Relaxed);
        loop {
            let new = (f64::from_bits(old) + value).to_bits();
            match self.sum.compare_exchange_weak(old, new, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) => old = now,
            }
        }
    }

    /// How many values were observed.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    pub fn sum(&self) -> f64 {
        f64::from_bits(self.sum.load(Ordering::Relaxed))
    }
}

/// Labels as written: `name="value"` pairs, in order.
pub type Labels = Vec<(&'static str, String)>;

/// A metric per distinct label set, made on first use. Reads take a shared lock, so requests
/// on many threads count at once; only a label set seen for the first time takes it exclusively.
#[derive(Debug)]
pub struct Family<K, M> {
    make: fn() -> M,
    members: RwLock<BTreeMap<K, Arc<M>>>,
}

impl<K: Ord + Clone, M> Family<K, M> {
    pub fn new(make: fn() -> M) -> Family<K, M> {
        Family { make, members: RwLock::new(BTreeMap::new()) }
    }

    /// The member for `key`, made if it is new.
    pub fn get(&self, key: &K) -> Arc<M> {
        if let Some(m) = self.members.read().expect("metric family lock").get(key) {
            return m.clone();
        }
        let mut members = self.members.write().expect("metric family lock");
        members.entry(key.clone()).or_insert_with(|| Arc::new((self.make)())).clone()
    }

    /// Every member, in key order (so the exposition is stable).
    pub fn members(&self) -> Vec<(K, Arc<M>)> {
        self.members.read().expect("metric family lock").iter().map(|(k, m)| (k.clone(), m.clone())).collect()
    }
}

/// Writes metrics in the Prometheus text format: for each metric, its `# HELP` and `# TYPE`
/// lines once, then its samples.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    pub fn new() -> Exposition {
        Exposition::default()
    }

    fn head(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, String)], value: impl std::fmt::Display) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", escape_value(v));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
    }

    /// A counter without labels.
    pub fn counter(&mut self, name: &str, help: &str, value: u64) {
        self.counters(name, help, [(Labels::new(), value)]);
    }

    /// A counter with one sample per label set.
    pub fn counters(&mut self, name: &str, help: &str, samples: impl IntoIterator<Item = (Labels, u64)>) {
        self.head(name, "counter", help);
        for (labels, value) in samples {
            self.sample(name, &labels, value);
        }
    }

    /// A gauge without labels.
    pub fn gauge(&mut self, name: &str, help: &str, value: i64) {
        self.head(name, "gauge", help);
        self.sample(name, &[], value);
    }

    /// A histogram with one series per label set.
    pub fn histograms<'h>(
        &mut self,
        name: &str,
        help: &str,
        series: impl IntoIterator<Item = (Labels, &'h Histogram)>,
    ) {
        self.head(name, "histogram", help);
        let bucket = format!("{name}_bucket");
        for (labels, h) in series {
            let mut cumulative = 0;
            for (i, count) in h.counts.iter().enumerate() {
                cumulative += count.load(Ordering::Relaxed);
                let le = h.bounds.get(i).map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
                let mut with_le = labels.clone();
                with_le.push(("le", le));
                self.sample(&bucket, &with_le, cumulative);
            }
            self.sample(&format!("{name}_sum"), &labels, h.sum());
            self.sample(&format!("{name}_count"), &labels, cumulative);
        }
    }

    /// A histogram without labels.
    pub fn histogram(&mut self, name: &str, help: &str, h: &Histogram) {
        self.histograms(name, help, [(Labels::new(), h)]);
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_value(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_written_cumulative_with_its_sum_and_count() {
        let h = Histogram::new(&[1.0, 2.0]);
        for v in [0.5, 1.0, 1.5, 3.0] {
            h.observe(v);
        }
        let mut e = Exposition::new();
        e.histograms("x_seconds", "how long", [(vec![("route", "/v1/vpcs".to_owned())], &h)]);
        let text = e.finish();
        assert_eq!(
            text,
            "# HELP x_seconds how long\n# TYPE x_seconds histogram\n\
             x_seconds_bucket{route=\"/v1/vpcs\",le=\"1\"} 2\n\
             x_seconds_bucket{route=\"/v1/vpcs\",le=\"2\"} 3\n\
             x_seconds_bucket{route=\"/v1/vpcs\",le=\"+Inf\"} 4\n\
             x_seconds_sum{route=\"/v1/vpcs\"} 6\n\
             x_seconds_count{route=\"/v1/vpcs\"} 4\n"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let mut e = Exposition::new();
        e.counters("c_total", "a\nb", [(vec![("path", "a\"b\\c".to_owned())], 1)]);
        assert_eq!(e.finish(), "# HELP c_total a\\nb\n# TYPE c_total counter\nc_total{path=\"a\\\"b\\\\c\"} 1\n");
    }

    #[test]
    fn a_family_makes_each_member_once() {
        let f: Family<u16, Counter> = Family::new(Counter::default);
        f.get(&200).inc();
        f.get(&200).inc();
        f.get(&404).inc();
        let got: Vec<_> = f.members().into_iter().map(|(k, c)| (k, c.get())).collect();
        assert_eq!(got, vec![(200, 2), (404, 1)]);
    }
}
