//! The list of notices the dashboard shows above the page ([`Notice`] says what each one is).

use leptos::prelude::*;

use crate::notices::Notice;
use crate::sources::file::size_text;
use crate::state::Dashboard;

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
                        }.into_any()),
                        Notice::NeedsLogFormat { pending, .. } => Some(view! {
                            " "
                            <button type="button" class="link-button" data-testid="open-log-format"
                                on:click=move |_| dashboard.pending_log_format.set(Some(pending.clone()))>"Log format…"</button>
                        }.into_any()),
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
