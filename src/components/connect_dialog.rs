//! "Connect API…": the kind of source, its address and an optional token (or, for ClickHouse,
//! the database, the table and a login).

use leptos::prelude::*;

use usage_core::rest::{Endpoint, SourceKind, origin_of};

use crate::storage;

/// A modal form with the kind of source, its URL and a token (bearer, or 3scale's access token),
/// or a ClickHouse server's URL, database, table, user and password. The token or login is kept
/// in sessionStorage for this tab only, for the address's origin alone; the URL and the kind may
/// be shared with `?source=…&kind=…`.
#[component]
pub fn ConnectDialog(
    open: RwSignal<bool>,
    /// The connected source and its kind, if any.
    #[prop(into)]
    source: Signal<Option<(String, SourceKind)>>,
    /// Called with the new source and its kind when the user connects.
    on_connect: Callback<(String, SourceKind)>,
) -> impl IntoView {
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let kind = RwSignal::new(SourceKind::Auto);
    let url = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let (database, table, user) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let clickhouse = move || kind.get() == SourceKind::ClickHouse;
    // The origin the token field belongs to: typing an address on another origin shows that
    // origin's own token (or none), so a token is never carried over to another server. A
    // ClickHouse login is kept as `user:password`.
    let token_origin = RwSignal::new(String::new());
    let on_url = move |text: String| {
        let origin = origin_of(text.trim());
        if origin != token_origin.get_untracked() {
            let saved = storage::load_token(&origin).unwrap_or_default();
            match saved
                .split_once(':')
                .filter(|_| kind.get_untracked() == SourceKind::ClickHouse)
            {
                Some((name, password)) => {
                    user.set(name.to_owned());
                    token.set(password.to_owned());
                }
                None => token.set(saved),
            }
            token_origin.set(origin);
        }
        url.set(text);
    };
    Effect::new(move |_| {
        let Some(dialog) = dialog_ref.get() else { return };
        if open.get() && !dialog.open() {
            token_origin.set(String::from("\0"));
            let (shown, shown_kind) = source.get_untracked().unwrap_or_default();
            kind.set(shown_kind);
            // A ClickHouse source's parts, read as the worker reads them (`base/?database=…&table=…`);
            // one it cannot read is shown whole, to be corrected.
            match Endpoint::parse_as(&shown, shown_kind) {
                Ok(Endpoint::ClickHouse {
                    url: base,
                    database: db,
                    table: name,
                }) => {
                    database.set(db.as_str().to_owned());
                    table.set(name.as_str().to_owned());
                    on_url(base);
                }
                _ => on_url(shown),
            }
            let _ = dialog.show_modal();
        } else if !open.get() && dialog.open() {
            dialog.close();
        }
    });
    let address = move || {
        let base = url.get_untracked().trim().to_owned();
        match kind.get_untracked() {
            SourceKind::ClickHouse => format!(
                "{}/?database={}&table={}",
                base.split('?').next().unwrap_or("").trim_end_matches('/'),
                database.get_untracked().trim(),
                table.get_untracked().trim()
            ),
            _ => base,
        }
    };
    let connect = move |_| {
        let source = address();
        // The token belongs to the origin it is entered for, and is sent nowhere else.
        let (name, password) = (user.get_untracked().trim().to_owned(), token.get_untracked());
        let secret = match kind.get_untracked() {
            // ClickHouse's own default user when only a password is given.
            SourceKind::ClickHouse if !name.is_empty() || !password.is_empty() => {
                format!("{}:{password}", if name.is_empty() { "default" } else { &name })
            }
            SourceKind::ClickHouse => String::new(),
            _ => password.trim().to_owned(),
        };
        storage::save_token(&origin_of(&source), &secret);
        open.set(false);
        on_connect.run((source, kind.get_untracked()));
    };
    let incomplete = move || {
        url.with(|u| u.trim().is_empty())
            || (clickhouse() && (database.with(|d| d.trim().is_empty()) || table.with(|t| t.trim().is_empty())))
    };
    view! {
        <dialog node_ref=dialog_ref class="dialog dialog--narrow" aria-labelledby="connect-title" data-testid="connect-dialog"
            on:close=move |_| if !dialog_ref.get_untracked().is_some_and(|d| d.open()) { open.set(false) }>
            <form method="dialog" class="dialog__body" on:submit=|ev| ev.prevent_default()>
                <header class="dialog__header">
                    <h2 id="connect-title" class="dialog__title">"Connect a usage source"</h2>
                    <p class="dialog__hint">{move || if clickhouse() {
                        "A ClickHouse server's HTTP address (https://clickhouse.example:8443, or a path of this site that forwards to it), and the database and table that hold the usage (docs/clickhouse.md). Every figure is counted by ClickHouse; only aggregates come back. The user and password are kept in this tab only, for this address's origin alone, and sent only in the Authorization header."
                    } else {
                        "The base URL of an API that follows Callboard's usage contract (docs/api.md), the URL of a JSON document of that shape, a 3scale Analytics API route (…/stats/services/42/usage_response_code.json) or a Genesys Cloud usage query (…/api/v2/usage/query). The token is kept in this tab only, for this address's origin alone, and sent only in the Authorization header."
                    }}</p>
                </header>
                <div class="mapping">
                    <label class="field">
                        <span class="field__label">"Kind"</span>
                        <select class="field__input field__input--select" data-testid="connect-kind" prop:value=move || kind.get().as_str()
                            on:change=move |ev| kind.set(SourceKind::parse(&event_target_value(&ev)).unwrap_or_default())>
                            {SourceKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">{move || if clickhouse() { "ClickHouse HTTP URL" } else { "API or document URL" }}</span>
                        <input type="url" class="field__input" data-testid="connect-url" placeholder=move || if clickhouse() { "https://clickhouse.example:8443" } else { "https://usage.example.com/api" }
                            prop:value=move || url.get() on:input=move |ev| on_url(event_target_value(&ev))/>
                    </label>
                    <Show when=clickhouse>
                        <label class="field">
                            <span class="field__label">"Database"</span>
                            <input type="text" class="field__input" data-testid="connect-database" autocomplete="off" spellcheck="false"
                                prop:value=move || database.get() on:input=move |ev| database.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span class="field__label">"Table"</span>
                            <input type="text" class="field__input" data-testid="connect-table" autocomplete="off" spellcheck="false"
                                prop:value=move || table.get() on:input=move |ev| table.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span class="field__label">"User (optional)"</span>
                            <input type="text" class="field__input" data-testid="connect-user" autocomplete="off" spellcheck="false"
                                prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev))/>
                        </label>
                    </Show>
                    <label class="field">
                        <span class="field__label">{move || if clickhouse() { "Password (optional)" } else { "Token (optional)" }}</span>
                        <input type="password" class="field__input" data-testid="connect-token" autocomplete="off"
                            prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
                    </label>
                </div>
                <footer class="dialog__footer">
                    <span class="dialog__spacer"></span>
                    <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="button" class="button button--primary" data-testid="connect-go" on:click=connect
                        prop:disabled=incomplete>"Connect"</button>
                </footer>
            </form>
        </dialog>
    }
}
