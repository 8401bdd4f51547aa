//! The requests-over-time line chart: one line per selected client.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use usage_core::format::bucket_label;
use usage_core::metric::Metric;
use usage_core::query::Granularity;

use super::palette::ink;
use super::{Plot, Scale, Series};

/// Prepared data for the line chart.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub granularity: Granularity,
    /// What the values are, for the axis: counts, basis points, microseconds or bytes.
    pub metric: Metric,
    /// Start of each bucket on the zone's wall clock, as seconds since its 1970-01-01 00:00 (the
    /// instant itself for UTC): what the axis and the tooltip name.
    pub starts: Vec<i64>,
    pub series: Vec<Series>,
    /// The comparison period's series, drawn dashed in the same colours, bucket by bucket.
    pub previous: Vec<Series>,
    /// Spikes to mark: (series, bucket), each drawn as a ring around its point.
    pub marks: Vec<(usize, usize)>,
}

/// Which bucket is nearest to `x` CSS pixels on a chart whose `plot` has `buckets` buckets: for
/// tooltips. Up to 8 pixels outside the plot still finds the end bucket.
pub fn bucket_at(plot: &Plot, buckets: usize, x: f64) -> Option<usize> {
    if buckets == 0 || plot.width() < 0.0 || x < plot.left - 8.0 || x > plot.right + 8.0 {
        return None;
    }
    let steps = buckets.saturating_sub(1).max(1) as f64;
    let at = if plot.width() > 0.0 {
        (x - plot.left) / plot.width() * steps
    } else {
        0.0
    };
    Some((at.round().max(0.0) as usize).min(buckets - 1))
}

/// Where bucket `i` is drawn on a chart whose `plot` has `buckets` buckets: for moving through
/// the chart with the keyboard. [`bucket_at`] finds it there again.
pub fn bucket_point(plot: &Plot, buckets: usize, i: usize) -> Option<(f64, f64)> {
    (i < buckets && plot.width() >= 0.0).then(|| {
        (
            plot.left + plot.width() * i as f64 / buckets.saturating_sub(1).max(1) as f64,
            plot.middle().1,
        )
    })
}

/// Space right of the plot, in CSS pixels, so the last date label is not clipped.
const RIGHT: f64 = 28.0;

