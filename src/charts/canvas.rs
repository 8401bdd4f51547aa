//! The one component that owns a `<canvas>` and a plotters `CanvasBackend`.

use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;

/// plotters-canvas does not export its error type by name.
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::Scale;

/// A drawing function for [`ChartCanvas`].
pub type DrawFn = Box<dyn Fn(&DrawingArea<MeasuredCanvas, Shift>, Scale) + 'static>;

/// What is under the pointer at (x, y) on a chart of (width, height), all in CSS pixels.
pub type HitFn = Box<dyn Fn(f64, f64, f64, f64) -> Option<Target> + 'static>;

/// A part of a chart: its tooltip, and the view a click on it shows (a drill-down).
pub struct Target {
    pub tip: String,
    pub go: Option<usage_core::view::ViewState>,
}

/// plotters' `CanvasBackend`, but measuring text with the canvas's own
/// `measureText`.
///
/// plotters measures text in the browser by inserting a `<span style="…">`,
/// which a strict Content-Security-Policy (`style-src 'self'`) blocks: labels
/// were then measured at the wrong font size. `measureText` needs no DOM
/// styling and measures with the very font the canvas draws with.
pub struct MeasuredCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl MeasuredCanvas {
    pub fn new(canvas: HtmlCanvasElement) -> Option<MeasuredCanvas> {
        let context = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
        Some(MeasuredCanvas { inner: CanvasBackend::with_canvas_object(canvas)?, context })
    }
}

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, upper_left: BackendCoord, bottom_right: BackendCoord, style: &S, fill: bool) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.blit_bitmap(pos, size, src)
    }
    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // The same font string plotters-canvas draws with.
        self.context.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let width = self.context.measure_text(text).map(|m| m.width()).unwrap_or(0.0);
        Ok((width.ceil() as u32, style.size().ceil() as u32))
    }
}

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
    /// Finds the part under the pointer: its tooltip, and where a click on it goes.
    #[prop(optional)]
    hit: Option<HitFn>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    // The canvas's size is measured when the browser reports it (a ResizeObserver: once it first
    // shows, and whenever its box changes, a scrollbar included), never on a data change: reading
    // the layout in the middle of an update would make the browser lay the page out there and then.
    let resized = RwSignal::new(0u32);
    let size = StoredValue::new(None::<(u32, u32, f64, u32)>);
    let shown = RwSignal::new(false);
    let on_resize = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        shown.set(true);
        resized.update(|n| *n += 1);
    });
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
    let observing = StoredValue::new_local((observer, on_resize));
    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            observing.with_value(|(observer, _)| {
                if let Some(observer) = observer {
                    observer.observe(&canvas);
                }
            });
        }
    });
    // The observer stops before its callback goes: nothing can call it afterwards.
    on_cleanup(move || {
        if let Some(observer) = observing.with_value(|(observer, _)| observer.clone()) {
            observer.disconnect();
        }
    });

    Effect::new(move |_| {
        let generation = resized.get();
        if !shown.get() {
            return;
        }
        let Some(canvas) = canvas_ref.get() else { return };
        let (width, height, ratio) = match size.get_value() {
            Some((w, h, ratio, measured)) if measured == generation => (w, h, ratio),
            _ => {
                let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
                let rect = canvas.get_bounding_client_rect();
                let (w, h) = ((rect.width() * ratio).round() as u32, (rect.height() * ratio).round() as u32);
                size.set_value(Some((w, h, ratio, generation)));
                (w, h, ratio)
            }
        };
        if width == 0 || height == 0 {
            return;
        }
        if canvas.width() != width {
            canvas.set_width(width);
        }
        if canvas.height() != height {
            canvas.set_height(height);
        }
        if let Some(backend) = MeasuredCanvas::new(canvas) {
            draw(&backend.into_drawing_area(), Scale(ratio));
        }
    });

    let hit = std::rc::Rc::new(hit);
    let target_at = {
        let hit = hit.clone();
        move |event: &web_sys::MouseEvent| -> Option<Target> {
            let canvas = canvas_ref.get_untracked()?;
            let rect = canvas.get_bounding_client_rect();
            hit.as_ref().as_ref()?(f64::from(event.client_x()) - rect.left(), f64::from(event.client_y()) - rect.top(), rect.width(), rect.height())
        }
    };
    let pointing = RwSignal::new(false);
    let on_move = {
        let target_at = target_at.clone();
        move |event: web_sys::MouseEvent| {
            let target = target_at(&event);
            pointing.set(target.as_ref().is_some_and(|t| t.go.is_some()));
            if let Some(canvas) = canvas_ref.get_untracked() {
                let _ = canvas.set_attribute("title", &target.map(|t| t.tip).unwrap_or_default());
            }
        }
    };
    let dashboard = use_context::<crate::state::Dashboard>();
    let on_click = move |event: web_sys::MouseEvent| {
        if let (Some(dashboard), Some(state)) = (dashboard, target_at(&event).and_then(|t| t.go)) {
            dashboard.go(state);
        }
    };

    view! {
        <canvas node_ref=canvas_ref class=class class:chart--pointing=move || pointing.get() role="img" aria-label=move || label.get() data-testid=testid
            on:mousemove=on_move on:click=on_click></canvas>
    }
}
