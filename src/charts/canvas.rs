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

use usage_core::view::ViewState;

use super::{Plot, Scale};

/// A drawing function for [`ChartCanvas`]: it says where it drew the plot (`None` when drawing
/// failed), and the hit test maps the pointer back to data from there.
pub type DrawFn = Box<dyn Fn(&DrawingArea<MeasuredCanvas, Shift>, Scale) -> Option<Plot> + 'static>;

/// What is under the pointer at (x, y) CSS pixels on a chart whose last drawing put its plot there.
pub type HitFn = Box<dyn Fn(f64, f64, &Plot) -> Option<Target> + 'static>;

/// Where each of the chart's parts is, at (x, y) CSS pixels, on a chart whose last drawing put its
/// plot there, in the order the arrow keys step through them: the hit test then finds each there.
/// `None` for a part not drawn (a slice of nothing).
pub type PointFn = Box<dyn Fn(&Plot) -> Vec<Option<(f64, f64)>> + 'static>;

/// The chart's numbers as a table: the column heads, then the rows, all as text.
pub type TableFn = Box<dyn Fn() -> (Vec<String>, Vec<Vec<String>>) + Send + Sync + 'static>;

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
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        Some(MeasuredCanvas {
            inner: CanvasBackend::with_canvas_object(canvas)?,
            context,
        })
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
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.blit_bitmap(pos, size, src)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // The same font string plotters-canvas draws with.
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
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
    /// Where each part is, for the arrow keys: with it the chart takes focus.
    #[prop(optional)]
    points: Option<PointFn>,
    /// The same numbers as a table, behind "Show as table".
    #[prop(optional)]
    table: Option<TableFn>,
    /// Whether the page is dark: the chart redraws in the theme's ink when it changes.
    #[prop(into)]
    dark: Signal<bool>,
    /// Where a click (or Enter) on a part goes, when it goes somewhere.
    #[prop(optional)]
    on_go: Option<Callback<ViewState>>,
    /// What a saved image says it shows (the period, with its zone) and its file name's stem.
    #[prop(into)]
    period: Signal<(String, String)>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    // The canvas's size is measured when the browser reports it (a ResizeObserver: once it first
    // shows, and whenever its box changes, a scrollbar included), never on a data change: reading
    // the layout in the middle of an update would make the browser lay the page out there and then.
    let resized = RwSignal::new(0u32);
    let size = StoredValue::new(None::<(u32, u32, f64, u32)>);
    // Where the last drawing put the plot: what the pointer and the keys are mapped through.
    let plot = StoredValue::new(None::<Plot>);
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
        // A change of theme redraws in its ink (set before this runs).
        dark.track();
        let generation = resized.get();
        if !shown.get() {
            return;
        }
        let Some(canvas) = canvas_ref.get() else { return };
        let (width, height, ratio) = match size.get_value() {
            Some((w, h, ratio, measured)) if measured == generation => (w, h, ratio),
            _ => {
                let ratio = web_sys::window()
                    .map(|w| w.device_pixel_ratio())
                    .unwrap_or(1.0)
                    .max(1.0);
                let rect = canvas.get_bounding_client_rect();
                let (w, h) = (
                    (rect.width() * ratio).round() as u32,
                    (rect.height() * ratio).round() as u32,
                );
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
            plot.set_value(draw(&backend.into_drawing_area(), Scale(ratio)));
        }
    });

    let hit = std::rc::Rc::new(hit);
    // The tooltip: its text and where it points, in CSS pixels from the canvas's corner.
    let tip = RwSignal::new(None::<(String, f64, f64)>);
    let target_at = {
        let hit = hit.clone();
        move |x: f64, y: f64| -> Option<Target> {
            let drawn = plot.get_value()?;
            hit.as_ref().as_ref()?(x, y, &drawn)
        }
    };
    let from_event = move |event: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let rect = canvas_ref.get_untracked()?.get_bounding_client_rect();
        Some((
            f64::from(event.client_x()) - rect.left(),
            f64::from(event.client_y()) - rect.top(),
        ))
    };
    let pointing = RwSignal::new(false);
    let on_move = {
        let target_at = target_at.clone();
        move |event: web_sys::MouseEvent| {
            let Some((x, y)) = from_event(&event) else { return };
            let target = target_at(x, y);
            pointing.set(target.as_ref().is_some_and(|t| t.go.is_some()));
            tip.set(target.map(|t| (t.tip, x, y)));
        }
    };
    let on_click = {
        let target_at = target_at.clone();
        move |event: web_sys::MouseEvent| {
            let Some((x, y)) = from_event(&event) else { return };
            if let (Some(go), Some(state)) = (on_go, target_at(x, y).and_then(|t| t.go)) {
                go.run(state);
            }
        }
    };
    // The arrow keys move from part to part, Home and End to the ends; Enter drills down.
    let keyed = StoredValue::new(None::<usize>);
    let focusable = points.is_some();
    let points = std::rc::Rc::new(points);
    let on_key = move |event: web_sys::KeyboardEvent| {
        let (Some(points), Some(drawn)) = (points.as_ref().as_ref(), plot.get_value()) else {
            return;
        };
        let parts = points(&drawn);
        let drawn: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].is_some()).collect();
        let (Some(&first), Some(&last)) = (drawn.first(), drawn.last()) else {
            return;
        };
        let current = keyed.get_value().filter(|i| drawn.contains(i));
        let next = match (event.key().as_str(), current) {
            ("ArrowRight" | "ArrowDown", Some(i)) => drawn.iter().copied().find(|&j| j > i).unwrap_or(i),
            ("ArrowLeft" | "ArrowUp", Some(i)) => drawn.iter().copied().rev().find(|&j| j < i).unwrap_or(i),
            ("ArrowRight" | "ArrowDown" | "ArrowLeft" | "ArrowUp", None) | ("Home", _) => first,
            ("End", _) => last,
            ("Enter", Some(i)) => {
                let target = parts[i].and_then(|(x, y)| target_at(x, y));
                if let (Some(go), Some(state)) = (on_go, target.and_then(|t| t.go)) {
                    event.prevent_default();
                    go.run(state);
                }
                return;
            }
            ("Escape", _) if tip.with_untracked(Option::is_some) => {
                event.stop_propagation();
                tip.set(None);
                return;
            }
            _ => return,
        };
        event.prevent_default();
        keyed.set_value(Some(next));
        if let Some((x, y)) = parts[next] {
            tip.set(target_at(x, y).map(|t| (t.tip, x, y)));
        }
    };

    let testid_tip = format!("{testid}-tip");
    let testid_table = format!("{testid}-table");
    let open = RwSignal::new(false);
    let has_table = table.is_some();
    view! {
        <div class="chart-frame">
            <canvas node_ref=canvas_ref class=class class:chart--pointing=move || pointing.get() role="img" aria-label=move || label.get() data-testid=testid.clone()
                tabindex=focusable.then_some("0")
                on:mousemove=on_move on:mouseleave=move |_| tip.set(None) on:click=on_click
                on:keydown=on_key on:blur=move |_| tip.set(None)></canvas>
            <div class="chart-tip" class:chart-tip--shown=move || tip.with(Option::is_some) role="status" aria-live="polite"
                // On the right of the chart the tip opens to the left, so it never runs off the card.
                class:chart-tip--left=move || tip.with(|t| t.as_ref().is_some_and(|t| canvas_ref.get_untracked().is_some_and(|c| t.1 > f64::from(c.client_width()) * 0.6)))
                data-testid=testid_tip
                style:left=move || tip.with(|t| t.as_ref().map(|t| format!("{}px", t.1)).unwrap_or_default())
                style:top=move || tip.with(|t| t.as_ref().map(|t| format!("{}px", t.2)).unwrap_or_default())>
                {move || tip.with(|t| t.as_ref().map(|t| t.0.clone()).unwrap_or_default())}
            </div>
            <div class="chart-frame__actions">
                {has_table.then(|| view! {
                    <button type="button" class="link-button chart-frame__toggle" aria-expanded=move || open.get().to_string()
                        data-testid=format!("{testid}-as-table") on:click=move |_| open.update(|o| *o = !*o)>
                        {move || if open.get() { "Hide the table" } else { "Show as table" }}
                    </button>
                })}
                <button type="button" class="link-button chart-frame__toggle" data-testid=format!("{testid}-png")
                    on:click=move |_| {
                        let Some(canvas) = canvas_ref.get_untracked() else { return };
                        let (caption, stem) = period.get_untracked();
                        // The label names the kind of chart for screen readers ("Line chart: …"); the image shows it.
                        let label = label.get_untracked();
                        let title = label.split_once(": ").map_or(label.as_str(), |(_, title)| title);
                        if save_png(&canvas, title, &caption, &format!("callboard-{testid}-{stem}.png")).is_none() {
                            web_sys::console::error_1(&"the chart could not be saved as PNG".into());
                        }
                    }>"Save PNG"</button>
            </div>
            {table.map(|table| chart_table(table, open, testid_table))}
        </div>
    }
}

