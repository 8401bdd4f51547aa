//! Horizontal bars of the selected clients, each stacked by status class.

use plotters::coord::Shift;
use plotters::prelude::*;
use usage_core::format::compact;
use usage_core::{StatusClass, StatusCounts};

use super::palette::{AXIS_COLOR, GRID_COLOR, status_color};
use super::{Scale, fit_label};

/// One bar: a client and its requests per status class.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub counts: StatusCounts,
}

/// Longest client name drawn on the axis before it is shortened with "…".
const MAX_LABEL: usize = 22;

/// Draws `bars` top to bottom in the given order.
pub fn draw_stacked_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[Bar],
    scale: Scale,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let label_style = scale.text(12.0, AXIS_COLOR);
    let labels: Vec<String> = bars.iter().map(|b| fit_label(&b.label, MAX_LABEL)).collect();
    // Size the name column to the longest name, so no label is clipped.
    let widest = labels
        .iter()
        .map(|l| root.estimate_text_size(l, &label_style).map(|(w, _)| w).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let rows = bars.len().max(1) as i32;
    let peak = bars.iter().map(|b| b.counts.total()).max().unwrap_or(0);
    let x_max = (peak as f64 * 1.08).max(10.0);

    let mut ctx = ChartBuilder::on(root)
        .margin_top(scale.px(8.0))
        .margin_right(scale.px(24.0))
        .margin_left(scale.px(6.0))
        .x_label_area_size(scale.px(28.0))
        .y_label_area_size(widest + scale.px(14.0))
        .build_cartesian_2d(0f64..x_max, (0..rows).into_segmented())?;

    let row_label = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => labels.get((rows - 1 - i) as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let x_label = |v: &f64| compact(*v);
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(bars.len().max(1))
        .x_labels(5)
        .y_label_formatter(&row_label)
        .x_label_formatter(&x_label)
        .label_style(label_style)
        .axis_style(AXIS_COLOR.mix(0.6))
        .bold_line_style(GRID_COLOR)
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(scale.px(3.0))
        .draw()?;

    let gap = scale.px(7.0);
    for (rank, bar) in bars.iter().enumerate() {
        let row = rows - 1 - rank as i32;
        let mut x0 = 0f64;
        for class in StatusClass::ALL {
            let n = bar.counts.get(class) as f64;
            if n == 0.0 {
                continue;
            }
            let mut rect = Rectangle::new(
                [(x0, SegmentValue::Exact(row)), (x0 + n, SegmentValue::Exact(row + 1))],
                status_color(class).filled(),
            );
            rect.set_margin(gap, gap, 0, 0);
            ctx.draw_series(std::iter::once(rect))?;
            x0 += n;
        }
    }
    root.present()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::hex;

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
        let colour = hex(status_color(class));
        svg.matches(&format!("fill=\"{}\"", colour.to_uppercase())).count() + svg.matches(&format!("fill=\"{colour}\"")).count()
    }

    // Guards one segment per non-empty status class per bar, coloured by class.
    #[test]
    fn one_segment_per_class_present() {
        let bars = vec![
            Bar { label: "Billing Sync".into(), counts: counts(&[(200, 900), (429, 50), (503, 10)]) },
            Bar { label: "Partner Portal".into(), counts: counts(&[(200, 400), (404, 20)]) },
        ];
        let out = svg(&bars);
        assert_eq!(fill_count(&out, StatusClass::Success), 2);
        assert_eq!(fill_count(&out, StatusClass::RateLimited), 1);
        assert_eq!(fill_count(&out, StatusClass::ServerError), 1);
        assert_eq!(fill_count(&out, StatusClass::ClientError), 1);
        assert_eq!(fill_count(&out, StatusClass::Redirect), 0);
    }

    // Guards that client names label the bars and long names are shortened, not clipped.
    #[test]
    fn client_names_label_the_axis() {
        let bars = vec![
            Bar { label: "Billing Sync".into(), counts: counts(&[(200, 10)]) },
            Bar { label: "A very long integration name that goes on".into(), counts: counts(&[(200, 5)]) },
        ];
        let out = svg(&bars);
        assert!(out.contains(">Billing Sync<"));
        assert!(out.contains("A very long integratio…"));
        assert!(!out.contains("goes on"));
    }
}
