//! The requests-over-time line chart: one line per selected client.

use plotters::coord::Shift;
use plotters::prelude::*;
use usage_core::format::{bucket_label, compact};
use usage_core::query::Granularity;

use super::palette::ink;
use super::{Scale, Series};

/// Prepared data for the line chart.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub granularity: Granularity,
    /// Start of each bucket on the zone's wall clock, as seconds since its 1970-01-01 00:00 (the
    /// instant itself for UTC): what the axis and the tooltip name.
    pub starts: Vec<i64>,
    pub series: Vec<Series>,
    /// The comparison period's series, drawn dashed in the same colours, bucket by bucket.
    pub previous: Vec<Series>,
    /// Spikes to mark: (series, bucket), each drawn as a ring around its point.
    pub marks: Vec<(usize, usize)>,
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

/// Where bucket `i` is drawn on a chart `width` × `height` CSS pixels with `buckets` buckets: for
/// moving through the chart with the keyboard. [`bucket_at`] finds it there again.
pub fn bucket_point(width: f64, height: f64, buckets: usize, i: usize) -> Option<(f64, f64)> {
    let plot = width - LEFT - RIGHT;
    (i < buckets && plot > 0.0).then(|| (LEFT + plot * i as f64 / buckets.saturating_sub(1).max(1) as f64, height / 2.0))
}

/// Draws `chart` filling `root`.
pub fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    scale: Scale,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&ink::background())?;
    let buckets = chart.starts.len();
    let peak = chart.series.iter().chain(&chart.previous).flat_map(|s| s.values.iter().copied()).max().unwrap_or(0);
    let y_max = (peak as f64 * 1.12).max(10.0);
    let x_max = buckets.saturating_sub(1).max(1) as i32;
    let label_style = scale.text(12.0, ink::axis());

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
        .axis_style(ink::axis().mix(0.6))
        .bold_line_style(ink::grid())
        .light_line_style(TRANSPARENT)
        .x_label_offset(0)
        .set_all_tick_mark_size(scale.px(4.0))
        .draw()?;

    for series in &chart.previous {
        let points = series.values.iter().take(buckets).enumerate().map(|(i, &v)| (i as i32, v as f64));
        ctx.draw_series(DashedLineSeries::new(points, scale.px(6.0), scale.px(4.0), series.color.mix(0.7).stroke_width(scale.px(1.5))))?;
    }
    for series in &chart.series {
        let points = series.values.iter().enumerate().map(|(i, &v)| (i as i32, v as f64));
        ctx.draw_series(LineSeries::new(points.clone(), series.color.stroke_width(scale.px(2.0))))?;
        if buckets <= 31 {
            ctx.draw_series(points.map(|p| Circle::new(p, scale.px(2.5), series.color.filled())))?;
        }
    }
    let marked = chart.marks.iter().filter_map(|&(s, b)| Some((chart.series.get(s)?, b))).filter_map(|(s, b)| Some(((b as i32), *s.values.get(b)? as f64, s.color)));
    for (x, y, color) in marked {
        ctx.draw_series(std::iter::once(Circle::new((x, y), scale.px(7.0), color.stroke_width(scale.px(2.0)))))?;
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
            previous: Vec::new(),
            marks: Vec::new(),
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

    // Guards the comparison: each previous series is one dashed line in its series' colour, and
    // the scale grows to fit it.
    #[test]
    fn previous_period_is_dashed() {
        let mut chart = day_chart(2);
        let plain = svg(&chart);
        chart.previous = chart.series.iter().map(|s| Series { values: s.values.iter().map(|v| v * 3).collect(), ..s.clone() }).collect();
        let compared = svg(&chart);
        let polylines = |out: &str| out.matches("<polyline").count();
        assert!(polylines(&compared) > polylines(&plain) + 2, "dashes are drawn as many short lines");
        let top = |out: &str| texts(out).iter().filter_map(|t| t.strip_suffix('k').and_then(|n| n.parse::<f64>().ok())).fold(0.0, f64::max);
        assert!(top(&compared) >= 6.0, "the axis reaches the previous period's 6k: {}", top(&compared));
        assert!(top(&plain) < 6.0);
    }

    // Guards the spike marks: one ring per mark, in its series' colour, none for a series that
    // does not exist.
    #[test]
    fn spikes_are_ringed() {
        let mut chart = day_chart(2);
        let plain = svg(&chart);
        chart.marks = vec![(1, 3), (0, 5), (7, 1)];
        let marked = svg(&chart);
        let circles = |out: &str| out.matches("<circle").count();
        assert_eq!(circles(&marked), circles(&plain) + 2, "two rings; series 7 does not exist");
        assert!(count_colour(&marked, "stroke", client_color(1)) > count_colour(&plain, "stroke", client_color(1)));
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

    // Guards the keyboard's points: each bucket's point is found again by the hit test.
    #[test]
    fn bucket_points_round_trip() {
        for buckets in [1, 2, 7, 24, 1_500] {
            for width in [320.0, 640.0, 1_280.0] {
                for i in 0..buckets {
                    let (x, _) = bucket_point(width, 280.0, buckets, i).expect("a point");
                    assert_eq!(bucket_at(width, buckets, x), Some(i), "{buckets} buckets, {width} px");
                }
                assert_eq!(bucket_point(width, 280.0, buckets, buckets), None);
            }
        }
    }

    // Guards that a range without data still draws axes instead of failing.
    #[test]
    fn empty_series_still_draws_axes() {
        let out = svg(&LineChart { granularity: Granularity::Hour, starts: vec![0, 3_600], series: vec![], previous: vec![], marks: vec![] });
        let labels = texts(&out);
        assert!(labels.contains(&"01:00".to_owned()), "{labels:?}");
        assert_eq!(count_colour(&out, "stroke", client_color(0)), 0);
    }
}
