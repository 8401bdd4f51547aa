//! Export what the dashboard counts, as Callboard CSV or JSON.
//!
//! The export holds exactly the records the KPIs count for the range and filters on screen, so
//! it always matches the screen, and Callboard reads it back into the same numbers.

use leptos::prelude::*;
use usage_core::formats::callboard_csv::{write, write_json};
use usage_core::table::file_name;
use wasm_bindgen::{JsCast, JsValue};

use crate::state::Dashboard;

/// "Export CSV" and "Export JSON" buttons: every record behind the KPIs.
#[component]
pub fn ExportButtons() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let export = move |json: bool| {
        let state = dashboard.view.get_untracked();
        let span = dashboard.span.get_untracked();
        let (text, extension, mime) = dashboard.store.with_untracked(|s| {
            dashboard.filter.with_untracked(|f| {
                if json {
                    (write_json(s, span, f), "json", "application/json")
                } else {
                    (write(s, span, f), "csv", "text/csv")
                }
            })
        });
        // callboard-records-<range>-UTC[-<filters>].csv, named like the tables' exports.
        let name = file_name(
            usage_core::Dimension::Client,
            &state.range,
            &state.filters,
            &dashboard.zone_label.get_untracked(),
        )
        .replacen("callboard-client-", "callboard-records-", 1)
        .replace(".csv", &format!(".{extension}"));
        if let Err(error) = download(&text, &name, mime) {
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
pub fn download(text: &str, name: &str, mime: &str) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&JsValue::from_str(text)), &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
