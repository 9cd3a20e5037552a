//! The operator's clock, which terms are measured on, so that a test can move a month ahead.

use xconnect_model::wire::*;
use xconnect_model::*;
use xconnect_store::Tx;

use crate::bandwidth_package::whole;
use crate::{Audited, Caller, Control, now};

impl Audited for Clock {
    fn audited_id(&self) -> Option<String> {
        None
    }
}

/// The service's time: the real clock plus the operator's offset, read in the transaction.
pub(crate) async fn clock(tx: &mut Tx) -> Result<Timestamp> {
    Ok(Timestamp::from_millis(now().millis() + tx.clock_offset().await?))
}

/// How far the operator may move the clock ahead, in all: fifty years.
const MAX_CLOCK_OFFSET_MS: i64 = 50 * 366 * 86_400 * 1000;

impl Control {
    pub async fn clock_get(&self, _caller: &Caller) -> Result<Clock> {
        self.read(
            (),
            tx!(|tx, ()| {
                let offset_ms = tx.clock_offset().await?;
                Ok(Clock { now: Timestamp::from_millis(now().millis() + offset_ms), offset_ms })
            }),
        )
        .await
    }

    /// Operator only: moves the clock ahead; it never goes back.
    pub async fn clock_advance(&self, caller: &Caller, req: ClockAdvanceRequest) -> Result<Clock> {
        let input = (|| -> Result<_> {
            if caller.account.kind != AccountKind::Operator {
                return Err(Error::Forbidden { message: "only the operator moves the clock".into() });
            }
            Ok(whole("seconds", req.seconds, 1, 10 * 366 * 86_400)? as i64)
        })();
        self.mutate(
            caller,
            "clock_advance",
            input,
            tx!(|tx, _, seconds| {
                let offset_ms = tx.clock_offset().await? + seconds * 1000;
                if offset_ms > MAX_CLOCK_OFFSET_MS {
                    return Err(Error::conflict(
                        "Clock.TooFar",
                        "seconds: the clock moves at most fifty years ahead in all",
                    ));
                }
                tx.clock_set(offset_ms).await?;
                Ok(Clock { now: Timestamp::from_millis(now().millis() + offset_ms), offset_ms })
            }),
        )
        .await
    }
}
