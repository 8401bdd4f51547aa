//! The doughnut of requests by client: the selected clients plus "Other".

use std::f64::consts::TAU;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use usage_core::format::{compact, percent};

use super::palette::ink;
use super::{Plot, Scale};

/// One slice.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub label: String,
    pub value: u64,
    pub color: RGBColor,
}

/// Slices smaller than this share get no percentage drawn on them (the legend has it).
const MIN_LABELLED_SHARE: f64 = 0.05;
/// Where the first slice starts: 12 o'clock.
const START_DEGREES: f64 = -90.0;
/// The hole's radius, as a share of the ring's.
const HOLE: f64 = 0.58;

/// Which slice is at (`x`, `y`) CSS pixels in a doughnut drawn in the square `plot`: for clicks
/// and tooltips. The hole and the corners are no slice.
pub fn slice_at(plot: &Plot, slices: &[Slice], x: f64, y: f64) -> Option<usize> {
    let radius = plot.width() / 2.0;
    let (cx, cy) = plot.middle();
    let (dx, dy) = (x - cx, y - cy);
    let distance = dx.hypot(dy);
    let total: u64 = slices.iter().map(|s| s.value).sum();
    if total == 0 || distance < radius * HOLE || distance > radius {
        return None;
    }
    // Clockwise from 12 o'clock, as drawn (y grows downwards).
    let turn = (dy.atan2(dx) - START_DEGREES.to_radians()).rem_euclid(TAU) / TAU;
    let mut before = 0u64;
    slices.iter().position(|s| {
        before += s.value;
        turn < before as f64 / total as f64
    })
}

/// The middle of slice `i` (halfway round it, halfway across the ring) in a doughnut drawn in the
/// square `plot`: for moving through the chart with the keyboard. [`slice_at`] finds it there
/// again. `None` for a slice of nothing, which is not drawn.
pub fn slice_point(plot: &Plot, slices: &[Slice], i: usize) -> Option<(f64, f64)> {
    let radius = plot.width() / 2.0;
    let (cx, cy) = plot.middle();
    let total: u64 = slices.iter().map(|s| s.value).sum();
    let slice = slices.get(i).filter(|s| s.value > 0 && total > 0 && radius > 0.0)?;
    let before: u64 = slices[..i].iter().map(|s| s.value).sum();
    let turn = (before as f64 + slice.value as f64 / 2.0) / total as f64;
    let angle = START_DEGREES.to_radians() + turn * TAU;
    let r = radius * (1.0 + HOLE) / 2.0;
    Some((cx + r * angle.cos(), cy + r * angle.sin()))
}

/// One slice of the ring, as a polygon: along the outer edge from angle `from` to `to` (radians,
/// clockwise on screen), then back along the hole's edge, as finely as plotters' `Pie` draws it.
/// (`Pie` also draws a label per slice in a font it names by text, and that name's lookup brings
/// Unicode's case tables into the first download: 4 KiB of gzip.)
fn wedge(center: (i32, i32), outer: f64, inner: f64, from: f64, to: f64) -> Vec<(i32, i32)> {
    let steps = ((to - from) / (TAU / 180.0 / outer.sqrt())).ceil().max(1.0) as usize;
    let at = |r: f64, i: usize| {
        let angle = from + (to - from) * i as f64 / steps as f64;
        (
            center.0 + (r * angle.cos()).round() as i32,
            center.1 + (r * angle.sin()).round() as i32,
        )
    };
    (0..=steps)
        .map(|i| at(outer, i))
        .chain((0..=steps).rev().map(|i| at(inner, i)))
        .collect()
}

