//! The order of control and traced runs within a round. Rounds alternate direction (control,
//! tracer 1, tracer 2, ... then the reverse: ABBA for one tracer), so over every two rounds each
//! side has the same mean position and a slow drift in the machine (thermal, page cache, a
//! neighbour) biases none of them.

/// Which side a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// No probe attached.
    Control,
    /// The probes of the tracer at this index attached.
    Traced(usize),
}

/// The sides of round `round` with `tracers` tracers, in execution order.
pub fn round(round: usize, tracers: usize) -> Vec<Side> {
    let mut sides: Vec<Side> = std::iter::once(Side::Control)
        .chain((0..tracers).map(Side::Traced))
        .collect();
    if !round.is_multiple_of(2) {
        sides.reverse();
    }
    sides
}

#[cfg(test)]
mod tests {
    use super::*;
    use Side::*;

    #[test]
    fn one_tracer_alternates_abba() {
        let order: Vec<Side> = (0..3).flat_map(|r| round(r, 1)).collect();
        assert_eq!(
            order,
            [Control, Traced(0), Traced(0), Control, Control, Traced(0)]
        );
    }

    #[test]
    fn every_side_has_the_same_mean_position_over_two_rounds() {
        for tracers in 1..4 {
            let sides = tracers + 1;
            let position = |side: Side, r: usize| round(r, tracers).iter().position(|s| *s == side);
            let all = std::iter::once(Control).chain((0..tracers).map(Traced));
            for side in all {
                let sum = position(side, 0).unwrap() + position(side, 1).unwrap();
                assert_eq!(sum, sides - 1, "{side:?} with {tracers} tracers");
            }
        }
    }
}
