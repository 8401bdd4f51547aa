//! Light and dark: a light / dark / system switch kept in localStorage. "System" follows
//! `prefers-color-scheme`, also when it changes while the page is open. The page's colours come
//! from main.css (`data-theme` on `<html>`); the charts redraw in the theme's ink.

use leptos::prelude::*;

use crate::state::Dark;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::charts::palette::ink;

const CHOICES: [(&str, &str); 3] = [("light", "Light"), ("dark", "Dark"), ("system", "System")];

/// Reads the saved choice and the system's preference, applies the theme, and provides [`Dark`].
/// Returns the choice, for the switch.
pub fn provide_theme() -> RwSignal<String> {
    let saved = crate::storage::load_theme();
    let choice = RwSignal::new(if CHOICES.iter().any(|(c, _)| *c == saved) {
        saved
    } else {
        "system".to_owned()
    });
    let query = window().match_media("(prefers-color-scheme: dark)").ok().flatten();
    let system_dark = RwSignal::new(query.as_ref().is_some_and(|q| q.matches()));
    if let Some(query) = query {
        let on_change =
            Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(move |event: web_sys::MediaQueryListEvent| {
                system_dark.set(event.matches())
            });
        let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        let kept = StoredValue::new_local((query, on_change));
        on_cleanup(move || {
            kept.with_value(|(query, on_change)| {
                let _ = query.remove_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            })
        });
    }
    let dark = Memo::new(move |_| match choice.get().as_str() {
        "dark" => true,
        "light" => false,
        _ => system_dark.get(),
    });
    // The ink is set as the memo is computed, before any chart's effect reads it to redraw.
    let dark = Memo::new(move |_| {
        let dark = dark.get();
        ink::set_dark(dark);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
        dark
    });
    // Applied even on a page without charts.
    Effect::new(move |_| {
        dark.get();
    });
    provide_context(Dark(dark));
    choice
}

/// Light · Dark · System, as a group of toggle buttons.
#[component]
pub fn ThemeSwitch(choice: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="theme-switch" role="group" aria-label="Theme">
            {CHOICES.into_iter().map(|(value, label)| {
                let active = move || choice.with(|c| c == value);
                view! {
                    <button type="button" class="chip" class:chip--active=active aria-pressed=move || active().to_string()
                        data-testid=format!("theme-{value}")
                        on:click=move |_| {
                            crate::storage::save_theme(value);
                            choice.set(value.to_owned());
                        }>{label}</button>
                }
            }).collect_view()}
        </div>
    }
}
