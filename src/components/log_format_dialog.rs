//! "Log format…": asks for the format an access log was written with (nginx's `log_format`,
//! Apache's `LogFormat`, or the format string), when its lines are in no format Callboard knows.

use leptos::prelude::*;
use usage_core::formats::log_format::LogFormat;

/// A modal dialog with the file's first line and a text area for its format. The format is
/// checked as it is typed; Apply reads the file with it. Escape cancels.
#[component]
pub fn LogFormatDialog(
    /// The file's name, its first line, and why the format given last does not read it; `None`
    /// hides the dialog.
    pending: RwSignal<Option<(String, String, Option<String>)>>,
    /// Called with the format as given, once it parses.
    on_apply: Callback<String>,
) -> impl IntoView {
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        let Some(dialog) = dialog_ref.get() else { return };
        match pending.get() {
            Some(_) if !dialog.open() => {
                let _ = dialog.show_modal();
            }
            None if dialog.open() => dialog.close(),
            _ => {}
        }
    });
    // Why the text is not a format yet; nothing while the field is empty.
    let problem = Memo::new(move |_| {
        text.with(|t| (!t.trim().is_empty()).then(|| LogFormat::parse(t).err().map(|e| e.to_string())))
            .flatten()
    });
    let apply = move |_| {
        let given = text.get_untracked();
        if given.trim().is_empty() || problem.get_untracked().is_some() {
            return;
        }
        pending.set(None);
        on_apply.run(given);
    };

    view! {
        <dialog node_ref=dialog_ref class="dialog" aria-labelledby="log-format-title" data-testid="log-format-dialog"
            on:close=move |_| if !dialog_ref.get_untracked().is_some_and(|d| d.open()) { pending.set(None) }>
            <form method="dialog" class="dialog__body" on:submit=|ev| ev.prevent_default()>
                <header class="dialog__header">
                    <h2 id="log-format-title" class="dialog__title">"Log format"</h2>
                    <p class="dialog__hint">{move || pending.get().map(|(file, _, _)| format!(
                        "The lines of {file} are not in a format Callboard knows. If it is an access log, paste the log_format from nginx.conf (or Apache's LogFormat), or the format string alone. Callboard remembers it for logs of this shape."
                    ))}</p>
                </header>
                <p class="log-format__sample">
                    <span class="log-format__label">"Its first line: "</span>
                    <code data-testid="log-format-sample">{move || pending.get().map(|(_, sample, _)| sample)}</code>
                </p>
                {move || pending.get().and_then(|(_, _, mismatch)| mismatch).map(|why| view! {
                    <p class="log-format__mismatch" data-testid="log-format-mismatch">
                        {format!("The format you gave does not read it: {why}.")}
                    </p>
                })}
                <label class="field log-format__field">
                    <span class="field__label">"Format"</span>
                    <textarea class="field__input log-format__input" rows="5" spellcheck="false" data-testid="log-format-input"
                        placeholder="log_format api '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent $request_time';"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </label>
                <p class="log-format__problem" role="status" data-testid="log-format-problem">{move || problem.get()}</p>
                <footer class="dialog__footer">
                    <span class="dialog__spacer"></span>
                    <button type="button" class="button" on:click=move |_| pending.set(None)>"Cancel"</button>
                    <button type="button" class="button button--primary" data-testid="log-format-apply"
                        prop:disabled=move || text.with(|t| t.trim().is_empty()) || problem.get().is_some()
                        on:click=apply>"Read the file"</button>
                </footer>
            </form>
        </dialog>
    }
}
