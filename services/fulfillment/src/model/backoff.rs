//! The retry schedule of transient failures: exponential backoff with jitter, capped, and a
//! retry budget. The engine persists the result as `next_attempt_at`, so a restart resumes
//! the schedule instead of retrying at once.

use std::time::Duration;

/// Exponential backoff with proportional jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Delay after the first failed attempt.
    pub initial: Duration,
    /// Upper bound of any delay.
    pub max: Duration,
    /// Fraction of the delay drawn at random, in `[0, 1]`: the delay is
    /// `base * (1 - jitter * r)` for `r` uniform in `[0, 1)`, so replicas and tasks that
    /// failed together spread out instead of retrying in lockstep.
    pub jitter: f64,
    /// Attempts per budget (the first attempt included); then the task falls out.
    pub max_attempts: u32,
}

impl Backoff {
    /// The delay before attempt `failed_attempt + 1`, given attempt `failed_attempt`
    /// (counted within the budget from 1) just failed, and a random `r` in `[0, 1)`.
    pub fn delay(&self, failed_attempt: u32, r: f64) -> Duration {
        let exponent = failed_attempt.saturating_sub(1).min(30);
        let base = self.initial.saturating_mul(1_u32 << exponent).min(self.max);
        let jitter = self.jitter.clamp(0.0, 1.0) * r.clamp(0.0, 1.0);
        base.mul_f64(1.0 - jitter)
    }

    /// Whether another attempt is allowed after `attempts_in_budget` attempts.
    pub fn has_attempts_left(&self, attempts_in_budget: u32) -> bool {
        attempts_in_budget < self.max_attempts.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> Backoff {
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
            jitter: 0.5,
            max_attempts: 4,
        }
    }

    #[test]
    fn delays_double_up_to_the_cap() {
        let b = backoff();
        let delays: Vec<u128> = (1..=7).map(|n| b.delay(n, 0.0).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(b.delay(u32::MAX, 0.0), Duration::from_secs(2));
    }

    #[test]
    fn jitter_shortens_by_at_most_its_fraction() {
        let b = backoff();
        assert_eq!(b.delay(3, 0.999_999).as_millis(), 200);
        assert!(b.delay(3, 0.5) < b.delay(3, 0.0));
        let none = Backoff { jitter: 0.0, ..b };
        assert_eq!(none.delay(3, 0.9), Duration::from_millis(400));
    }

    #[test]
    fn the_budget_counts_every_attempt() {
        let b = backoff();
        assert!(b.has_attempts_left(3));
        assert!(!b.has_attempts_left(4));
        let one = Backoff {
            max_attempts: 0,
            ..b
        };
        assert!(!one.has_attempts_left(1), "zero is read as one attempt");
    }
}
