//! Export what the dashboard counts for the range, as Callboard CSV or JSON.
//!
//! The export holds exactly the records the KPIs and table count for the
//! chosen range (all clients and URLs), so it always matches the screen, and
//! Callboard reads it back into the same numbers.

use std::sync::Arc;

use leptos::prelude::*;
use usage_core::formats::callboard_csv::{write, write_json};
use usage_core::query::DaySpan;
use usage_core::{DateRange, UsageStore};
use wasm_bindgen::{JsCast, JsValue};

/// "Export CSV" and "Export JSON" buttons.
#[component]
pub fn ExportButtons(store: Signal<Arc<UsageStore>>, range: Memo<DateRange>) -> impl IntoView {
    let export = move |json: bool| {
        let range = range.get_untracked();
        let (from, to) = range.to_query();
        let span = DaySpan::from(&range);
        let (text, extension, mime) = store.with_untracked(|s| {
            if json { (write_json(s, span), "json", "application/json") } else { (write(s, span), "csv", "text/csv") }
        });
        if let Err(error) = download(&text, &format!("callboard-usage-{from}-to-{to}.{extension}"), mime) {
            web_sys::console::error_1(&error);
        }
    };
    view! {
        <span class="export">
            <button type="button" class="button button--small" on:click=move |_| export(false) data-testid="export-csv">"Export CSV"</button>
            <button type="button" class="button button--small" on:click=move |_| export(true) data-testid="export-json">"Export JSON"</button>
        </span>
    }
}

/// Saves `text` as a file through a temporary object URL.
fn download(text: &str, name: &str, mime: &str) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&JsValue::from_str(text)), &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
