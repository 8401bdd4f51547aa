//! "Open export…": pick usage files, read them in the browser with a progress bar and Cancel.

use leptos::prelude::*;
use usage_core::format::percent;

use usage_core::formats::tabular::ColumnMapping;

use crate::components::log_format_dialog::LogFormatDialog;
use crate::components::mapping_dialog::MappingDialog;
use crate::ingest::page::{Cancel, Progress};
use crate::ingest::protocol::Failure;
use crate::notices::Notice;
use crate::sources::Dataset;
use crate::sources::file::{self, size_text};
use crate::state::Dashboard;
use crate::storage;

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default()
}

/// A file picker (several files allowed), dropping files anywhere on the page, and,
/// while reading, a progress bar with Cancel. A load that fails leaves the data on
/// screen as it was and says why.
#[component]
pub fn FileOpen(
    /// Called with the new dataset once every file is read.
    on_loaded: Callback<Dataset>,
) -> impl IntoView {
    let state = expect_context::<Dashboard>();
    let progress = RwSignal::new(None::<Progress>);
    let cancel = StoredValue::new_local(Cancel::default());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let dragging = RwSignal::new(false);
    // Files waiting for the user to confirm a CSV's columns.
    let waiting = StoredValue::new_local(Vec::<web_sys::File>::new());
    let pending_mapping = state.pending_mapping;
    let pending_log_format = state.pending_log_format;

    // Reads `files`, with the saved column choices and log formats plus one just given (neither
    // saved until it reads rows).
    let start =
        move |files: Vec<web_sys::File>, confirmed: Option<(String, ColumnMapping)>, given_format: Option<String>| {
            if files.is_empty() || progress.get_untracked().is_some() {
                return;
            }
            let handle = Cancel::default();
            cancel.set_value(handle.clone());
            progress.set(Some(Progress {
                file: files[0].name(),
                done: 0.0,
                total: files.iter().map(|f| f.size()).sum(),
            }));
            waiting.set_value(files.clone());
            let mut mappings = storage::load_mappings();
            mappings.extend(confirmed);
            // The format just given is tried first.
            let log_formats: Vec<String> = given_format.into_iter().chain(storage::load_log_formats()).collect();
            leptos::task::spawn_local(async move {
                let result = file::load(files, move |p| progress.set(Some(p)), &handle, mappings, &log_formats).await;
                progress.set(None);
                let failed = |message: String, change_columns| {
                    state.notify(Notice::FileFailed {
                        message,
                        change_columns,
                    })
                };
                match result {
                    Ok((dataset, used)) => {
                        state.clear("load-error");
                        // Only a column choice or a log format that read rows is remembered.
                        for (key, mapping) in used.mappings {
                            if let Err(error) = storage::save_mapping(&key, &mapping) {
                                state.notify(Notice::MappingNotSaved(error));
                            }
                        }
                        for format in used.log_formats.iter().rev() {
                            if let Err(error) = storage::save_log_format(format) {
                                state.notify(Notice::LogFormatNotSaved(error));
                            }
                        }
                        on_loaded.run(dataset);
                    }
                    Err(Failure::NeedsLogFormat {
                        message,
                        name,
                        sample,
                        mismatch,
                    }) => {
                        let pending = (name, sample, mismatch);
                        state.notify(Notice::NeedsLogFormat {
                            message,
                            pending: pending.clone(),
                        });
                        pending_log_format.set(Some(pending));
                    }
                    Err(Failure::NeedsMapping { name, proposal }) => pending_mapping.set(Some((name, *proposal))),
                    Err(Failure::NoRows {
                        message,
                        name,
                        proposal,
                    }) => {
                        // A remembered choice that reads nothing would fail the same way every time: forget it.
                        if let Some(proposal) = &proposal {
                            storage::forget_mapping(&proposal.header_key());
                        }
                        failed(message, proposal.map(|p| (name, *p)));
                    }
                    Err(Failure::Other(message)) => failed(message, None),
                }
            });
        };
    let on_mapping =
        Callback::new(move |confirmed: (String, ColumnMapping)| start(waiting.get_value(), Some(confirmed), None));
    let on_log_format = Callback::new(move |format: String| start(waiting.get_value(), None, Some(format)));
    let on_change = move |_| {
        let Some(input) = input_ref.get() else { return };
        let files = files_of(input.files());
        // Clear the input so that choosing the same file again reloads it.
        input.set_value("");
        start(files, None, None);
    };

    // Files dropped anywhere on the page open too; the page shows where while dragging.
    let has_files = |event: &web_sys::DragEvent| {
        event.data_transfer().is_some_and(|t| {
            t.types()
                .iter()
                .any(|kind| kind.as_string().as_deref() == Some("Files"))
        })
    };
    let over = window_event_listener(leptos::ev::dragover, move |event| {
        if has_files(&event) {
            event.prevent_default();
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |event| {
        // Leaving the window (not just moving between elements) has no related target.
        if event.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |event| {
        event.prevent_default();
        dragging.set(false);
        start(files_of(event.data_transfer().and_then(|t| t.files())), None, None);
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });

    view! {
        <Show when=move || dragging.get()>
            <div class="drop-target" data-testid="drop-target" aria-hidden="true">
                <div class="drop-target__box">"Drop usage files to open them. They are read here, in your browser."</div>
            </div>
        </Show>
        <MappingDialog pending=pending_mapping on_confirm=on_mapping/>
        <LogFormatDialog pending=pending_log_format on_apply=on_log_format/>
        <div class="file-open">
            <label class="button file-open__pick">
                "Open export…"
                <input type="file" multiple class="visually-hidden" data-testid="file-input"
                    node_ref=input_ref on:change=on_change/>
            </label>
            {move || progress.get().map(|p| {
                let share = if p.total > 0.0 { p.done / p.total } else { 0.0 };
                view! {
                    <div class="file-open__progress" role="status" data-testid="load-progress">
                        <progress max="1" value=usage_core::format::decimal(share, 3)></progress>
                        <span class="file-open__text">{format!("Reading {} · {} of {} · {}", p.file, size_text(p.done), size_text(p.total), percent(Some(share)))}</span>
                        <button type="button" class="link-button" data-testid="load-cancel" on:click=move |_| cancel.get_value().cancel()>"Cancel"</button>
                    </div>
                }
            })}
        </div>
    }
}
