//! The link: the one writer of the address bar, and the dashboard's own links followed in the
//! page.

use leptos::prelude::*;
use usage_core::view::{ViewState, write_query};

use super::Dashboard;

impl Dashboard {
    /// Going to a view, for a chart whose parts drill down.
    pub fn go_to(self) -> Callback<ViewState> {
        Callback::new(move |state| self.go(state))
    }

    /// The address of `state`: this page with its query string, so it works under any sub-path.
    pub fn href(&self, state: &ViewState) -> String {
        let query = write_query(&state.to_query());
        format!(
            "{}{}",
            self.path.get_untracked(),
            if query.is_empty() { "?".to_owned() } else { query }
        )
    }

    /// Shows `state`: the one place that writes the address bar. A new entry in the history,
    /// so Back returns to what was on screen; nothing happens when the view does not change.
    pub fn go(&self, state: ViewState) {
        if self.view.with_untracked(|v| *v == state) {
            return;
        }
        self.navigate.run((self.href(&state), false));
    }

    /// Follows a click on one of the dashboard's own links (tabs, drill-downs, "View all") in
    /// this page, through [`Dashboard::go`]'s writer. A click with a modifier key, or on any other
    /// link, is left to the browser (a new tab, a download).
    pub fn follow(&self, event: &web_sys::MouseEvent) {
        use wasm_bindgen::JsCast;
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.ctrl_key()
            || event.shift_key()
            || event.alt_key()
        {
            return;
        }
        let anchor = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        let Some(href) = anchor.as_ref().and_then(|a| a.get_attribute("href")) else {
            return;
        };
        let ours = href
            .strip_prefix(&self.path.get_untracked())
            .is_some_and(|rest| rest.starts_with('?'));
        if !ours || anchor.is_some_and(|a| a.has_attribute("download") || a.has_attribute("target")) {
            return;
        }
        event.prevent_default();
        self.navigate.run((href, false));
    }

    /// The view on screen with `change` applied.
    pub fn go_with(&self, change: impl FnOnce(&mut ViewState)) {
        let mut next = self.view.get_untracked();
        change(&mut next);
        self.go(next);
    }
}
