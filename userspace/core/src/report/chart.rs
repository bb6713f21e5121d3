//! A report's chart as data: what every command's findings describe ([`Chart`]) and the
//! exporters draw (`export/chart_svg.rs`).

pub use crate::palette::Palette;

/// One series of bars: a value (or none) per category.
#[derive(Clone, Debug)]
pub struct BarSeries {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub color: Palette,
    /// Outlined instead of filled (reference figures from elsewhere).
    pub hollow: bool,
    /// One value per category.
    pub values: Vec<Option<f64>>,
}

/// One line of points.
#[derive(Clone, Debug)]
pub struct LineSeries {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub color: Palette,
    /// Dashed instead of solid.
    pub dashed: bool,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
}

/// A value with its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// The value (the dot).
    pub value: f64,
    /// The interval's low end.
    pub low: f64,
    /// The interval's high end.
    pub high: f64,
}

/// One series of dots with intervals: a value (or none) per category.
#[derive(Clone, Debug)]
pub struct IntervalSeries {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub color: Palette,
    /// One value per category.
    pub values: Vec<Option<Interval>>,
}

/// What a chart shows.
#[derive(Clone, Debug)]
pub enum ChartKind {
    /// Grouped bars, one group per category.
    Bars {
        /// Category names, left to right.
        categories: Vec<String>,
        /// The series, drawn side by side in each group.
        series: Vec<BarSeries>,
        /// Logarithmic value axis (values spanning decades).
        log_scale: bool,
    },
    /// Dots with their intervals, grouped per category, on a linear axis through zero.
    Intervals {
        /// Category names, left to right.
        categories: Vec<String>,
        /// The series, side by side in each group.
        series: Vec<IntervalSeries>,
    },
    /// Lines on logarithmic axes.
    LogLog {
        /// The lines.
        series: Vec<LineSeries>,
    },
}

/// A chart described as data.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// A line under the title (the environment).
    pub subtitle: String,
    /// x axis description.
    pub x_label: String,
    /// y axis description.
    pub y_label: String,
    /// The series.
    pub kind: ChartKind,
}