/// Draws `chart` filling `root`, and says where its plot is.
pub fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    scale: Scale,
) -> Result<Plot, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&ink::background())?;
    let buckets = chart.starts.len();
    let peak = chart
        .series
        .iter()
        .chain(&chart.previous)
        .flat_map(|s| s.values.iter().copied().flatten())
        .max()
        .unwrap_or(0);
    let y_max = (peak as f64 * 1.12).max(10.0);
    let x_max = buckets.saturating_sub(1).max(1) as i32;
    let label_style = scale.text(12.0, ink::axis());
    // Wide enough for the widest value label (`1080.5 ms` is wider than `12k`), so none is clipped.
    let widest = root
        .estimate_text_size(&chart.metric.axis(y_max), &label_style)
        .map_or(0, |(w, _)| w);
    let y_area = scale.px(52.0).max(widest + scale.px(12.0));

    let mut ctx = ChartBuilder::on(root)
        .margin_top(scale.px(12.0))
        .margin_right(scale.px(RIGHT))
        .margin_left(scale.px(6.0))
        .margin_bottom(scale.px(4.0))
        .x_label_area_size(scale.px(30.0))
        .y_label_area_size(y_area)
        .build_cartesian_2d(0..x_max, 0f64..y_max)?;

    let starts = &chart.starts;
    let granularity = chart.granularity;
    // Hours and 10 minutes are labelled on whole hours, every 1, 2, 3, 6, 12 or 24 of them (at
    // most 8 labels): plotters' evenly spaced indices would fall on times like 14:50 and 23:10.
    let clock_step = granularity.fixed_seconds().filter(|&w| w <= 3_600).map(|w| {
        let hours = (buckets as i64 * w + 3_599) / 3_600;
        [1, 2, 3, 6, 12, 24, 48]
            .into_iter()
            .find(|&step| hours / step <= 8)
            .unwrap_or(96)
            * 3_600
    });
    let x_label = |i: &i32| {
        starts
            .get(*i as usize)
            .map(|&t| bucket_label(t, granularity))
            .unwrap_or_default()
    };
    let metric = &chart.metric;
    let y_label = |v: &f64| metric.axis(*v);
    let no_label = |_: &i32| String::new();
    let mut mesh = ctx.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(buckets.clamp(2, 8))
        .y_labels(5)
        .x_label_formatter(if clock_step.is_some() { &no_label } else { &x_label })
        .y_label_formatter(&y_label)
        .label_style(label_style.clone())
        .axis_style(ink::axis().mix(0.6))
        .bold_line_style(ink::grid())
        .light_line_style(TRANSPARENT)
        .x_label_offset(0)
        .set_all_tick_mark_size(scale.px(4.0));
    if clock_step.is_some() {
        // The clock labels and their ticks are drawn below instead.
        mesh.set_tick_mark_size(LabelAreaPosition::Bottom, 0);
    }
    mesh.draw()?;

    if let Some(step) = clock_step {
        let base = root.get_base_pixel();
        let style = label_style.pos(text_anchor::Pos::new(text_anchor::HPos::Center, text_anchor::VPos::Top));
        for (i, &t) in starts.iter().enumerate().filter(|(_, t)| t.rem_euclid(step) == 0) {
            let (x, y) = ctx.backend_coord(&(i as i32, 0.0));
            let (x, y) = (x - base.0, y - base.1);
            root.draw(&PathElement::new(
                vec![(x, y), (x, y + scale.px(4.0) as i32)],
                ink::axis().mix(0.6),
            ))?;
            root.draw(&Text::new(
                bucket_label(t, granularity),
                (x, y + scale.px(7.0) as i32),
                style.clone(),
            ))?;
        }
    }
    for series in &chart.previous {
        for run in runs(&series.values[..series.values.len().min(buckets)]) {
            ctx.draw_series(DashedLineSeries::new(
                run,
                scale.px(6.0),
                scale.px(4.0),
                series.color.mix(0.7).stroke_width(scale.px(1.5)),
            ))?;
        }
    }
    for series in &chart.series {
        for run in runs(&series.values) {
            // A lone point between gaps is a dot, not a line of no length.
            if run.len() == 1 || buckets <= 31 {
                ctx.draw_series(
                    run.iter()
                        .map(|&p| Circle::new(p, scale.px(2.5), series.color.filled())),
                )?;
            }
            if run.len() > 1 {
                ctx.draw_series(LineSeries::new(run, series.color.stroke_width(scale.px(2.0))))?;
            }
        }
    }
    // The first and last buckets at the bottom and top of the value axis: the plot the hit test uses.
    let plot = Plot::of(scale, ctx.backend_coord(&(0, 0.0)), ctx.backend_coord(&(x_max, y_max)));
    let marked = chart
        .marks
        .iter()
        .filter_map(|&(s, b)| Some((chart.series.get(s)?, b)))
        .filter_map(|(s, b)| Some(((b as i32), (*s.values.get(b)?)? as f64, s.color)));
    for (x, y, color) in marked {
        ctx.draw_series(std::iter::once(Circle::new(
            (x, y),
            scale.px(7.0),
            color.stroke_width(scale.px(2.0)),
        )))?;
    }
    root.present()?;
    Ok(plot)
}

