//! The root component: the palette, the CSP watch, the offline worker, then the dashboard's
//! state and source controller (provided as context) and the shell.

use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::charts::palette;
use crate::shell::Shell;
use crate::state::Dashboard;
use crate::state::live::SourceController;

/// The Callboard app.
#[component]
pub fn App() -> impl IntoView {
    apply_palette();
    count_csp_violations();
    let update_ready = RwSignal::new(false);
    // The offline copy and the file reader's module wait until the first figures have painted:
    // on a slow connection they would otherwise share its bandwidth with the page's own files.
    // The reader is then fetched while the page is idle, so the first file opens at once (and an
    // offline visit has it).
    after_first_paint(move || {
        crate::offline::register(update_ready);
        crate::ingest::page::prefetch();
    });
    view! {
        <crate::offline::UpdatePrompt update_ready=update_ready/>
        <Router>
            <Root/>
        </Router>
    }
}

/// The state and the source controller, made once inside the router (the view lives in its
/// location), then the shell.
#[component]
fn Root() -> impl IntoView {
    let dashboard = Dashboard::new();
    crate::bench::install_if_requested(dashboard.dataset);
    provide_context(dashboard);
    provide_context(SourceController::new(dashboard));
    view! { <Shell/> }
}

/// Runs `then` once the page has painted what it first shows: the app mounts in one go, so the
/// first animation frame after it paints the dashboard, and a task posted from that frame runs
/// after the paint.
fn after_first_paint(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else { return };
    let after = Closure::once_into_js(then);
    let frame = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(after.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

/// Publishes the palette as CSS custom properties on `:root`, so CSS and
/// charts share one definition (through the CSSOM, which CSP allows).
fn apply_palette() {
    let Some(root) = document().document_element() else {
        return;
    };
    let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() else {
        return;
    };
    let style = root.style();
    for (name, value) in palette::css_properties() {
        let _ = style.set_property(&name, &value);
    }
}

/// Counts Content-Security-Policy violations in `<body data-csp-violations>`
/// and keeps the last one in `data-csp-last` ("directive blocked-uri"), so the
/// end-to-end test can prove the app runs under a strict policy.
fn count_csp_violations() {
    let on_violation = Closure::<dyn Fn(web_sys::SecurityPolicyViolationEvent)>::new(
        |event: web_sys::SecurityPolicyViolationEvent| {
            let Some(body) = document().body() else { return };
            let seen: u32 = body
                .get_attribute("data-csp-violations")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let _ = body.set_attribute("data-csp-violations", &(seen + 1).to_string());
            let _ = body.set_attribute(
                "data-csp-last",
                &format!("{} {}", event.violated_directive(), event.blocked_uri()),
            );
        },
    );
    let _ =
        document().add_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_violation.forget();
}
