//! The small-sample widening of a percentile-bootstrap interval.
//!
//! A percentile bootstrap over n rounds is too narrow when n is small: the resamples only
//! recombine the rounds at hand, so the spread they show is that of a normal interval with the
//! rounds' own spread, where a Student t interval with n - 1 degrees of freedom is what covers
//! 95 %. Scaling the interval about its point by t(0.975, n - 1) / z(0.975) closes most of that
//! gap: 1.42 times at 5 rounds, 1.12 at 12, 1.07 at 19, 1.04 at 30.

/// The 97.5th percentile of the standard normal distribution.
const Z_975: f64 = 1.959_964;

/// The 97.5th percentile of Student's t distribution with 1 to 30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// t(0.975, rounds - 1) / z(0.975): how much wider a 95 % interval from `rounds` rounds must be
/// than the normal one (1 for fewer than 2 rounds, where there is no spread to widen).
pub fn t_widening(rounds: usize) -> f64 {
    let degrees = rounds.saturating_sub(1);
    let t = match degrees {
        0 => return 1.0,
        d if d <= T_975.len() => T_975[d - 1],
        // Beyond the table, the first two terms of the Cornish-Fisher expansion (within 0.001).
        d => {
            let (z, d) = (Z_975, d as f64);
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    };
    t / Z_975
}

/// `interval` scaled about `point` by `factor` (each side keeps its own distance, so a skewed
/// interval stays skewed).
pub fn widen(point: f64, interval: [f64; 2], factor: f64) -> [f64; 2] {
    [
        point - (point - interval[0]) * factor,
        point + (interval[1] - point) * factor,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widening_shrinks_with_the_rounds() {
        assert_eq!(t_widening(0), 1.0);
        assert_eq!(t_widening(1), 1.0);
        assert!((t_widening(5) - 1.416).abs() < 0.001);
        assert!((t_widening(12) - 1.123).abs() < 0.001);
        // The expansion beyond the table joins it smoothly and tends to 1.
        assert!((t_widening(32) - 2.040 / Z_975).abs() < 0.001);
        assert!((t_widening(121) - 1.980 / Z_975).abs() < 0.001);
        assert!(t_widening(10_000) > 1.0 && t_widening(10_000) < 1.001);
    }

    #[test]
    fn widening_keeps_each_side_its_own_distance() {
        assert_eq!(widen(10.0, [8.0, 11.0], 2.0), [6.0, 12.0]);
        assert_eq!(widen(10.0, [8.0, 11.0], 1.0), [8.0, 11.0]);
    }
}
