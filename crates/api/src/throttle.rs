//! Per-account request throttling: a token bucket per account, refilled at the configured rate
//! and holding at most the burst. A request takes a token or is refused with
//! `429 Throttling.User` and a `Retry-After` of the whole seconds until its next token. It is
//! applied once a request's signature names its account, on every signed front alike; an
//! unsigned or badly signed request names no account and is not counted against any.
//!
//! The buckets live in the process: replicas each throttle what they answer, so an account's
//! rate over N replicas behind a balancer is up to N times the rate of one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use xconnect_model::{AccountId, Error};

/// An account's allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests a second, sustained.
    pub per_second: u32,
    /// Requests at once after a quiet spell (the bucket's size), at least 1.
    pub burst: u32,
}

/// The buckets of every account seen.
pub struct Throttle {
    rate: Rate,
    buckets: Mutex<HashMap<AccountId, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// From this many buckets on, full ones (accounts quiet for a while) are dropped when a new
/// account arrives; a full bucket is the same as none.
const PRUNE_FROM: usize = 4096;

impl Throttle {
    pub fn new(rate: Rate) -> Throttle {
        assert!(rate.per_second > 0 && rate.burst > 0, "a rate of zero refuses everything; use no throttle instead");
        Throttle { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes a token of `account`'s bucket, or says how long until there is one.
    pub fn admit(&self, account: &AccountId, now: Instant) -> Result<(), Error> {
        let rate = f64::from(self.rate.per_second);
        let burst = f64::from(self.rate.burst);
        let mut buckets = self.buckets.lock().expect("throttle lock");
        if buckets.len() >= PRUNE_FROM && !buckets.contains_key(account) {
            buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = buckets.entry(account.clone()).or_insert(Bucket { tokens: burst, at: now });
        b.tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let retry_after = ((1.0 - b.tokens) / rate).ceil().max(1.0) as u64;
        Err(Error::Throttled { rate: self.rate.per_second, burst: self.rate.burst, retry_after })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_is_admitted_then_the_rate_refills_it() {
        let t = Throttle::new(Rate { per_second: 2, burst: 3 });
        let a = AccountId::from_trusted("acc-a".into());
        let b = AccountId::from_trusted("acc-b".into());
        let start = Instant::now();
        for _ in 0..3 {
            t.admit(&a, start).unwrap();
        }
        let Err(Error::Throttled { retry_after, .. }) = t.admit(&a, start) else { panic!("the fourth is refused") };
        assert_eq!(retry_after, 1);
        t.admit(&b, start).expect("another account has its own bucket");
        t.admit(&a, start + Duration::from_millis(500)).expect("half a second at 2/s refills one");
        assert!(t.admit(&a, start + Duration::from_millis(500)).is_err());
        for _ in 0..3 {
            t.admit(&a, start + Duration::from_secs(60)).expect("refilled to the burst, no more");
        }
        assert!(t.admit(&a, start + Duration::from_secs(60)).is_err());
    }

    #[test]
    fn retry_after_is_the_whole_seconds_until_the_next_token() {
        let t = Throttle::new(Rate { per_second: 1, burst: 1 });
        let a = AccountId::from_trusted("acc-a".into());
        let start = Instant::now();
        t.admit(&a, start).unwrap();
        let Err(Error::Throttled { retry_after, .. }) = t.admit(&a, start + Duration::from_millis(100)) else {
            panic!("refused")
        };
        assert_eq!(retry_after, 1, "0.9 s rounds up to 1");
    }
}
