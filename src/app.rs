//! The root component, the router and the dashboard state shared by the page.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Router;
use usage_core::formats::tabular::MappingProposal;
use usage_core::{ClientSelection, UsageStore};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::charts::palette;
use crate::pages::overview::Overview;
use crate::sources::{DataSource, Dataset};
use crate::{clock, sources, storage};

/// State shared by the whole dashboard, provided once at the root as context
/// so that any component can read the data and the selection without each
/// parent threading them through props.
#[derive(Clone, Copy)]
pub struct DashboardState {
    /// Today's UTC date, read from the clock once at start-up and passed to the core.
    pub today: NaiveDate,
    /// The data on screen. A failed load leaves it unchanged.
    pub dataset: RwSignal<Dataset>,
    /// Why the last load failed, shown above the dashboard.
    pub load_error: RwSignal<Option<LoadFailure>>,
    /// A CSV whose columns the user is asked to confirm (or change), and the guess to start from.
    pub pending_mapping: RwSignal<Option<(String, MappingProposal)>>,
    /// The user's client/URL selection (persisted in localStorage).
    pub selection: RwSignal<ClientSelection>,
    /// A quiet notice about the stored selection (corrupt, old format, not saved).
    pub selection_notice: RwSignal<Option<String>>,
}

impl DashboardState {
    /// Loads the default source (the demo data) and the saved selection.
    pub fn new(today: NaiveDate) -> DashboardState {
        let (dataset, load_error) = match sources::demo::load(today) {
            Ok(dataset) => (dataset, None),
            Err(message) => {
                (Dataset { store: Arc::new(UsageStore::default()), source: DataSource::Demo }, Some(LoadFailure { message, change_columns: None }))
            }
        };
        let stored = storage::load_selection();
        DashboardState {
            today,
            dataset: RwSignal::new(dataset),
            load_error: RwSignal::new(load_error),
            pending_mapping: RwSignal::new(None),
            selection: RwSignal::new(stored.selection),
            selection_notice: RwSignal::new(stored.notice.map(|n| n.message())),
        }
    }

    /// Saves and applies a new selection.
    pub fn choose(&self, selection: ClientSelection) {
        let notice = storage::save_selection(&selection).err().map(|e| format!("Your selection is shown but {e}."));
        self.selection_notice.set(notice);
        self.selection.set(selection);
    }
}

/// Why a load failed, and, for a CSV read by column names, the columns to change.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadFailure {
    pub message: String,
    /// The file and the columns that were used: "Change columns…" opens them.
    pub change_columns: Option<(String, MappingProposal)>,
}

/// The Callboard app.
#[component]
pub fn App() -> impl IntoView {
    apply_palette();
    count_csp_violations();
    let update_ready = RwSignal::new(false);
    crate::offline::register(update_ready);
    // The file reader's module is fetched while the page is idle, so the first file opens at once
    // (and an offline visit has it).
    crate::ingest::page::prefetch();
    let state = DashboardState::new(clock::today_utc());
    crate::bench::install_if_requested(state.dataset);
    provide_context(state);
    view! {
        <crate::offline::UpdatePrompt update_ready=update_ready/>
        <Router>
            <Overview/>
        </Router>
    }
}

/// Publishes the palette as CSS custom properties on `:root`, so CSS and
/// charts share one definition (through the CSSOM, which CSP allows).
fn apply_palette() {
    let Some(root) = document().document_element() else { return };
    let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() else { return };
    let style = root.style();
    for (name, value) in palette::css_properties() {
        let _ = style.set_property(&name, &value);
    }
}

/// Counts Content-Security-Policy violations in `<body data-csp-violations>`
/// and keeps the last one in `data-csp-last` ("directive blocked-uri"), so the
/// end-to-end test can prove the app runs under a strict policy.
fn count_csp_violations() {
    let on_violation = Closure::<dyn Fn(web_sys::SecurityPolicyViolationEvent)>::new(|event: web_sys::SecurityPolicyViolationEvent| {
        let Some(body) = document().body() else { return };
        let seen: u32 = body.get_attribute("data-csp-violations").and_then(|v| v.parse().ok()).unwrap_or(0);
        let _ = body.set_attribute("data-csp-violations", &(seen + 1).to_string());
        let _ = body.set_attribute("data-csp-last", &format!("{} {}", event.violated_directive(), event.blocked_uri()));
    });
    let _ = document().add_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_violation.forget();
}
