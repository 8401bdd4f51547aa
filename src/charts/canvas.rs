//! The one component that owns a `<canvas>` and a plotters `CanvasBackend`.

use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::Scale;

/// A drawing function for [`ChartCanvas`].
pub type DrawFn = Box<dyn Fn(&DrawingArea<CanvasBackend, Shift>, Scale) + 'static>;

/// A chart canvas, sized by CSS and drawn at device-pixel resolution.
///
/// It redraws when the signals `draw` reads change, and when the window is
/// resized or moved to a screen with another pixel ratio.
#[component]
pub fn ChartCanvas(
    /// What the chart shows, for screen readers (the table below has the numbers).
    #[prop(into)]
    label: Signal<String>,
    /// CSS class that sets the canvas's height.
    #[prop(into)]
    class: String,
    /// `data-testid` of the canvas.
    #[prop(into)]
    testid: String,
    /// Draws the chart.
    draw: DrawFn,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());

    Effect::new(move |_| {
        resized.track();
        let Some(canvas) = canvas_ref.get() else { return };
        let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
        let rect = canvas.get_bounding_client_rect();
        let (width, height) = ((rect.width() * ratio).round() as u32, (rect.height() * ratio).round() as u32);
        if width == 0 || height == 0 {
            return;
        }
        if canvas.width() != width {
            canvas.set_width(width);
        }
        if canvas.height() != height {
            canvas.set_height(height);
        }
        if let Some(backend) = CanvasBackend::with_canvas_object(canvas) {
            draw(&backend.into_drawing_area(), Scale(ratio));
        }
    });

    view! {
        <canvas node_ref=canvas_ref class=class role="img" aria-label=move || label.get() data-testid=testid></canvas>
    }
}