/// Draws the slices clockwise from 12 o'clock, with the total in the hole, and says where the
/// ring is.
pub fn draw_doughnut<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    slices: &[Slice],
    scale: Scale,
) -> Result<Plot, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&ink::background())?;
    let (width, height) = root.dim_in_pixel();
    let center = ((width / 2) as i32, (height / 2) as i32);
    let radius = f64::from(width.min(height)) / 2.0 - f64::from(scale.px(8.0));
    let hole = radius * HOLE;
    let r = radius.max(0.0).round() as i32;
    let plot = Plot::of(scale, (center.0 - r, center.1 - r), (center.0 + r, center.1 + r));
    let total: u64 = slices.iter().map(|s| s.value).sum();
    let center_style = scale.text(13.0, ink::axis()).pos(text_anchor::Pos::new(
        text_anchor::HPos::Center,
        text_anchor::VPos::Center,
    ));

    if total == 0 || radius <= 0.0 {
        root.draw(&Text::new("No requests", center, center_style))?;
        root.present()?;
        return Ok(plot);
    }

    let mut before = 0u64;
    for slice in slices {
        let from = START_DEGREES.to_radians() + before as f64 / total as f64 * TAU;
        before += slice.value;
        if slice.value > 0 {
            let to = START_DEGREES.to_radians() + before as f64 / total as f64 * TAU;
            root.draw(&Polygon::new(
                wedge(center, radius, hole, from, to),
                slice.color.filled(),
            ))?;
        }
    }

    // Percentages on slices big enough to hold them, at the ring's middle.
    let percent_style = scale.text(12.0, WHITE).pos(text_anchor::Pos::new(
        text_anchor::HPos::Center,
        text_anchor::VPos::Center,
    ));
    let mut before = 0u64;
    for slice in slices {
        let share = slice.value as f64 / total as f64;
        let middle = START_DEGREES.to_radians() + (before as f64 / total as f64 + share / 2.0) * TAU;
        before += slice.value;
        if share < MIN_LABELLED_SHARE {
            continue;
        }
        let r = (radius + hole) / 2.0;
        let at = (
            center.0 + (r * middle.cos()).round() as i32,
            center.1 + (r * middle.sin()).round() as i32,
        );
        root.draw(&Text::new(percent(Some(share)), at, percent_style.clone()))?;
    }

    let big = scale.text(20.0, ink::text()).pos(text_anchor::Pos::new(
        text_anchor::HPos::Center,
        text_anchor::VPos::Center,
    ));
    let line = scale.px(13.0) as i32;
    root.draw(&Text::new(compact(total as f64), (center.0, center.1 - line / 2), big))?;
    root.draw(&Text::new("requests", (center.0, center.1 + line), center_style))?;
    root.present()?;
    Ok(plot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::{OTHER_COLOR, client_color};
    use crate::charts::svg_test::{count_colour, texts};

    fn svg(slices: &[Slice]) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (300, 300)).into_drawing_area();
            draw_doughnut(&root, slices, Scale(1.0)).expect("draws");
        }
        out
    }

    // Guards one wedge per slice, percentages only on big slices, and the total in the hole.
    #[test]
    fn wedges_percentages_and_total() {
        let slices = vec![
            Slice {
                label: "A".into(),
                value: 600,
                color: client_color(0),
            },
            Slice {
                label: "B".into(),
                value: 370,
                color: client_color(1),
            },
            Slice {
                label: "Other".into(),
                value: 30,
                color: OTHER_COLOR,
            },
        ];
        let out = svg(&slices);
        assert_eq!(out.matches("<polygon").count(), 3);
        for (i, slice) in slices.iter().enumerate() {
            assert_eq!(count_colour(&out, "fill", slice.color), 1, "slice {i}");
        }
        let labels = texts(&out);
        assert!(
            labels.contains(&"60.0%".to_owned()) && labels.contains(&"37.0%".to_owned()),
            "{labels:?}"
        );
        assert!(!labels.contains(&"3.0%".to_owned()), "a 3% slice is too small to label");
        assert!(labels.contains(&"1k".to_owned()), "total in the hole: {labels:?}");
    }

    // Guards the hit test against the drawing: the percentage drawn on each slice (at the ring's
    // middle, where plotters put it) is that slice through the plot the drawing returned, at
    // either pixel ratio; the hole and the corners are none.
    #[test]
    fn slice_at_follows_the_drawing() {
        let slices = vec![
            Slice {
                label: "A".into(),
                value: 500,
                color: client_color(0),
            },
            Slice {
                label: "B".into(),
                value: 300,
                color: client_color(1),
            },
            Slice {
                label: "C".into(),
                value: 200,
                color: client_color(2),
            },
        ];
        for ratio in [1.0, 2.0] {
            let mut out = String::new();
            let plot = {
                let root = SVGBackend::with_string(&mut out, ((420.0 * ratio) as u32, (260.0 * ratio) as u32))
                    .into_drawing_area();
                draw_doughnut(&root, &slices, Scale(ratio)).expect("draws")
            };
            let at = |label: &str| -> (f64, f64) {
                let text = out
                    .split("<text")
                    .find(|t| t.contains(&format!(">{label}<")) || t.contains(&format!(">\n{label}")))
                    .expect(label);
                let number = |name: &str| {
                    text.split(&format!("{name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse::<f64>().ok())
                        .expect(name)
                };
                (number("x") / ratio, number("y") / ratio)
            };
            for (i, label) in ["50.0%", "30.0%", "20.0%"].iter().enumerate() {
                let (x, y) = at(label);
                assert_eq!(slice_at(&plot, &slices, x, y), Some(i), "{label} at {ratio}x");
            }
            let (cx, cy) = plot.middle();
            assert_eq!(slice_at(&plot, &slices, cx, cy), None, "the hole");
            assert_eq!(
                slice_at(&plot, &slices, plot.left + 2.0, plot.top + 2.0),
                None,
                "a corner"
            );
        }
    }

    // Guards the keyboard's points: each slice's point is found again by the hit test, tiny
    // slices included; an empty slice has none.
    #[test]
    fn slice_points_round_trip() {
        let values = [5_000u64, 1, 0, 2_500, 30, 2_469];
        let slices: Vec<Slice> = values
            .iter()
            .enumerate()
            .map(|(i, &value)| Slice {
                label: format!("{i}"),
                value,
                color: client_color(i),
            })
            .collect();
        for plot in [
            Plot {
                left: 8.0,
                top: 8.0,
                right: 292.0,
                bottom: 292.0,
            },
            Plot {
                left: 88.0,
                top: 8.0,
                right: 332.0,
                bottom: 252.0,
            },
        ] {
            for (i, &value) in values.iter().enumerate() {
                match slice_point(&plot, &slices, i) {
                    Some((x, y)) => assert_eq!(slice_at(&plot, &slices, x, y), Some(i), "slice {i} in {plot:?}"),
                    None => assert_eq!(value, 0),
                }
            }
            assert_eq!(slice_point(&plot, &slices, slices.len()), None);
        }
    }

    // Guards the wedges against the hit test: the middle of each wedge drawn (halfway along its
    // outer and inner edges) is that slice to `slice_at`, and an empty slice draws no wedge.
    #[test]
    fn wedges_are_where_the_hit_test_finds_them() {
        let slices: Vec<Slice> = [450u64, 0, 300, 240, 10]
            .iter()
            .enumerate()
            .map(|(i, &value)| Slice {
                label: format!("{i}"),
                value,
                color: client_color(i),
            })
            .collect();
        let mut out = String::new();
        let plot = {
            let root = SVGBackend::with_string(&mut out, (300, 300)).into_drawing_area();
            draw_doughnut(&root, &slices, Scale(1.0)).expect("draws")
        };
        let wedges: Vec<Vec<(f64, f64)>> = out
            .split("<polygon")
            .skip(1)
            .map(|p| {
                let points = p
                    .split("points=\"")
                    .nth(1)
                    .and_then(|p| p.split('"').next())
                    .unwrap_or_default();
                points
                    .split(' ')
                    .filter_map(|xy| xy.split_once(','))
                    .map(|(x, y)| (x.parse().unwrap_or(f64::NAN), y.parse().unwrap_or(f64::NAN)))
                    .collect()
            })
            .collect();
        assert_eq!(wedges.len(), 4, "no wedge for the empty slice");
        for (wedge, i) in wedges.iter().zip([0, 2, 3, 4]) {
            let half = wedge.len() / 2;
            let (outer, inner) = (wedge[half / 2], wedge[half + half / 2]);
            let middle = ((outer.0 + inner.0) / 2.0, (outer.1 + inner.1) / 2.0);
            assert_eq!(
                slice_at(&plot, &slices, middle.0, middle.1),
                Some(i),
                "wedge of slice {i} at {middle:?}"
            );
        }
    }

    // Guards the empty state: no wedges, a message instead.
    #[test]
    fn no_requests_draws_a_message() {
        let out = svg(&[Slice {
            label: "A".into(),
            value: 0,
            color: client_color(0),
        }]);
        assert_eq!(out.matches("<polygon").count(), 0);
        assert!(texts(&out).contains(&"No requests".to_owned()));
    }
}
