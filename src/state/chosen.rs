//! The chart selection: the saved client/URL selection resolved against the data on screen, which
//! the pages' charts show, and which lists the selection dialog has open.

use leptos::prelude::*;
use usage_core::selection::ResolvedSelection;
use usage_core::{Breakdown, Dimension, RecordFilter};

use super::Dashboard;

/// The saved client/URL selection resolved against the data, for the pages' charts.
#[derive(Clone, Copy)]
pub struct Chosen {
    pub resolved: Memo<ResolvedSelection>,
    /// Every URL template through the link's filters.
    pub templates: Memo<Breakdown>,
    /// The link's filters and the chosen URL templates: what the client charts count.
    pub scope: Memo<RecordFilter>,
    /// Opens the selection dialog in a mode.
    pub open: RwSignal<Option<SelectionMode>>,
}

impl Chosen {
    /// Made once, above the pages, from the dashboard's data, filters and saved selection.
    pub fn new(dashboard: Dashboard) -> Chosen {
        let store = dashboard.store;
        let templates = Memo::new(move |_| {
            let span = dashboard.span.get();
            store.with(|s| {
                dashboard.filter.with(|f| {
                    dashboard
                        .prepared(Dimension::Template, s, span, f)
                        .unwrap_or_else(|| s.breakdown(span, Dimension::Template, f, false))
                })
            })
        });
        let resolved = Memo::new(move |_| {
            store.with(|s| {
                dashboard
                    .clients
                    .with(|c| dashboard.selection.get().resolve(s, &c.rows))
            })
        });
        let scope = Memo::new(move |_| {
            let filter = dashboard.filter.get();
            match resolved.with(|r| r.templates.clone()) {
                Some(ids) => store.with(|s| filter.and_templates(s, &ids)),
                None => filter,
            }
        });
        Chosen {
            resolved,
            templates,
            scope,
            open: RwSignal::new(None),
        }
    }
}

/// Which lists the dialog shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectionMode {
    /// "Choose clients and URLs": both lists.
    Both,
    /// "Template URL selections": the URL list only; Restore defaults restores only the URLs.
    Urls,
}