/// The stretches of a series without gaps, as points.
fn runs(values: &[Option<u64>]) -> Vec<Vec<(i32, f64)>> {
    let mut runs: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut open = false;
    for (i, value) in values.iter().enumerate() {
        match (value, open) {
            (Some(v), true) => runs
                .last_mut()
                .into_iter()
                .for_each(|run| run.push((i as i32, *v as f64))),
            (Some(v), false) => runs.push(vec![(i as i32, *v as f64)]),
            (None, _) => {}
        }
        open = value.is_some();
    }
    runs
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
            metric: Metric::Requests,
            starts: (0..7).map(|d| day0 + d * 86_400).collect(),
            series: (0..series)
                .map(|s| Series {
                    label: format!("c{s}"),
                    color: client_color(s),
                    values: (0..7).map(|d| Some(1_000 * (s as u64 + 1) + d * 10)).collect(),
                })
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
                let lines = out
                    .split("<polyline")
                    .filter(|p| {
                        p.contains(&format!(
                            "stroke=\"{}\"",
                            crate::charts::palette::hex(client_color(s)).to_uppercase()
                        ))
                    })
                    .count();
                assert_eq!(lines, 1, "series {s} of {n}");
            }
            assert_eq!(
                count_colour(&out, "stroke", client_color(n)),
                0,
                "no line for a series that does not exist"
            );
        }
    }

    // Guards the comparison: each previous series is one dashed line in its series' colour, and
    // the scale grows to fit it.
    #[test]
    fn previous_period_is_dashed() {
        let mut chart = day_chart(2);
        let plain = svg(&chart);
        chart.previous = chart
            .series
            .iter()
            .map(|s| Series {
                values: s.values.iter().map(|v| v.map(|v| v * 3)).collect(),
                ..s.clone()
            })
            .collect();
        let compared = svg(&chart);
        let polylines = |out: &str| out.matches("<polyline").count();
        assert!(
            polylines(&compared) > polylines(&plain) + 2,
            "dashes are drawn as many short lines"
        );
        let top = |out: &str| {
            texts(out)
                .iter()
                .filter_map(|t| t.strip_suffix('k').and_then(|n| n.parse::<f64>().ok()))
                .fold(0.0, f64::max)
        };
        assert!(
            top(&compared) >= 6.0,
            "the axis reaches the previous period's 6k: {}",
            top(&compared)
        );
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
        assert_eq!(
            circles(&marked),
            circles(&plain) + 2,
            "two rings; series 7 does not exist"
        );
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

    /// The points of every polyline the chart drew, in drawing order.
    fn polyline_points(svg: &str) -> Vec<Vec<(f64, f64)>> {
        svg.split("<polyline")
            .skip(1)
            .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next())
            .map(|points| {
                points
                    .split_whitespace()
                    .filter_map(|xy| xy.split_once(','))
                    .map(|(x, y)| (x.parse().unwrap(), y.parse().unwrap()))
                    .collect()
            })
            .collect()
    }

    // Guards the tooltip's hit test against the drawing itself: every point of the line, where
    // plotters drew it at any size and pixel ratio, maps back to its own bucket through the plot
    // the drawing function returned; off the plot is no bucket.
    #[test]
    fn drawn_points_map_back_to_their_buckets() {
        for (size, ratio) in [((640, 280), 1.0), ((1_280, 560), 2.0), ((360, 200), 1.0)] {
            let chart = day_chart(1);
            let mut out = String::new();
            let plot = {
                let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
                draw_line_chart(&root, &chart, Scale(ratio)).expect("draws")
            };
            let line = polyline_points(&out)
                .into_iter()
                .find(|p| p.len() == 7)
                .expect("the series' line");
            for (i, (x, _)) in line.iter().enumerate() {
                assert_eq!(
                    bucket_at(&plot, 7, x / ratio),
                    Some(i),
                    "{size:?} at {ratio}x: point {i} at {x}"
                );
            }
            assert_eq!(bucket_at(&plot, 7, plot.left - 20.0), None);
            assert_eq!(bucket_at(&plot, 7, plot.right + 20.0), None);
            assert_eq!(bucket_at(&plot, 0, plot.middle().0), None);
        }
    }

    // Guards the keyboard's points: each bucket's point is found again by the hit test.
    #[test]
    fn bucket_points_round_trip() {
        for buckets in [1, 2, 7, 24, 1_500] {
            for width in [320.0, 640.0, 1_280.0] {
                let plot = Plot {
                    left: 58.0,
                    top: 12.0,
                    right: width - 28.0,
                    bottom: 246.0,
                };
                for i in 0..buckets {
                    let (x, _) = bucket_point(&plot, buckets, i).expect("a point");
                    assert_eq!(bucket_at(&plot, buckets, x), Some(i), "{buckets} buckets, {width} px");
                }
                assert_eq!(bucket_point(&plot, buckets, buckets), None);
            }
        }
    }

    // Guards the other metrics: a bucket without a value is a gap that splits the line (never a
    // drop to zero), and the axis speaks the metric's unit.
    #[test]
    fn gaps_split_the_line_and_the_axis_has_units() {
        let mut chart = day_chart(1);
        chart.metric = Metric::ErrorRate;
        chart.series[0].values = vec![Some(250), Some(300), None, Some(120), Some(80), None, Some(400)];
        let out = svg(&chart);
        let colour = crate::charts::palette::hex(client_color(0)).to_uppercase();
        let lines = out
            .split("<polyline")
            .filter(|p| p.contains(&format!("stroke=\"{colour}\"")))
            .count();
        assert_eq!(lines, 2, "two stretches without gaps, and a lone point drawn as a dot");
        let labels = texts(&out);
        assert!(labels.iter().any(|l| l.ends_with('%')), "{labels:?}");
        assert_eq!(
            runs(&[None, Some(1), Some(2), None, Some(3)]),
            vec![vec![(1, 1.0), (2, 2.0)], vec![(4, 3.0)]]
        );
        chart.metric = Metric::P95;
        assert!(texts(&svg(&chart)).iter().any(|l| l.ends_with(" ms")));
    }

    // Guards against clipped value labels: the plot moves right as they widen (`100000 ms`
    // against `1k`), so the widest still fits left of it.
    #[test]
    fn wide_value_labels_widen_their_margin() {
        let left = |chart: &LineChart| {
            let mut out = String::new();
            let root = SVGBackend::with_string(&mut out, (640, 280)).into_drawing_area();
            draw_line_chart(&root, chart, Scale(1.0)).expect("draws").left
        };
        let mut chart = day_chart(1);
        let narrow = left(&chart);
        chart.metric = Metric::P95;
        chart.series[0].values = vec![Some(100_000_000); 7];
        let labels = texts(&svg(&chart));
        assert!(labels.iter().any(|l| l == "100000 ms"), "{labels:?}");
        assert!(left(&chart) > narrow, "{} against {narrow}", left(&chart));
    }

    // Guards the clock labels of 10-minute and hour buckets: on whole hours, evenly spaced,
    // never more than 8, never times like 14:50.
    #[test]
    fn short_buckets_are_labelled_on_whole_hours() {
        let day = 1_763_769_600; // 2025-11-22T00:00:00Z
        for (granularity, width, count, expected) in [
            (
                Granularity::TenMinutes,
                600,
                144,
                vec!["15:00", "18:00", "21:00", "00:00", "03:00", "06:00", "09:00", "12:00"],
            ),
            (
                Granularity::Hour,
                3_600,
                48,
                vec!["18:00", "00:00", "06:00", "12:00", "18:00", "00:00", "06:00", "12:00"],
            ),
            (
                Granularity::Hour,
                3_600,
                5,
                vec!["14:00", "15:00", "16:00", "17:00", "18:00"],
            ),
        ] {
            let first = day + 14 * 3_600 + if width == 600 { 50 * 60 } else { 0 };
            let chart = LineChart {
                granularity,
                metric: Metric::Requests,
                starts: (0..count).map(|i| first + i * width).collect(),
                series: vec![],
                previous: vec![],
                marks: vec![],
            };
            let labels: Vec<String> = texts(&svg(&chart)).into_iter().filter(|t| t.contains(':')).collect();
            assert_eq!(labels, expected, "{granularity:?} × {count}");
        }
    }

    // Guards that a range without data still draws axes instead of failing.
    #[test]
    fn empty_series_still_draws_axes() {
        let out = svg(&LineChart {
            granularity: Granularity::Hour,
            metric: Metric::Requests,
            starts: vec![0, 3_600],
            series: vec![],
            previous: vec![],
            marks: vec![],
        });
        let labels = texts(&out);
        assert!(labels.contains(&"01:00".to_owned()), "{labels:?}");
        assert_eq!(count_colour(&out, "stroke", client_color(0)), 0);
    }
}
