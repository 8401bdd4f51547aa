//! Everything the dashboard has to tell the user, in one list: what a load could not do, what a
//! link asked for that could not be read, and what the saved selection fell back to.
//!
//! Each notice is a value of one enum, so a new kind of problem is one more variant with its
//! message, its test id and whether it is an error; the list shows them all the same way.

use leptos::prelude::*;
use thiserror::Error;
use usage_core::SelectionNotice;
use usage_core::formats::tabular::MappingProposal;

use crate::sources::file::size_text;
use crate::state::Dashboard;

/// A notice that stays until something replaces or clears it.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum Notice {
    /// A file could not be opened; with a CSV read by column names, the columns to change.
    #[error("Could not open the file: {message}. The data on screen is unchanged.")]
    FileFailed {
        message: String,
        change_columns: Option<(String, MappingProposal)>,
    },
    #[error("Your column choice is used but {0}.")]
    MappingNotSaved(String),
    #[error(
        "The file has no usage before today. Callboard leaves out today, whose usage is not complete yet, and later days."
    )]
    NothingBeforeToday,
    /// A live source failed before any of its data arrived (once it has, the banner says it).
    #[error("{0}")]
    LiveFailed(String),
    #[error("Your selection is shown but {0}.")]
    SelectionNotSaved(String),
    #[error("{}", .0.message())]
    StoredSelection(SelectionNotice),
    #[error("The demo data could not be built: {0}")]
    DemoFailed(String),
}

impl Notice {
    /// What kind it is: a new notice replaces the one of its kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::FileFailed { .. } | Notice::MappingNotSaved(_) | Notice::DemoFailed(_) => "load-error",
            Notice::NothingBeforeToday => "empty-notice",
            Notice::LiveFailed(_) => "live-failure",
            Notice::SelectionNotSaved(_) => "selection-not-saved",
            Notice::StoredSelection(_) => "stored-selection",
        }
    }

    /// The `data-testid` of its line.
    fn testid(&self) -> &'static str {
        match self {
            Notice::SelectionNotSaved(_) | Notice::StoredSelection(_) => "selection-notice",
            _ => self.kind(),
        }
    }

    fn is_error(&self) -> bool {
        matches!(
            self,
            Notice::FileFailed { .. } | Notice::MappingNotSaved(_) | Notice::LiveFailed(_) | Notice::DemoFailed(_)
        )
    }
}

/// The list of notices: the stored ones, what the link could not say, what the selection fell
/// back to, and a live source being connected. Announced politely to screen readers.
#[component]
pub fn Notices(
    /// Notices that follow from what is on screen (the selection's fallbacks), as messages.
    #[prop(into)]
    derived: Signal<Vec<String>>,
    /// "Connecting to …": the source, and the bytes received so far, while a first fetch runs.
    #[prop(into)]
    connecting: Signal<Option<(String, u64)>>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    view! {
        <div class="notices" role="status" aria-live="polite">
            {move || connecting.get().map(|(source, received)| view! {
                <p class="notice" data-testid="live-connecting">
                    {format!("Connecting to {source}… {}", match received {
                        0 => "waiting for the answer".to_owned(),
                        bytes => format!("{} received", size_text(bytes as f64)),
                    })}
                </p>
            })}
            {move || dashboard.notices.get().into_iter().map(|notice| view! {
                <p class="notice" class:notice--error=notice.is_error() data-testid=notice.testid()>
                    {notice.to_string()}
                    {match notice.clone() {
                        Notice::FileFailed { change_columns: Some(pending), .. } => Some(view! {
                            " "
                            <button type="button" class="link-button" data-testid="change-columns"
                                on:click=move |_| dashboard.pending_mapping.set(Some(pending.clone()))>"Change columns…"</button>
                        }),
                        _ => None,
                    }}
                </p>
            }).collect_view()}
            {move || {
                let range = dashboard.range.get();
                dashboard.link_notices.get().into_iter().map(|n| {
                    let testid = if matches!(n, usage_core::view::ViewNotice::Range(_)) { "range-notice" } else { "link-notice" };
                    view! { <p class="notice" data-testid=testid>{n.message(&range)}</p> }
                }).collect_view()
            }}
            {move || derived.get().into_iter().map(|n| view! { <p class="notice" data-testid="selection-fallback">{n}</p> }).collect_view()}
        </div>
    }
}
