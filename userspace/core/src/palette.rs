//! The colours every chart draws with, so a tracer has the same colour in every chart.

/// A colour of the shared palette, so a tracer has the same colour in every chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    /// Blue: probecost's own programs.
    Blue,
    /// Orange: bpftrace.
    Orange,
    /// Green: DTrace.
    Green,
    /// Red.
    Red,
    /// Purple.
    Purple,
    /// Brown.
    Brown,
}

impl Palette {
    /// The colours in order, for series without a colour of their own.
    pub const CYCLE: [Palette; 6] = [
        Self::Blue,
        Self::Orange,
        Self::Green,
        Self::Red,
        Self::Purple,
        Self::Brown,
    ];
}
