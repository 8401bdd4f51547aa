//! Keyboard shortcuts for every view, and the `?` dialog that lists them. Keys typed into a
//! field, or with Ctrl, Alt or Meta held, are left alone; so is a key a focused chart used.

use leptos::prelude::*;
use usage_core::view::View;
use usage_core::zone::Compare;
use usage_core::{DateRange, Preset};
use wasm_bindgen::JsCast;

use crate::state::Dashboard;

/// The keys and what they do, as the dialog lists them.
const KEYS: [(&str, &str); 10] = [
    ("y", "Yesterday"),
    ("7", "Last 7 days"),
    ("3", "Last 30 days"),
    ("6", "Last 60 days"),
    ("←", "The period before"),
    ("→", "The period after (up to yesterday)"),
    ("c", "Compare with the previous period, or stop comparing"),
    ("g", "The next bucket size"),
    ("Esc", "Close a dialog, or else clear the filters"),
    ("?", "This list"),
];

/// Whether a key press was meant for something else: a field being typed in, a chart that moved
/// its tooltip, or a key held with Ctrl, Alt or Meta.
fn not_ours(event: &web_sys::KeyboardEvent) -> bool {
    let typing = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                || e.closest("[contenteditable], dialog[open]").ok().flatten().is_some()
        });
    typing || event.default_prevented() || event.ctrl_key() || event.alt_key() || event.meta_key()
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let open_list = move || {
        if let Some(dialog) = dialog_ref.get_untracked()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    };
    // On Today so far, which has no range, a preset opens the overview of that range.
    let preset = move |p: Preset| {
        dashboard.go_with(|v| {
            v.range = DateRange::preset(p, dashboard.today.get_untracked());
            if v.view == View::Today {
                *v = v.with_view(View::Overview);
            }
        })
    };
    let on_today = move || dashboard.view.with_untracked(|v| v.view == View::Today);
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if not_ours(&event) {
            return;
        }
        let today = dashboard.today.get_untracked();
        match event.key().as_str() {
            "y" => preset(Preset::Yesterday),
            "7" => preset(Preset::Last7Days),
            "3" => preset(Preset::Last30Days),
            "6" => preset(Preset::Last60Days),
            // The range's own keys wait for a view that shows a range.
            "ArrowLeft" | "ArrowRight" | "c" | "g" if on_today() => return,
            "ArrowLeft" => dashboard.go_with(|v| v.range = v.range.stepped(false, today)),
            "ArrowRight" => dashboard.go_with(|v| v.range = v.range.stepped(true, today)),
            "c" => dashboard.go_with(|v| {
                v.compare = if v.compare.is_some() {
                    None
                } else {
                    Some(Compare::Previous)
                }
            }),
            "g" => {
                let offered = dashboard.granularities.get_untracked();
                let current = dashboard.granularity.get_untracked();
                let next = offered
                    .iter()
                    .position(|&g| g == current)
                    .map_or(0, |i| (i + 1) % offered.len().max(1));
                if let Some(&g) = offered.get(next) {
                    dashboard.go_with(|v| v.granularity = Some(g));
                }
            }
            "Escape" => dashboard.go_with(|v| v.filters.clear()),
            "?" => open_list(),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || handle.remove());

    view! {
        <dialog node_ref=dialog_ref class="dialog dialog--small" aria-labelledby="shortcuts-title" data-testid="shortcuts">
            <header class="dialog__header">
                <h2 id="shortcuts-title" class="dialog__title">"Keyboard shortcuts"</h2>
            </header>
            <dl class="shortcuts">
                {KEYS.into_iter().map(|(key, what)| view! { <dt><kbd>{key}</kbd></dt><dd>{what}</dd> }).collect_view()}
            </dl>
            <p class="shortcuts__note">"Keys are ignored while you type in a field. On a focused chart, ← and → move between its points. On Today so far, a range key opens the overview of that range."</p>
            <footer class="dialog__footer">
                <button type="button" class="button button--primary" on:click=move |_| {
                    if let Some(dialog) = dialog_ref.get_untracked() {
                        dialog.close();
                    }
                }>"Close"</button>
            </footer>
        </dialog>
    }
}
