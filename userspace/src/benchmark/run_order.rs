//! The order of control and traced runs. Pairs alternate which goes first (ABBA), so a slow
//! drift in the machine (thermal, page cache, a neighbour) biases neither side.

/// Which side a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// No probe attached.
    Control,
    /// The scenario's probes attached.
    Traced,
}

/// The sides of `pairs` run pairs, in execution order.
pub fn interleaved(pairs: usize) -> Vec<Side> {
    (0..pairs)
        .flat_map(|i| {
            if i.is_multiple_of(2) {
                [Side::Control, Side::Traced]
            } else {
                [Side::Traced, Side::Control]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Side::*;

    #[test]
    fn alternates_abba() {
        assert_eq!(
            interleaved(3),
            [Control, Traced, Traced, Control, Control, Traced]
        );
    }

    #[test]
    fn each_side_runs_once_per_pair() {
        let order = interleaved(7);
        assert_eq!(order.iter().filter(|s| **s == Control).count(), 7);
        assert_eq!(order.iter().filter(|s| **s == Traced).count(), 7);
    }
}
