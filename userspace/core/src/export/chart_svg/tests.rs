//! Every chart kind draws, with its labels, and nothing positive to draw is an error.

use super::*;
use crate::report::chart::Interval;

fn chart(kind: ChartKind) -> Chart {
    Chart {
        title: "A title".into(),
        subtitle: "kernel 6.18".into(),
        x_label: "probes".into(),
        y_label: "ms".into(),
        kind,
    }
}

#[test]
fn lines_draw_with_labels_and_legend() {
    let svg = String::from_utf8(
        svg(&chart(ChartKind::LogLog {
            series: vec![LineSeries {
                label: "aya attach".into(),
                color: Palette::Blue,
                dashed: true,
                points: vec![(1.0, 0.5), (10.0, 4.0), (100.0, 40.0)],
            }],
        }))
        .unwrap(),
    )
    .unwrap();
    for text in ["A title", "kernel 6.18", "probes", "aya attach"] {
        assert!(svg.contains(text), "{text}");
    }
    assert!(svg.starts_with("<svg"));
}

#[test]
fn intervals_draw_a_dot_and_a_line_each_around_zero() {
    let svg = String::from_utf8(
        svg(&chart(ChartKind::Intervals {
            categories: vec!["map aya".into(), "timing aya".into()],
            series: vec![IntervalSeries {
                label: "new.json".into(),
                color: Palette::Blue,
                values: vec![
                    Some(Interval {
                        value: 12.0,
                        low: 4.0,
                        high: 20.0,
                    }),
                    None,
                ],
            }],
        }))
        .unwrap(),
    )
    .unwrap();
    for text in ["map aya", "timing aya", "new.json"] {
        assert!(svg.contains(text), "{text}");
    }
    // One dot for the value and one in the legend.
    assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
}

#[test]
fn nothing_positive_is_an_error() {
    let empty = chart(ChartKind::Bars {
        categories: vec!["a".into()],
        series: vec![BarSeries {
            label: "x".into(),
            color: Palette::Green,
            hollow: false,
            values: vec![None],
        }],
        log_scale: true,
    });
    assert!(matches!(svg(&empty), Err(PlotError::Empty(_))));
}