/// When "Show as table" is `open`, the chart's numbers in an accessible table.
fn chart_table(table: TableFn, open: RwSignal<bool>, table_testid: String) -> impl IntoView {
    let table = std::sync::Arc::new(table);
    view! {
        <Show when=move || open.get()>
            {
                let table = table.clone();
                let table_testid = table_testid.clone();
                move || {
                    let table_testid = table_testid.clone();
                    let (heads, rows) = table();
                    view! {
                        <div class="chart-table__scroll">
                            <table class="chart-table" data-testid=table_testid>
                                <thead><tr>{heads.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! {
                                        <tr>{row.into_iter().enumerate().map(|(i, cell)| if i == 0 {
                                            view! { <th scope="row">{cell}</th> }.into_any()
                                        } else {
                                            view! { <td class="num">{cell}</td> }.into_any()
                                        }).collect_view()}</tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                }
            }
        </Show>
    }
}

/// Saves the chart on `canvas` as a PNG at its device resolution, with `title` and `caption` (the
/// range and zone) drawn above it in the theme's colours, as `file`.
fn save_png(canvas: &HtmlCanvasElement, title: &str, caption: &str, file: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let ratio = f64::from(canvas.width()) / canvas.get_bounding_client_rect().width().max(1.0);
    let head = (60.0 * ratio).round();
    let out: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    out.set_width(canvas.width());
    out.set_height(canvas.height() + head as u32);
    let context: CanvasRenderingContext2d = out.get_context("2d").ok()??.dyn_into().ok()?;
    let colour = |c: plotters::style::RGBColor| format!("rgb({},{},{})", c.0, c.1, c.2);
    context.set_fill_style_str(&colour(super::palette::ink::background()));
    context.fill_rect(0.0, 0.0, f64::from(out.width()), f64::from(out.height()));
    context.set_fill_style_str(&colour(super::palette::ink::text()));
    context.set_font(&format!("600 {}px {}", 16.0 * ratio, super::FONT));
    context.fill_text(title, 12.0 * ratio, 26.0 * ratio).ok()?;
    context.set_fill_style_str(&colour(super::palette::ink::axis()));
    context.set_font(&format!("{}px {}", 13.0 * ratio, super::FONT));
    context.fill_text(caption, 12.0 * ratio, 48.0 * ratio).ok()?;
    context.draw_image_with_html_canvas_element(canvas, 0.0, head).ok()?;
    let url = out.to_data_url_with_type("image/png").ok()?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    link.set_href(&url);
    link.set_download(file);
    link.click();
    Some(())
}
