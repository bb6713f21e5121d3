//! Every SVG probecost draws, through one path: a report describes its chart as data
//! ([`Chart`]) and [`svg`] draws it with plotters' SVG backend. Self-contained SVG, no fonts
//! or scripts.

use plotters::{
    coord::{
        ranged1d::{AsRangedCoord, Ranged, ValueFormatter},
        types::RangedCoordf64,
    },
    prelude::*,
};

use crate::report::chart::{BarSeries, Chart, ChartKind, IntervalSeries, LineSeries, Palette};

/// The colour as plotters draws it.
fn rgb(palette: Palette) -> RGBColor {
    match palette {
        Palette::Blue => RGBColor(0x1f, 0x77, 0xb4),
        Palette::Orange => RGBColor(0xff, 0x7f, 0x0e),
        Palette::Green => RGBColor(0x2c, 0xa0, 0x2c),
        Palette::Red => RGBColor(0xd6, 0x27, 0x28),
        Palette::Purple => RGBColor(0x94, 0x67, 0xbd),
        Palette::Brown => RGBColor(0x8c, 0x56, 0x4b),
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing positive to draw.
    #[error("nothing to plot: {0}")]
    Empty(&'static str),
    /// plotters failed.
    #[error("drawing the plot: {0}")]
    Drawing(String),
}

/// An axis value as people write it: `100`, `2.5`, `0.01`, not `100.0`.
fn axis_number(value: &f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

fn drawing<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Drawing(format!("{e:?}"))
}

/// The range of the positive, finite `values`, widened to whole decades.
fn decades(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let positive: Vec<f64> = values.filter(|v| *v > 0.0 && v.is_finite()).collect();
    if positive.is_empty() {
        return None;
    }
    let lo = positive
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .log10()
        .floor();
    let hi = positive.iter().copied().fold(0.0, f64::max).log10().ceil();
    Some((10f64.powf(lo), 10f64.powf(hi.max(lo + 1.0))))
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<Vec<u8>, PlotError> {
    let width = match &chart.kind {
        ChartKind::Bars {
            categories, series, ..
        } => (categories.len() * (series.len() * 9 + 16) + 160).max(800) as u32,
        ChartKind::Intervals { categories, series } => {
            (categories.len() * (series.len() * 9 + 16) + 160).max(800) as u32
        }
        ChartKind::LogLog { .. } => 860,
    };
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (header, body) = root.split_vertically(54);
        header
            .draw(&Text::new(
                chart.title.as_str(),
                (12, 8),
                ("sans-serif", 17).into_font(),
            ))
            .map_err(drawing)?;
        header
            .draw(&Text::new(
                chart.subtitle.as_str(),
                (12, 32),
                ("sans-serif", 11)
                    .into_font()
                    .color(&RGBColor(0x44, 0x44, 0x44)),
            ))
            .map_err(drawing)?;
        match &chart.kind {
            ChartKind::Bars {
                categories,
                series,
                log_scale,
            } => draw_bars(&body, chart, categories, series, *log_scale)?,
            ChartKind::Intervals { categories, series } => {
                draw_intervals(&body, chart, categories, series)?
            }
            ChartKind::LogLog { series } => draw_lines(&body, chart, series)?,
        }
        root.present().map_err(drawing)?;
    }
    Ok(text.into_bytes())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// A chart of groups, one per category along x: the mesh, the series `draw` puts in it, the
/// legend, and the category names turned under their groups. `y_range` is linear or
/// logarithmic; `y_floor` is where the x axis sits.
fn draw_grouped<Y>(
    area: &Area<'_>,
    chart: &Chart,
    categories: &[String],
    y_range: Y,
    y_floor: f64,
    draw: &GroupDrawer<'_, Y::CoordDescType>,
) -> Result<(), PlotError>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_range = -0.5..categories.len() as f64 - 0.5;
    let mut ctx = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(110)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range, y_range)
        .map_err(drawing)?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&axis_number)
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .draw()
        .map_err(drawing)?;
    draw(&mut ctx)?;
    draw_legend(&mut ctx)?;
    let (base_x, base_y) = area.get_base_pixel();
    let style = ("sans-serif", 11)
        .into_font()
        .transform(FontTransform::Rotate90);
    for (i, name) in categories.iter().enumerate() {
        let (x, y) = ctx.backend_coord(&(i as f64, y_floor));
        area.draw(&Text::new(
            name.as_str(),
            (x - base_x - 5, y - base_y + 8),
            style.clone(),
        ))
        .map_err(drawing)?;
    }
    Ok(())
}

/// The chart context of [`draw_grouped`].
type GroupedChart<'a, Y> = ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordf64, Y>>;

/// What draws a grouped chart's series into it.
type GroupDrawer<'d, Y> = dyn Fn(&mut GroupedChart<'_, Y>) -> Result<(), PlotError> + 'd;

/// Where series `s` of `count` sits in the group of category `i`: its left and right x.
fn slot(i: usize, s: usize, count: usize) -> (f64, f64) {
    let width = 0.8 / count.max(1) as f64;
    let left = i as f64 - 0.4 + s as f64 * width;
    (left, left + width * 0.9)
}

