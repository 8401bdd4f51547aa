//! "Connect API…": the address of a live usage API (docs/api.md) and an optional token.

use leptos::prelude::*;

use usage_core::rest::origin_of;

use crate::storage;

/// A modal form with the source URL and a token (bearer, or 3scale's access token). The token is kept in
/// sessionStorage for this tab only; the URL may be shared with `?source=`.
#[component]
pub fn ConnectDialog(
    open: RwSignal<bool>,
    /// The connected source, if any.
    #[prop(into)]
    source: Signal<Option<String>>,
    /// Called with the new source when the user connects.
    on_connect: Callback<String>,
) -> impl IntoView {
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let url = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    // The origin the token field belongs to: typing an address on another origin shows that
    // origin's own token (or none), so a token is never carried over to another server.
    let token_origin = RwSignal::new(String::new());
    let on_url = move |text: String| {
        let origin = origin_of(text.trim());
        if origin != token_origin.get_untracked() {
            token.set(storage::load_token(&origin).unwrap_or_default());
            token_origin.set(origin);
        }
        url.set(text);
    };
    Effect::new(move |_| {
        let Some(dialog) = dialog_ref.get() else { return };
        if open.get() && !dialog.open() {
            token_origin.set(String::from("\0"));
            on_url(source.get_untracked().unwrap_or_default());
            let _ = dialog.show_modal();
        } else if !open.get() && dialog.open() {
            dialog.close();
        }
    });
    let connect = move |_| {
        // The token belongs to the origin it is entered for, and is sent nowhere else.
        storage::save_token(&origin_of(url.get_untracked().trim()), token.get_untracked().trim());
        open.set(false);
        on_connect.run(url.get_untracked().trim().to_owned());
    };
    view! {
        <dialog node_ref=dialog_ref class="dialog dialog--narrow" aria-labelledby="connect-title" data-testid="connect-dialog"
            on:close=move |_| if !dialog_ref.get_untracked().is_some_and(|d| d.open()) { open.set(false) }>
            <form method="dialog" class="dialog__body" on:submit=|ev| ev.prevent_default()>
                <header class="dialog__header">
                    <h2 id="connect-title" class="dialog__title">"Connect a usage API"</h2>
                    <p class="dialog__hint">"The base URL of an API that follows Callboard's usage contract (docs/api.md), the URL of a JSON document of that shape, a 3scale Analytics API route (…/stats/services/42/usage_response_code.json) or a Genesys Cloud usage query (…/api/v2/usage/query). The token is kept in this tab only, for this address's origin alone, and sent only in the Authorization header."</p>
                </header>
                <div class="mapping">
                    <label class="field">
                        <span class="field__label">"API or document URL"</span>
                        <input type="url" class="field__input" data-testid="connect-url" placeholder="https://usage.example.com/api"
                            prop:value=move || url.get() on:input=move |ev| on_url(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span class="field__label">"Token (optional)"</span>
                        <input type="password" class="field__input" data-testid="connect-token" autocomplete="off"
                            prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
                    </label>
                </div>
                <footer class="dialog__footer">
                    <span class="dialog__spacer"></span>
                    <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="button" class="button button--primary" data-testid="connect-go" on:click=connect
                        prop:disabled=move || url.with(|u| u.trim().is_empty())>"Connect"</button>
                </footer>
            </form>
        </dialog>
    }
}
