//! Chart drawing: pure functions of prepared series, generic over the plotters
//! [`DrawingBackend`](plotters::prelude::DrawingBackend).
//!
//! The browser draws them on a `<canvas>` through [`canvas::ChartCanvas`]; the
//! native tests draw the very same functions into an SVG string.

pub mod canvas;
pub mod doughnut;
pub mod line;
pub mod palette;
pub mod stacked_bar;

use plotters::style::{FontFamily, IntoFont, RGBColor, TextStyle};

/// Font family for all chart text: the platform UI font, as the page uses.
pub(crate) const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/// Device pixels per CSS pixel, so charts are sharp on high-DPI screens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale(pub f64);

impl Scale {
    /// A length in device pixels for `css` CSS pixels.
    pub fn px(self, css: f64) -> u32 {
        (css * self.0).round().max(0.0) as u32
    }

    /// Chart text of `css` pixels in `color`.
    pub fn text(self, css: f64, color: RGBColor) -> TextStyle<'static> {
        (FontFamily::Name(FONT), css * self.0).into_font().color(&color)
    }
}

/// Where a chart drew its plot, in CSS pixels from the canvas's top left corner, as the drawing
/// function returns it: the hit tests map the pointer back to data from this, not from margins
/// they would have to repeat. For a line chart, the first and last buckets are at `left` and
/// `right`; for bars, the rows fill `top` to `bottom`; for a doughnut, it is the ring's square.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Plot {
    /// The plot of device-pixel corners `(x0, y0)` and `(x1, y1)`, in CSS pixels.
    pub fn of(scale: Scale, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> Plot {
        let css = |v: i32| f64::from(v) / scale.0;
        Plot {
            left: css(x0.min(x1)),
            top: css(y0.min(y1)),
            right: css(x0.max(x1)),
            bottom: css(y0.max(y1)),
        }
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }

    pub fn middle(&self) -> (f64, f64) {
        ((self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0)
    }
}

/// A series of values with its label and colour; `None` where a bucket has nothing to measure
/// (an error rate without requests), which the line leaves as a gap.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub values: Vec<Option<u64>>,
}

/// Shortens a label to `max` characters with an ellipsis, so it never runs off the canvas.
pub fn fit_label(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// Shortens a URL path to `max` characters by dropping its start, where paths are most alike:
/// `/api/v2/analytics/conversations/details/query` → `…/conversations/details/query`.
pub fn fit_path(label: &str, max: usize) -> String {
    let count = label.chars().count();
    if count <= max {
        return label.to_owned();
    }
    let tail: String = label.chars().skip(count - max.saturating_sub(1)).collect();
    format!("…{tail}")
}

/// Helpers for the native SVG tests of the chart functions.
#[cfg(test)]
mod tests {
    // Guards both shortenings: names keep their start, paths their end, and short text is untouched.
    #[test]
    fn labels_are_shortened_at_the_right_end() {
        assert_eq!(super::fit_label("Billing Sync", 22), "Billing Sync");
        assert_eq!(super::fit_label("A very long integration name", 10), "A very lo…");
        assert_eq!(
            super::fit_path("/api/v2/analytics/conversations/details/query", 20),
            "…tions/details/query"
        );
        assert_eq!(super::fit_path("/short", 20), "/short");
        assert_eq!(super::fit_path("/api/v2/users/{id}/fees", 12).chars().count(), 12);
    }
}

#[cfg(test)]
pub(crate) mod svg_test {
    use plotters::style::RGBColor;

    /// The trimmed contents of every `<text>` element.
    pub fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim().to_owned()))
            .collect()
    }

    /// How many elements have `attribute="colour"` (plotters writes upper-case hex).
    pub fn count_colour(svg: &str, attribute: &str, colour: RGBColor) -> usize {
        svg.matches(&format!(
            "{attribute}=\"{}\"",
            super::palette::hex(colour).to_uppercase()
        ))
        .count()
    }
}