/// The range of `values` with zero in it and a tenth of margin, or `None` when empty.
fn linear_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let finite: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    let hi = finite.iter().copied().fold(0.0, f64::max);
    let lo = finite.iter().copied().fold(0.0, f64::min);
    if finite.is_empty() || hi <= lo {
        return None;
    }
    let margin = (hi - lo) * 0.1;
    Some((if lo < 0.0 { lo - margin } else { 0.0 }, hi + margin))
}

fn draw_bars(
    area: &Area<'_>,
    chart: &Chart,
    categories: &[String],
    series: &[BarSeries],
    log_scale: bool,
) -> Result<(), PlotError> {
    let values = || {
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
    };
    // Bars grow from the axis: the lowest decade on a log scale, zero on a linear one.
    if log_scale {
        let (lo, hi) = decades(values()).ok_or(PlotError::Empty("no positive value"))?;
        draw_grouped(area, chart, categories, (lo..hi).log_scale(), lo, &|ctx| {
            draw_bar_series(ctx, series, true, lo)
        })
    } else {
        let (lo, hi) = linear_range(values()).ok_or(PlotError::Empty("no value"))?;
        draw_grouped(area, chart, categories, lo..hi, lo, &|ctx| {
            draw_bar_series(ctx, series, false, 0.0)
        })
    }
}

/// Every series' bars, from `floor` to each value.
fn draw_bar_series<Y: Ranged<ValueType = f64>>(
    ctx: &mut GroupedChart<'_, Y>,
    series: &[BarSeries],
    log_scale: bool,
    floor: f64,
) -> Result<(), PlotError> {
    for (s, bars) in series.iter().enumerate() {
        let color = rgb(bars.color);
        let style = if bars.hollow {
            color.stroke_width(2)
        } else {
            color.filled()
        };
        ctx.draw_series(bars.values.iter().enumerate().filter_map(|(i, v)| {
            let v = (*v).filter(|v| v.is_finite() && (!log_scale || *v > 0.0))?;
            let (l, r) = slot(i, s, series.len());
            Some(Rectangle::new([(l, floor), (r, v)], style))
        }))
        .map_err(drawing)?
        .label(bars.label.as_str())
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], style));
    }
    Ok(())
}

fn draw_intervals(
    area: &Area<'_>,
    chart: &Chart,
    categories: &[String],
    series: &[IntervalSeries],
) -> Result<(), PlotError> {
    let values = series.iter().flat_map(|s| {
        s.values
            .iter()
            .flatten()
            .flat_map(|v| [v.value, v.low, v.high])
    });
    let (lo, hi) = linear_range(values).ok_or(PlotError::Empty("no value"))?;
    let draw = |ctx: &mut GroupedChart<'_, _>| -> Result<(), PlotError> {
        // Zero: no change.
        let n = categories.len() as f64;
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (n - 0.5, 0.0)],
            BLACK.stroke_width(1),
        )))
        .map_err(drawing)?;
        for (s, points) in series.iter().enumerate() {
            let style = rgb(points.color).stroke_width(2);
            let at = |i: usize| {
                let (l, r) = slot(i, s, series.len());
                (l + r) / 2.0
            };
            let known = || {
                points
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((at(i), (*v)?)))
            };
            ctx.draw_series(
                known().map(|(x, v)| PathElement::new(vec![(x, v.low), (x, v.high)], style)),
            )
            .map_err(drawing)?;
            ctx.draw_series(known().map(|(x, v)| Circle::new((x, v.value), 4, style.filled())))
                .map_err(drawing)?
                .label(points.label.as_str())
                .legend(move |(x, y)| Circle::new((x + 6, y), 4, style.filled()));
        }
        Ok(())
    };
    draw_grouped(area, chart, categories, lo..hi, lo, &draw)
}

fn draw_lines(area: &Area<'_>, chart: &Chart, series: &[LineSeries]) -> Result<(), PlotError> {
    let points = || series.iter().flat_map(|s| s.points.iter().copied());
    let (x_lo, x_hi) = decades(points().map(|(x, _)| x)).ok_or(PlotError::Empty("no point"))?;
    let (y_lo, y_hi) =
        decades(points().map(|(_, y)| y)).ok_or(PlotError::Empty("no positive time"))?;
    let mut ctx = ChartBuilder::on(area)
        .margin(12)
        .margin_right(36)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(drawing)?;
    ctx.configure_mesh()
        .x_label_formatter(&axis_number)
        .y_label_formatter(&axis_number)
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .draw()
        .map_err(drawing)?;
    for line in series {
        let style = rgb(line.color).stroke_width(2);
        let points: Vec<(f64, f64)> = line
            .points
            .iter()
            .copied()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        let drawn = if line.dashed {
            ctx.draw_series(DashedLineSeries::new(points.clone(), 6, 4, style))
                .map_err(drawing)?
        } else {
            ctx.draw_series(plotters::series::LineSeries::new(points.clone(), style))
                .map_err(drawing)?
        };
        drawn
            .label(line.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        ctx.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, style.filled())),
        )
        .map_err(drawing)?;
    }
    draw_legend(&mut ctx)
}

/// The series' legend, in the upper left corner.
fn draw_legend<'a, CT: plotters::coord::CoordTranslate>(
    ctx: &mut ChartContext<'a, SVGBackend<'a>, CT>,
) -> Result<(), PlotError> {
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(drawing)
}

#[cfg(test)]
mod tests;
