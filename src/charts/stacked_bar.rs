//! Horizontal bars, each stacked: clients or URLs by status class, a status code in its class's
//! colour, or a client by the URL templates it called.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use usage_core::format::compact;
use usage_core::{StatusClass, StatusCounts};

use super::palette::{ink, status_color};
use super::{Plot, Scale, fit_label};

/// One bar: a label and its segments (requests, colour), left to right.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub segments: Vec<(u64, RGBColor)>,
}

impl Bar {
    /// A bar stacked by status class, in the classes' fixed colours.
    pub fn by_status(label: String, counts: &StatusCounts) -> Bar {
        Bar {
            label,
            segments: StatusClass::ALL
                .iter()
                .map(|&c| (counts.get(c), status_color(c)))
                .collect(),
        }
    }

    fn total(&self) -> u64 {
        self.segments.iter().map(|(n, _)| n).sum()
    }
}

/// Which bar (by index in draw order) is at `y` CSS pixels from the top of a chart whose `plot`
/// draws `count` bars: for clicks and tooltips.
pub fn bar_at(plot: &Plot, count: usize, y: f64) -> Option<usize> {
    if count == 0 || plot.height() <= 0.0 || y < plot.top || y >= plot.bottom {
        return None;
    }
    let row = ((y - plot.top) / (plot.height() / count as f64)) as usize;
    (row < count).then_some(row)
}

/// The middle of bar `i` on a chart whose `plot` draws `count` bars: for moving through the
/// chart with the keyboard. [`bar_at`] finds it there again.
pub fn bar_point(plot: &Plot, count: usize, i: usize) -> Option<(f64, f64)> {
    (i < count && plot.height() > 0.0).then(|| {
        (
            plot.middle().0,
            plot.top + plot.height() * (i as f64 + 0.5) / count as f64,
        )
    })
}

/// Space above and below each bar, as a share of its row.
const BAR_INSET: f64 = 0.2;

/// Longest client name drawn on the axis before it is shortened with "…".
const MAX_LABEL: usize = 22;

