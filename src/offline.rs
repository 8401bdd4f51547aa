//! Working offline and updating: registers the service worker (public/sw.js, which the build
//! fills in with its files) so that after one visit the dashboard opens, and files open, with no
//! network; and tells the page when a newer version has arrived and waits.
//!
//! A new version never replaces the running one by itself: the page shows "A new version is
//! available" and its Reload button asks the waiting worker to take over, then reloads.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

/// Whether this page came from a release build (the build's hook writes the worker's name into it).
fn is_built_page() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.query_selector("meta[name=callboard-ingest]").ok().flatten().is_some())
}

fn container() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Browsers without service workers (or a page not served securely) simply have no offline copy.
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .ok()?
        .then(|| navigator.service_worker())
}

/// Registers the service worker, and sets `update_ready` when a newer version is installed and waiting.
pub fn register(update_ready: RwSignal<bool>) {
    if !is_built_page() {
        return;
    }
    let Some(container) = container() else { return };
    let had_controller = container.controller().is_some();
    // Reload once the new version has taken over, only ever after the user asked for it: the first
    // version also takes control (it claims the page on activation), and that needs no reload.
    let reload = Closure::<dyn Fn()>::new(|| {
        if TAKING_OVER.with(std::cell::Cell::get)
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    let promise = container.register("./sw.js");
    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(promise).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        // A version that arrived on an earlier visit and still waits.
        if registration.waiting().is_some() && had_controller {
            update_ready.set(true);
        }
        // One that is installing now (the check on registering may already have found it), or that
        // arrives later: ready once installed, if an older one controls this page.
        let watch = move |registration: &ServiceWorkerRegistration| {
            let Some(installing) = registration.installing() else {
                return;
            };
            let watched = installing.clone();
            let changed = Closure::<dyn Fn()>::new(move || {
                if watched.state() == ServiceWorkerState::Installed && had_controller {
                    update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(changed.as_ref().unchecked_ref()));
            changed.forget();
        };
        watch(&registration);
        // Ask for a newer version now and every hour: a dashboard may stay open for days, and the
        // browser's own check on navigation is not to be relied on (it may have been offline).
        let _ = registration.update();
        let hourly = {
            let registration = registration.clone();
            Closure::<dyn Fn()>::new(move || {
                let _ = registration.update();
            })
        };
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_interval_with_callback_and_timeout_and_arguments_0(hourly.as_ref().unchecked_ref(), 3_600_000);
        }
        hourly.forget();
        let found = {
            let registration = registration.clone();
            Closure::<dyn Fn()>::new(move || watch(&registration))
        };
        registration.set_onupdatefound(Some(found.as_ref().unchecked_ref()));
        found.forget();
    });
}

thread_local! {
    /// Set when the user asked the waiting version to take over.
    static TAKING_OVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Asks the waiting version to take over; the page reloads when it has.
pub fn take_over() {
    TAKING_OVER.with(|t| t.set(true));
    let Some(container) = container() else { return };
    let promise = container.get_registration();
    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(promise).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
            return;
        };
        if let Some(waiting) = registration.waiting() {
            let _ = waiting.post_message(&JsValue::from_str("take-over"));
        }
    });
}

/// Whether the browser says it is offline.
pub fn is_offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

/// "A new version is available", with Reload, while one waits.
#[component]
pub fn UpdatePrompt(
    /// Set when a newer version is installed and waiting.
    update_ready: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <Show when=move || update_ready.get()>
            <div class="banner banner--update" role="status" data-testid="update-prompt">
                <span>"A new version of Callboard is available."</span>
                <button type="button" class="button button--small button--primary" data-testid="update-reload" on:click=move |_| take_over()>"Reload"</button>
            </div>
        </Show>
    }
}
