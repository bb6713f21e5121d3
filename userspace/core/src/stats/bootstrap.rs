//! Percentile bootstrap of the median, with a small seeded generator so a result file can be
//! reproduced from its samples.

use super::median;

/// SplitMix64: tiny, fast and good enough to draw resampling indices.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

/// 95% percentile-bootstrap confidence interval of the median of `samples`, from `resamples`
/// resamples drawn with replacement. A single sample gives a zero-width interval.
pub fn bootstrap_median_ci95(samples: &[f64], resamples: usize, rng: &mut SplitMix64) -> [f64; 2] {
    let mut resample = Vec::with_capacity(samples.len());
    bootstrap_rounds_ci95(samples.len(), resamples, rng, |picks| {
        resample.clear();
        resample.extend(picks.iter().map(|&i| samples[i]));
        median(&resample)
    })
}

/// 95% percentile-bootstrap confidence interval of `statistic` over `rounds` rounds: each
/// resample draws as many rounds with replacement and passes their indices, so a statistic of
/// paired sides keeps each round's sides together. No round gives NaN; one, a zero-width
/// interval.
pub fn bootstrap_rounds_ci95(
    rounds: usize,
    resamples: usize,
    rng: &mut SplitMix64,
    mut statistic: impl FnMut(&[usize]) -> f64,
) -> [f64; 2] {
    match rounds {
        0 => return [f64::NAN, f64::NAN],
        1 => {
            let only = statistic(&[0]);
            return [only, only];
        }
        _ => {}
    }
    let mut values = Vec::with_capacity(resamples);
    let mut picks = vec![0; rounds];
    for _ in 0..resamples {
        for slot in picks.iter_mut() {
            *slot = rng.below(rounds);
        }
        values.push(statistic(&picks));
    }
    percentile_ci95(values)
}

/// The 2.5th and 97.5th percentiles of a bootstrap's resampled statistics (at least one): its
/// 95% percentile interval.
pub fn percentile_ci95(mut resampled: Vec<f64>) -> [f64; 2] {
    resampled.sort_by(f64::total_cmp);
    let at = |q: f64| resampled[((q * (resampled.len() - 1) as f64).round()) as usize];
    [at(0.025), at(0.975)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_covers_a_known_mean() {
        // Normal-ish samples around 100 (sum of uniforms); the interval of the median must
        // cover the true centre and be reasonably narrow.
        let mut rng = SplitMix64::new(42);
        let samples: Vec<f64> = (0..200)
            .map(|_| {
                let s: f64 = (0..12)
                    .map(|_| rng.next_u64() as f64 / u64::MAX as f64)
                    .sum();
                100.0 + (s - 6.0) * 10.0
            })
            .collect();
        let ci = bootstrap_median_ci95(&samples, 2000, &mut SplitMix64::new(7));
        assert!(ci[0] < 100.0 && 100.0 < ci[1], "{ci:?}");
        assert!(ci[1] - ci[0] < 8.0, "{ci:?}");
    }

    #[test]
    fn interval_is_ordered_and_inside_the_data() {
        let samples = [5.0, 1.0, 9.0, 3.0, 7.0];
        let ci = bootstrap_median_ci95(&samples, 1000, &mut SplitMix64::new(1));
        assert!(ci[0] <= ci[1]);
        assert!(ci[0] >= 1.0 && ci[1] <= 9.0);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(3);
        assert!((0..10_000).all(|_| rng.below(7) < 7));
    }
}
