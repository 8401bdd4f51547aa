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
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

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

/// A series of values with its label and colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub values: Vec<u64>,
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
        assert_eq!(super::fit_path("/api/v2/analytics/conversations/details/query", 20), "…tions/details/query");
        assert_eq!(super::fit_path("/short", 20), "/short");
        assert_eq!(super::fit_path("/api/v2/users/{id}/fees", 12).chars().count(), 12);
    }
}

#[cfg(test)]
pub(crate) mod svg_test {
    use plotters::style::RGBColor;

    /// The trimmed contents of every `<text>` element.
    pub fn texts(svg: &str) -> Vec<String> {
        svg.split("<text").skip(1).filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim().to_owned())).collect()
    }

    /// How many elements have `attribute="colour"` (plotters writes upper-case hex).
    pub fn count_colour(svg: &str, attribute: &str, colour: RGBColor) -> usize {
        svg.matches(&format!("{attribute}=\"{}\"", super::palette::hex(colour).to_uppercase())).count()
    }
}
