//! The one palette: status-class colours and client colours for charts and CSS.
//!
//! CSS reads these through custom properties that [`css_properties`] yields and
//! the app sets on `:root` at start-up, so a colour is defined only here.

use plotters::style::RGBColor;
use usage_core::StatusClass;

/// The fixed colour of a status class, the same in every chart, legend and table.
pub const fn status_color(class: StatusClass) -> RGBColor {
    match class {
        StatusClass::Success => RGBColor(0x2f, 0x9e, 0x6e),
        StatusClass::Redirect => RGBColor(0x5b, 0x8d, 0xef),
        StatusClass::ClientError => RGBColor(0xf0, 0xb4, 0x29),
        StatusClass::RateLimited => RGBColor(0xe8, 0x6a, 0x2e),
        StatusClass::ServerError => RGBColor(0xc9, 0x2a, 0x4f),
        StatusClass::Other => RGBColor(0x9a, 0xa3, 0xaf),
    }
}

/// Colours for clients, in rank order of the selection. Chosen to stay apart
/// from the status colours' meaning (no pure green, amber or red).
pub const CLIENT_COLORS: [RGBColor; 10] = [
    RGBColor(0x4f, 0x5b, 0xd5),
    RGBColor(0x14, 0x9e, 0xb0),
    RGBColor(0x9b, 0x5d, 0xe5),
    RGBColor(0xd6, 0x55, 0x9d),
    RGBColor(0x3f, 0x8f, 0xd8),
    RGBColor(0x7a, 0x8b, 0x2e),
    RGBColor(0xa0, 0x6a, 0x3c),
    RGBColor(0x5d, 0x6b, 0x7e),
    RGBColor(0xc3, 0x8f, 0x00),
    RGBColor(0x2b, 0xa5, 0x7f),
];

/// Shades for the URL templates stacked inside each client's bar (dark to light), so they do not
/// look like the clients' own colours on the same page.
pub const URL_SHADES: [RGBColor; 5] = [
    RGBColor(0x0f, 0x4c, 0x5c),
    RGBColor(0x1f, 0x77, 0x84),
    RGBColor(0x3e, 0x9f, 0xa8),
    RGBColor(0x7c, 0xc4, 0xc8),
    RGBColor(0xb5, 0xdf, 0xe0),
];

/// The colour of "Other" in the doughnut.
pub const OTHER_COLOR: RGBColor = RGBColor(0xc5, 0xcb, 0xd3);
/// Axis text and lines.
pub const AXIS_COLOR: RGBColor = RGBColor(0x5b, 0x65, 0x73);
/// Light grid lines.
pub const GRID_COLOR: RGBColor = RGBColor(0xe6, 0xe9, 0xee);
/// Main text.
pub const TEXT_COLOR: RGBColor = RGBColor(0x1d, 0x25, 0x33);

/// The colours of a chart's background, axes, grid and text, in the page's theme: charts redraw
/// when it changes ([`ink::set_dark`] first).
pub mod ink {
    use std::sync::atomic::{AtomicBool, Ordering};

    use plotters::style::RGBColor;

    static DARK: AtomicBool = AtomicBool::new(false);

    pub fn set_dark(dark: bool) {
        DARK.store(dark, Ordering::Relaxed);
    }

    fn pick(light: RGBColor, dark: RGBColor) -> RGBColor {
        if DARK.load(Ordering::Relaxed) { dark } else { light }
    }

    /// The card's surface (`--surface` in main.css).
    pub fn background() -> RGBColor {
        pick(RGBColor(0xff, 0xff, 0xff), RGBColor(0x17, 0x1c, 0x26))
    }
    pub fn axis() -> RGBColor {
        pick(super::AXIS_COLOR, RGBColor(0xa4, 0xad, 0xbb))
    }
    pub fn grid() -> RGBColor {
        pick(super::GRID_COLOR, RGBColor(0x2a, 0x31, 0x40))
    }
    pub fn text() -> RGBColor {
        pick(super::TEXT_COLOR, RGBColor(0xe7, 0xea, 0xf0))
    }
}

/// The colour of the `rank`-th selected client.
pub fn client_color(rank: usize) -> RGBColor {
    CLIENT_COLORS[rank % CLIENT_COLORS.len()]
}

/// The CSS swatch modifier of the `rank`-th selected client (`swatch--client-N` in main.css).
pub fn client_swatch(rank: usize) -> String {
    format!("client-{}", rank % CLIENT_COLORS.len())
}

/// The colour and legend swatch of a value of `dimension` drawn `rank`-th: status codes and
/// classes in their class's fixed colour, anything else in rank order.
pub fn key_color(dimension: usage_core::Dimension, key: u32, rank: usize) -> (RGBColor, String) {
    let class = match dimension {
        usage_core::Dimension::Status => Some(StatusClass::of(u16::try_from(key).unwrap_or(0))),
        usage_core::Dimension::Class => StatusClass::ALL.get(key as usize).copied(),
        _ => None,
    };
    match class {
        Some(class) => (status_color(class), format!("status-{}", class.as_str())),
        None => (client_color(rank), client_swatch(rank)),
    }
}

/// `#rrggbb` for CSS.
pub fn hex(color: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

/// The CSS custom properties (`--status-2xx`, `--client-0`, …) and their values.
pub fn css_properties() -> Vec<(String, String)> {
    let mut properties: Vec<(String, String)> = StatusClass::ALL
        .iter()
        .map(|&c| (format!("--status-{}", c.as_str()), hex(status_color(c))))
        .collect();
    properties.extend(
        CLIENT_COLORS
            .iter()
            .enumerate()
            .map(|(i, &c)| (format!("--client-{i}"), hex(c))),
    );
    properties.push(("--client-other".into(), hex(OTHER_COLOR)));
    properties.extend(
        URL_SHADES
            .iter()
            .enumerate()
            .map(|(i, &c)| (format!("--url-{i}"), hex(c))),
    );
    properties
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that every status class has its own colour, so stacks can be told apart.
    #[test]
    fn status_colours_are_distinct() {
        let colours: std::collections::HashSet<String> =
            StatusClass::ALL.iter().map(|&c| hex(status_color(c))).collect();
        assert_eq!(colours.len(), StatusClass::ALL.len());
    }

    // Guards that every colour the stylesheet refers to is defined here.
    #[test]
    fn stylesheet_uses_only_defined_colours() {
        let css = include_str!("../../style/main.css");
        let defined: Vec<String> = css_properties().into_iter().map(|(name, _)| name).collect();
        for name in css.split("var(").skip(1).filter_map(|s| s.split(')').next()) {
            let name = name.split(',').next().unwrap_or("").trim();
            if name.starts_with("--status-") || name.starts_with("--client-") || name.starts_with("--url-") {
                assert!(
                    defined.iter().any(|d| d == name),
                    "{name} is used in main.css but not defined"
                );
            }
        }
        assert!(
            css.contains("var(--status-429)"),
            "the stylesheet should colour the 429 class"
        );
    }
}