/// Draws `bars` top to bottom in the given order, and says where its plot is.
pub fn draw_stacked_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[Bar],
    scale: Scale,
) -> Result<Plot, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&ink::background())?;
    let label_style = scale.text(12.0, ink::axis());
    let labels: Vec<String> = bars.iter().map(|b| fit_label(&b.label, MAX_LABEL)).collect();
    // Size the name column to the longest name, so no label is clipped.
    let widest = labels
        .iter()
        .map(|l| root.estimate_text_size(l, &label_style).map(|(w, _)| w).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let rows = bars.len().max(1) as i32;
    let peak = bars.iter().map(Bar::total).max().unwrap_or(0);
    let x_max = (peak as f64 * 1.08).max(10.0);

    let mut ctx = ChartBuilder::on(root)
        .margin_top(scale.px(8.0))
        .margin_right(scale.px(24.0))
        .margin_left(scale.px(6.0))
        .x_label_area_size(scale.px(28.0))
        .y_label_area_size(widest + scale.px(14.0))
        // Rows are unit bands on a continuous axis; names are drawn at their centres below.
        .build_cartesian_2d(0f64..x_max, 0f64..f64::from(rows))?;

    let no_label = |_: &f64| String::new();
    let x_label = |v: &f64| compact(*v);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .y_label_formatter(&no_label)
        .x_label_formatter(&x_label)
        .label_style(label_style.clone())
        .axis_style(ink::axis().mix(0.6))
        .bold_line_style(ink::grid())
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(scale.px(3.0))
        .draw()?;

    let name_style = label_style.pos(text_anchor::Pos::new(
        text_anchor::HPos::Right,
        text_anchor::VPos::Center,
    ));
    let base = root.get_base_pixel();
    for (rank, (bar, label)) in bars.iter().zip(&labels).enumerate() {
        let row = f64::from(rows - 1 - rank as i32);
        let (x, y) = ctx.backend_coord(&(0.0, row + 0.5));
        root.draw(&Text::new(
            label.clone(),
            (x - base.0 - scale.px(8.0) as i32, y - base.1),
            name_style.clone(),
        ))?;
        let mut x0 = 0f64;
        for &(n, color) in &bar.segments {
            let n = n as f64;
            if n == 0.0 {
                continue;
            }
            let rect = Rectangle::new([(x0, row + BAR_INSET), (x0 + n, row + 1.0 - BAR_INSET)], color.filled());
            ctx.draw_series(std::iter::once(rect))?;
            x0 += n;
        }
    }
    root.present()?;
    // The rows' band, from the top of the first to the bottom of the last.
    Ok(Plot::of(
        scale,
        ctx.backend_coord(&(0.0, f64::from(rows))),
        ctx.backend_coord(&(x_max, 0.0)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::hex;
    use crate::charts::svg_test::{count_colour, texts};

    fn counts(parts: &[(u16, u64)]) -> StatusCounts {
        let mut c = StatusCounts::default();
        for &(code, n) in parts {
            c.add_code(code, n);
        }
        c
    }

    fn svg(bars: &[Bar]) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (520, 260)).into_drawing_area();
            draw_stacked_bars(&root, bars, Scale(1.0)).expect("draws");
        }
        out
    }

    fn fill_count(svg: &str, class: StatusClass) -> usize {
        count_colour(svg, "fill", status_color(class))
    }

    // Guards one segment per non-empty status class per bar, coloured by class.
    // Guards the keyboard's points: each bar's middle is found again by the hit test.
    #[test]
    fn bar_points_round_trip() {
        for count in [1, 5, 12] {
            for height in [160.0, 320.0] {
                for i in 0..count {
                    let plot = Plot {
                        left: 120.0,
                        top: 8.0,
                        right: 576.0,
                        bottom: height - 28.0,
                    };
                    let (_, y) = bar_point(&plot, count, i).expect("a point");
                    assert_eq!(bar_at(&plot, count, y), Some(i));
                    assert_eq!(bar_point(&plot, count, count), None);
                }
            }
        }
    }

    #[test]
    fn one_segment_per_class_present() {
        let bars = vec![
            Bar::by_status("Billing Sync".into(), &counts(&[(200, 900), (429, 50), (503, 10)])),
            Bar::by_status("Partner Portal".into(), &counts(&[(200, 400), (404, 20)])),
        ];
        let out = svg(&bars);
        assert_eq!(fill_count(&out, StatusClass::Success), 2);
        assert_eq!(fill_count(&out, StatusClass::RateLimited), 1);
        assert_eq!(fill_count(&out, StatusClass::ServerError), 1);
        assert_eq!(fill_count(&out, StatusClass::ClientError), 1);
        assert_eq!(fill_count(&out, StatusClass::Redirect), 0);
    }

    // Guards that bars fill the plot: no empty row above the first bar.
    #[test]
    fn no_empty_row_above_the_bars() {
        let bars: Vec<Bar> = (0..5)
            .map(|i| Bar::by_status(format!("c{i}"), &counts(&[(200, 100 - i * 10)])))
            .collect();
        let out = svg(&bars);
        let tops: Vec<i32> = out
            .split("<rect")
            .skip(1)
            .filter(|r| {
                r.contains(&hex(status_color(StatusClass::Success)))
                    || r.contains(&hex(status_color(StatusClass::Success)).to_uppercase())
            })
            .filter_map(|r| r.split("y=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(tops.len(), 5);
        let top = *tops.iter().min().unwrap();
        let gap = tops.iter().filter(|&&t| t != top).map(|t| t - top).min().unwrap();
        // The first bar starts within one row of the plot's top edge (8px margin).
        assert!(top < 8 + gap, "first bar at y={top}, rows {gap}px apart");
    }

    // Guards the single-client case, where the row range is degenerate (0..0).
    #[test]
    fn a_single_bar_is_drawn() {
        let out = svg(&[Bar::by_status("Only".into(), &counts(&[(200, 10), (500, 5)]))]);
        assert_eq!(fill_count(&out, StatusClass::Success), 1);
        assert_eq!(fill_count(&out, StatusClass::ServerError), 1);
        let heights: Vec<f64> = out
            .split("<rect")
            .skip(2)
            .filter_map(|r| r.split("height=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert!(heights.iter().all(|&h| h > 20.0), "bar heights {heights:?}");
        assert!(texts(&out).contains(&"Only".to_owned()));
    }

    // Guards the hit test against the drawing: the centre of each drawn bar is that bar, and
    // the margins and axis are none.
    #[test]
    fn bar_at_finds_the_drawn_bar() {
        let bars: Vec<Bar> = (0..4)
            .map(|i| Bar::by_status(format!("c{i}"), &counts(&[(200, 100 - i * 10)])))
            .collect();
        let mut out = String::new();
        let plot = {
            let root = SVGBackend::with_string(&mut out, (520, 260)).into_drawing_area();
            draw_stacked_bars(&root, &bars, Scale(1.0)).expect("draws")
        };
        let centres: Vec<f64> = out
            .split("<rect")
            .skip(1)
            .filter(|r| {
                r.to_uppercase()
                    .contains(&hex(status_color(StatusClass::Success)).to_uppercase())
            })
            .filter_map(|r| {
                let y: f64 = r.split("y=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let h: f64 = r.split("height=\"").nth(1)?.split('"').next()?.parse().ok()?;
                Some(y + h / 2.0)
            })
            .collect();
        assert_eq!(centres.len(), 4);
        for (i, y) in centres.iter().enumerate() {
            assert_eq!(bar_at(&plot, 4, *y), Some(i), "bar {i} at y={y}");
        }
        assert_eq!(bar_at(&plot, 4, 2.0), None);
        assert_eq!(bar_at(&plot, 4, 250.0), None, "the axis is no bar");
        assert_eq!(bar_at(&plot, 0, 100.0), None);
    }

    // Guards that client names label the bars and long names are shortened, not clipped.
    #[test]
    fn client_names_label_the_axis() {
        let bars = vec![
            Bar::by_status("Billing Sync".into(), &counts(&[(200, 10)])),
            Bar::by_status("A very long integration name that goes on".into(), &counts(&[(200, 5)])),
        ];
        let labels = texts(&svg(&bars));
        assert!(labels.contains(&"Billing Sync".to_owned()), "{labels:?}");
        assert!(labels.contains(&"A very long integrati…".to_owned()), "{labels:?}");
        assert!(!labels.iter().any(|l| l.contains("goes on")));
    }
}
