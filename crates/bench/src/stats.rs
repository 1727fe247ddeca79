//! Small statistics helpers: rates and latency percentiles, printed as `name: value` lines.

use std::time::Duration;

/// Events per second for `count` events in `elapsed`.
pub fn rate(count: usize, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let count = count as f64;
    count / elapsed.as_secs_f64().max(f64::EPSILON)
}

/// The `p`-th percentile (0..=100) of `samples`, nearest-rank; zero when empty.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = ((p / 100.0) * samples.len() as f64).ceil().max(1.0) as usize;
    samples[rank.min(samples.len()) - 1]
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Prints one figure.
pub fn report(name: &str, value: impl std::fmt::Display) {
    println!("{name}: {value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&mut samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&mut samples, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&mut [], 50.0), Duration::ZERO);
        assert!((rate(500, Duration::from_millis(250)) - 2000.0).abs() < 1e-9);
    }
}
