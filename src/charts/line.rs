//! The requests-over-time line chart: one line per selected client.

use plotters::coord::Shift;
use plotters::prelude::*;
use usage_core::format::{bucket_label, compact};
use usage_core::query::Granularity;

use super::palette::{AXIS_COLOR, GRID_COLOR};
use super::{Scale, Series};

/// Prepared data for the line chart.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub granularity: Granularity,
    /// Start of each bucket, Unix seconds UTC.
    pub starts: Vec<i64>,
    pub series: Vec<Series>,
}

/// Space around the plot, in CSS pixels: the hit test and the drawing share them.
const LEFT: f64 = 6.0 + 52.0;
const RIGHT: f64 = 28.0;

/// Which bucket is nearest to `x` CSS pixels on a chart `width` CSS pixels wide with `buckets`
/// buckets: for tooltips.
pub fn bucket_at(width: f64, buckets: usize, x: f64) -> Option<usize> {
    let plot = width - LEFT - RIGHT;
    if buckets == 0 || plot <= 0.0 || x < LEFT - 8.0 || x > width - RIGHT + 8.0 {
        return None;
    }
    let steps = buckets.saturating_sub(1).max(1) as f64;
    Some((((x - LEFT) / plot * steps).round().max(0.0) as usize).min(buckets - 1))
}

/// Draws `chart` filling `root`.
pub fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    scale: Scale,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let buckets = chart.starts.len();
    let peak = chart.series.iter().flat_map(|s| s.values.iter().copied()).max().unwrap_or(0);
    let y_max = (peak as f64 * 1.12).max(10.0);
    let x_max = buckets.saturating_sub(1).max(1) as i32;
    let label_style = scale.text(12.0, AXIS_COLOR);

    let mut ctx = ChartBuilder::on(root)
        .margin_top(scale.px(12.0))
        .margin_right(scale.px(RIGHT))
        .margin_left(scale.px(6.0))
        .margin_bottom(scale.px(4.0))
        .x_label_area_size(scale.px(30.0))
        .y_label_area_size(scale.px(LEFT - 6.0))
        .build_cartesian_2d(0..x_max, 0f64..y_max)?;

    let starts = &chart.starts;
    let granularity = chart.granularity;
    let x_label = |i: &i32| starts.get(*i as usize).map(|&t| bucket_label(t, granularity)).unwrap_or_default();
    let y_label = |v: &f64| compact(*v);
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(buckets.clamp(2, 8))
        .y_labels(5)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(label_style)
        .axis_style(AXIS_COLOR.mix(0.6))
        .bold_line_style(GRID_COLOR)
        .light_line_style(TRANSPARENT)
        .x_label_offset(0)
        .set_all_tick_mark_size(scale.px(4.0))
        .draw()?;

    for series in &chart.series {
        let points = series.values.iter().enumerate().map(|(i, &v)| (i as i32, v as f64));
        ctx.draw_series(LineSeries::new(points.clone(), series.color.stroke_width(scale.px(2.0))))?;
        if buckets <= 31 {
            ctx.draw_series(points.map(|p| Circle::new(p, scale.px(2.5), series.color.filled())))?;
        }
    }
    root.present()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::client_color;
    use crate::charts::svg_test::{count_colour, texts};

    fn svg(chart: &LineChart) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (640, 280)).into_drawing_area();
            draw_line_chart(&root, chart, Scale(1.0)).expect("draws");
        }
        out
    }

    fn day_chart(series: usize) -> LineChart {
        let day0 = 1_763_769_600; // 2025-11-22T00:00:00Z
        LineChart {
            granularity: Granularity::Day,
            starts: (0..7).map(|d| day0 + d * 86_400).collect(),
            series: (0..series)
                .map(|s| Series { label: format!("c{s}"), color: client_color(s), values: (0..7).map(|d| 1_000 * (s as u64 + 1) + d * 10).collect() })
                .collect(),
        }
    }

    // Guards that each series becomes one line, in its own colour.
    #[test]
    fn one_line_per_series() {
        for n in [1, 3, 5] {
            let out = svg(&day_chart(n));
            for s in 0..n {
                let lines = out.split("<polyline").filter(|p| p.contains(&format!("stroke=\"{}\"", crate::charts::palette::hex(client_color(s)).to_uppercase()))).count();
                assert_eq!(lines, 1, "series {s} of {n}");
            }
            assert_eq!(count_colour(&out, "stroke", client_color(n)), 0, "no line for a series that does not exist");
        }
    }

    // Guards readable axis labels: UTC dates on x, thousands as "k" on y.
    #[test]
    fn axis_labels_are_dates_and_compact_numbers() {
        let labels = texts(&svg(&day_chart(3)));
        assert!(labels.contains(&"22 Nov".to_owned()), "{labels:?}");
        assert!(labels.contains(&"28 Nov".to_owned()), "last day labelled: {labels:?}");
        assert!(labels.iter().any(|l| l.ends_with('k')), "{labels:?}");
    }

    // Guards the tooltip's hit test: the ends of the plot are the first and last buckets.
    #[test]
    fn bucket_at_spans_the_plot() {
        assert_eq!(bucket_at(640.0, 7, LEFT), Some(0));
        assert_eq!(bucket_at(640.0, 7, 640.0 - RIGHT), Some(6));
        assert_eq!(bucket_at(640.0, 7, LEFT + (640.0 - LEFT - RIGHT) / 2.0), Some(3));
        assert_eq!(bucket_at(640.0, 7, 2.0), None);
        assert_eq!(bucket_at(640.0, 0, 300.0), None);
    }

    // Guards that a range without data still draws axes instead of failing.
    #[test]
    fn empty_series_still_draws_axes() {
        let out = svg(&LineChart { granularity: Granularity::Hour, starts: vec![0, 3_600], series: vec![] });
        let labels = texts(&out);
        assert!(labels.contains(&"01:00".to_owned()), "{labels:?}");
        assert_eq!(count_colour(&out, "stroke", client_color(0)), 0);
    }
}
