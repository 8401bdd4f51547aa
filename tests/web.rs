//! Browser tests: the real `App` mounted in headless Chromium (wasm-bindgen-test).
//!
//! Each test computes its expectation with the core from the same demo data
//! and compares it with what the page shows.
#![cfg(target_arch = "wasm32")]

use callboard::app::App;
use callboard::state::clock::today_utc;
use leptos::mount::mount_to;
use usage_core::format::{percent, thousands};
use usage_core::query::DaySpan;
use usage_core::selection::STORAGE_KEY;
use usage_core::{BreakdownRow, DateRange, Dimension, Filter, RecordFilter, SortColumn, StatusClass, UsageStore};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

fn storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// Mounts the app in a fresh container, on a URL without a range, and lets it settle.
async fn mount() -> (HtmlElement, impl Drop) {
    mount_at("").await
}

/// Mounts the app on this page with `query` (`?view=urls`), and lets it settle.
async fn mount_at(query: &str) -> (HtmlElement, impl Drop) {
    let window = web_sys::window().expect("a window");
    let path = window.location().pathname().expect("a path");
    window
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}")))
        .expect("reset URL");
    let container: HtmlElement = document().create_element("div").expect("div").unchecked_into();
    document()
        .body()
        .expect("body")
        .append_child(&container)
        .expect("append");
    let handle = mount_to(container.clone(), App);
    settle().await;
    (container, handle)
}

async fn settle() {
    for _ in 0..6 {
        leptos::task::tick().await;
    }
    // A navigation lands in a later task than the click.
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(timeout).await;
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

fn find(root: &HtmlElement, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("{selector} not found"))
}

fn text(root: &HtmlElement, selector: &str) -> String {
    find(root, selector)
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn click(root: &HtmlElement, selector: &str) {
    find(root, selector).unchecked_into::<HtmlElement>().click();
}

fn all(root: &HtmlElement, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// The demo data and default range the app shows today, computed with the core alone.
fn expected_store() -> (UsageStore, DaySpan) {
    let today = today_utc();
    let store = usage_core::demo::demo_store(today).expect("demo data");
    let range = DateRange::default_for(today);
    (store, DaySpan::from(&range))
}

fn row_ids(root: &HtmlElement) -> Vec<String> {
    all(root, "[data-testid=table-clients] tbody tr")
        .iter()
        .filter_map(|tr| tr.get_attribute("data-client-id"))
        .collect()
}

/// Every client in the default range, ranked as the dashboard ranks them.
fn ranked_clients(store: &UsageStore, span: DaySpan) -> Vec<BreakdownRow> {
    store
        .breakdown(span, Dimension::Client, &RecordFilter::all(), false)
        .rows
        .to_vec()
}

/// The request counts of a table's rows, read from its `data-col="requests"` cells.
fn requests_column(root: &HtmlElement, table: &str) -> Vec<u64> {
    all(root, &format!("[data-testid={table}] tbody tr td[data-col=requests]"))
        .iter()
        .map(|td| {
            td.text_content()
                .unwrap_or_default()
                .replace(',', "")
                .parse::<u64>()
                .expect("a whole number")
        })
        .collect()
}

// Guards that the KPI tiles and the table show exactly the core's numbers for the same data.
#[wasm_bindgen_test]
async fn kpis_show_what_the_core_computes() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let (root, _app) = mount().await;
    let (store, span) = expected_store();
    let breakdown = store.breakdown(span, Dimension::Client, &RecordFilter::all(), false);
    let (ranked, totals) = (breakdown.rows, breakdown.total);

    assert_eq!(
        text(&root, "[data-testid=kpi-total-requests]"),
        thousands(totals.total())
    );
    assert_eq!(
        text(&root, "[data-testid=kpi-clients]"),
        thousands(usage_core::query::client_count(&store, &ranked).identified as u64)
    );
    assert_eq!(
        text(&root, "[data-testid=kpi-error-rate]"),
        percent(totals.error_rate())
    );
    assert_eq!(
        text(&root, "[data-testid=kpi-429]"),
        thousands(totals.get(StatusClass::RateLimited))
    );
    assert!(totals.total() > 1_000_000, "the demo should have realistic volume");

    let rows = all(&root, "[data-testid=table-clients] tbody tr");
    assert_eq!(rows.len(), ranked.len(), "one row per client in range");
    let first = rows[0]
        .query_selector("td")
        .expect("selector")
        .expect("a cell")
        .text_content()
        .unwrap_or_default();
    assert_eq!(first, thousands(ranked[0].counts.total()));
}

// Guards header sorting: a click sorts by that column as the core does, a second click reverses it, aria-sort follows.
#[wasm_bindgen_test]
async fn clicking_a_header_resorts_the_table() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let (root, _app) = mount().await;
    let (store, span) = expected_store();
    let ids = |rows: &[BreakdownRow]| {
        rows.iter()
            .map(|u| store.client_id(u.key).to_owned())
            .collect::<Vec<_>>()
    };
    let mut rows = ranked_clients(&store, span);
    assert_eq!(row_ids(&root), ids(&rows), "initial order is by requests");

    click(&root, "button[data-sort='429']");
    settle().await;
    store.sort_rows(
        &mut rows,
        Dimension::Client,
        SortColumn::Class(StatusClass::RateLimited),
        true,
    );
    assert_eq!(row_ids(&root), ids(&rows));
    let header = find(&root, "button[data-sort='429']").parent_element().expect("th");
    assert_eq!(header.get_attribute("aria-sort").as_deref(), Some("descending"));

    click(&root, "button[data-sort='429']");
    settle().await;
    store.sort_rows(
        &mut rows,
        Dimension::Client,
        SortColumn::Class(StatusClass::RateLimited),
        false,
    );
    assert_eq!(row_ids(&root), ids(&rows));
    assert_eq!(header.get_attribute("aria-sort").as_deref(), Some("ascending"));

    click(&root, "button[data-sort='Client']");
    settle().await;
    store.sort_rows(&mut rows, Dimension::Client, SortColumn::Name, false);
    assert_eq!(row_ids(&root), ids(&rows));
    assert_eq!(header.get_attribute("aria-sort").as_deref(), Some("none"));
    let search = web_sys::window().expect("window").location().search().expect("search");
    assert!(search.contains("sort=name"), "the order lives in the link: {search}");
}

// Guards that every chart canvas is drawn (non-white pixels) at device-pixel resolution.
#[wasm_bindgen_test]
async fn every_chart_canvas_is_drawn() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let (root, _app) = mount().await;
    let ratio = web_sys::window().expect("window").device_pixel_ratio();
    for id in [
        "chart-line",
        "chart-bars",
        "chart-doughnut",
        "chart-status-codes",
        "chart-top-urls",
    ] {
        let canvas: web_sys::HtmlCanvasElement = find(&root, &format!("[data-testid={id}]")).unchecked_into();
        let css_width = canvas.get_bounding_client_rect().width();
        assert_eq!(
            canvas.width(),
            (css_width * ratio).round() as u32,
            "{id} backing store follows devicePixelRatio"
        );
        let context: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").expect("context").expect("2d").unchecked_into();
        let (w, h) = (canvas.width(), canvas.height());
        let pixels = context
            .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
            .expect("pixels")
            .data();
        let drawn = pixels
            .chunks(4)
            .filter(|p| p[3] > 0 && (p[0] < 240 || p[1] < 240 || p[2] < 240))
            .count();
        let share = drawn as f64 / f64::from(w * h);
        assert!(share > 0.02, "{id}: only {drawn} of {} pixels drawn", w * h);
    }
}

// Guards that a selection made in the dialog is saved to localStorage and survives a remount.
#[wasm_bindgen_test]
async fn selection_survives_a_remount() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let zapier = "e61f2b7c-zapier";
    {
        let (root, _app) = mount().await;
        click(&root, "[data-testid=open-selection]");
        settle().await;
        click(
            &root,
            "[data-testid=selection-clients] .choices__actions button:last-child",
        ); // Clear
        settle().await;
        click(
            &root,
            &format!("[data-testid=selection-clients] input[data-key='{zapier}']"),
        );
        settle().await;
        click(&root, "[data-testid=selection-apply]");
        settle().await;
        let chosen: Vec<String> = all(&root, "[data-testid=selected-clients] li")
            .iter()
            .map(|li| li.text_content().unwrap_or_default())
            .collect();
        assert_eq!(chosen, ["Zapier Connector"]);
    }
    let saved = storage().get_item(STORAGE_KEY).expect("read").expect("saved");
    assert!(saved.contains(zapier), "{saved}");

    let (root, _app) = mount().await;
    let chosen: Vec<String> = all(&root, "[data-testid=selected-clients] li")
        .iter()
        .map(|li| li.text_content().unwrap_or_default())
        .collect();
    assert_eq!(chosen, ["Zapier Connector"]);
    storage().remove_item(STORAGE_KEY).expect("clear");
}

// Guards that a corrupt stored selection gives the default top 5 and a quiet notice, not a broken page.
#[wasm_bindgen_test]
async fn corrupt_selection_falls_back_to_defaults() {
    storage()
        .set_item(STORAGE_KEY, "{\"version\":1,\"clients\":")
        .expect("write");
    let (root, _app) = mount().await;
    let (store, span) = expected_store();
    let top5: Vec<String> = ranked_clients(&store, span)
        .iter()
        .take(5)
        .map(|u| store.client_name(u.key).to_owned())
        .collect();
    let chosen: Vec<String> = all(&root, "[data-testid=selected-clients] li")
        .iter()
        .map(|li| li.text_content().unwrap_or_default())
        .collect();
    assert_eq!(chosen, top5);
    assert!(text(&root, "[data-testid=selection-notice]").contains("could not be read"));
    assert!(!text(&root, "[data-testid=kpi-total-requests]").is_empty());
    storage().remove_item(STORAGE_KEY).expect("clear");
}

// Guards "Restore defaults": it brings back the top 5 and removes the saved choice.
#[wasm_bindgen_test]
async fn restore_defaults_brings_back_the_top_five() {
    storage()
        .set_item(
            STORAGE_KEY,
            r#"{"version":1,"clients":["e61f2b7c-zapier"],"templates":null}"#,
        )
        .expect("write");
    let (root, _app) = mount().await;
    let chosen: Vec<String> = all(&root, "[data-testid=selected-clients] li")
        .iter()
        .map(|li| li.text_content().unwrap_or_default())
        .collect();
    assert_eq!(chosen, ["Zapier Connector"]);

    click(&root, "[data-testid=open-selection]");
    settle().await;
    click(&root, "[data-testid=selection-restore]");
    settle().await;
    let (store, span) = expected_store();
    let top5: Vec<String> = ranked_clients(&store, span)
        .iter()
        .take(5)
        .map(|u| store.client_name(u.key).to_owned())
        .collect();
    let chosen: Vec<String> = all(&root, "[data-testid=selected-clients] li")
        .iter()
        .map(|li| li.text_content().unwrap_or_default())
        .collect();
    assert_eq!(chosen, top5);
    assert_eq!(
        storage().get_item(STORAGE_KEY).expect("read"),
        None,
        "defaults are stored as no entry"
    );
}

// Guards every view: it mounts from its link, its table has one row per value, and
// the rows' requests add up to the KPI, which is the core's total.
#[wasm_bindgen_test]
async fn each_view_mounts_and_its_table_sums_to_the_kpi() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let (store, span) = expected_store();
    let total = store.totals(span, &RecordFilter::all()).total();
    for (query, table, dimension) in [
        ("?view=overview", "table-clients", Dimension::Client),
        ("?view=clients", "table-clients", Dimension::Client),
        ("?view=urls", "table-template", Dimension::Template),
        ("?view=explore&by=ip", "table-ip", Dimension::Ip),
        ("?view=explore&by=method", "table-method", Dimension::Method),
        ("?view=explore&by=status", "table-status", Dimension::Status),
        ("?view=explore&by=module", "table-module", Dimension::Module),
        ("?view=explore&by=user", "table-user", Dimension::User),
    ] {
        let (root, _app) = mount_at(query).await;
        assert_eq!(
            text(&root, "[data-testid=kpi-total-requests]"),
            thousands(total),
            "{query}"
        );
        let requests = requests_column(&root, table);
        let rows = store.breakdown(span, dimension, &RecordFilter::all(), false).rows;
        assert_eq!(requests.len(), rows.len(), "{query}: one row per value");
        assert_eq!(requests.iter().sum::<u64>(), total, "{query}: rows add up to the KPI");
        let current = find(&root, "nav.tabs [aria-current=page]")
            .get_attribute("data-testid")
            .unwrap_or_default();
        assert!(
            query.contains(current.trim_start_matches("nav-")),
            "{query}: the current tab is {current}"
        );
    }
}

// Guards drill-down: clicking a row's name adds its filter to the link, and the KPIs
// then show the core's figures for that filter; a second drill combines with the first.
#[wasm_bindgen_test]
async fn clicking_a_row_filters_the_whole_dashboard() {
    storage().remove_item(STORAGE_KEY).expect("clear");
    let (store, span) = expected_store();
    let (root, _app) = mount_at("?view=urls").await;
    let template = "/api/v2/orders/{id}";
    click(
        &root,
        &format!("[data-testid=table-template] tr[data-key='{template}'] a"),
    );
    settle().await;
    let one = [Filter {
        dimension: Dimension::Template,
        key: template.to_owned(),
    }];
    let expected = store.totals(span, &RecordFilter::new(&store, &one));
    assert_eq!(
        text(&root, "[data-testid=kpi-total-requests]"),
        thousands(expected.total())
    );
    assert_eq!(
        text(&root, "[data-testid=kpi-error-rate]"),
        percent(expected.error_rate())
    );
    assert_eq!(all(&root, "[data-testid=filter-pill]").len(), 1);
    assert_eq!(
        requests_column(&root, "table-template"),
        [expected.total()],
        "the URL table shows only that URL"
    );

    click(&root, "[data-testid=nav-clients]");
    settle().await;
    // The second client of that URL, by requests.
    let callers = store
        .breakdown(span, Dimension::Client, &RecordFilter::new(&store, &one), false)
        .rows;
    assert!(callers.len() > 1, "the URL has several clients");
    let client = store.client_id(callers[1].key).to_owned();
    assert_eq!(
        row_ids(&root),
        callers
            .iter()
            .map(|r| store.client_id(r.key).to_owned())
            .collect::<Vec<_>>(),
        "the clients of that URL"
    );
    click(&root, &format!("[data-testid=table-clients] tr[data-key='{client}'] a"));
    settle().await;
    let two = [
        one[0].clone(),
        Filter {
            dimension: Dimension::Client,
            key: client.clone(),
        },
    ];
    let expected = store.totals(span, &RecordFilter::new(&store, &two));
    assert!(expected.total() > 0 && expected.total() < store.totals(span, &RecordFilter::new(&store, &one)).total());
    assert_eq!(
        text(&root, "[data-testid=kpi-total-requests]"),
        thousands(expected.total())
    );
    assert_eq!(text(&root, "[data-testid=kpi-clients]"), "1");
    assert_eq!(all(&root, "[data-testid=filter-pill]").len(), 2);

    // The pill's button takes its filter away again.
    click(&root, "[data-testid=filter-pill]:last-child button");
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=kpi-total-requests]"),
        thousands(store.totals(span, &RecordFilter::new(&store, &one)).total())
    );
}

// Guards the page–worker wire: a store taken apart, sent as typed arrays and put back
// together is the same store; an outcome and every kind of failure read back as they were written.
#[wasm_bindgen_test]
fn the_worker_wire_round_trips() {
    use callboard::ingest::protocol::{
        Failure, LiveInfo, Outcome, ReadFile, column_from_js, column_to_js, failure_from_js, failure_to_js,
        header_from_js, header_to_js, outcome_from_js, outcome_to_js,
    };
    use usage_core::formats::tabular::{ColumnMapping, Field, propose};
    use usage_core::formats::{ReadReport, RowProblem};
    use usage_core::parts::Assembler;
    use usage_core::rest::{ApiMeta, MetaClient, Quota};

    let store = usage_core::demo::demo_store(today_utc()).expect("demo data");
    let expected = store.fingerprint();
    let transfer = js_sys::Array::new();
    let (header, columns) = store.into_parts();
    let header = header_to_js(header, &transfer);
    let sent: Vec<(&str, wasm_bindgen::JsValue)> =
        columns.iter().map(|c| (c.name(), column_to_js(c, &transfer))).collect();
    assert!(transfer.length() > 10, "every column travels as a transferable buffer");
    let mut assembler = Assembler::new(header_from_js(&header).expect("header")).expect("checked header");
    for (name, value) in sent.iter().rev() {
        assembler
            .add(column_from_js(name, value).expect("a column"))
            .expect("a checked column");
    }
    assert_eq!(assembler.finish().expect("a store").fingerprint(), expected);

    // A 3scale metric in MB (a measure, not requests) travels too.
    let transfer_json = r#"{"metric":{"id":2,"name":"Data transfer","system_name":"data_transfer","unit":"MB"},"period":{"since":"2026-11-20T00:00:00+00:00","granularity":"day"},"values":[1500,0,7],"application":{"id":7,"name":"Partner Portal"}}"#;
    let (measured, _) = usage_core::formats::read_in_chunks(
        usage_core::formats::Format::ThreeScaleUsage,
        transfer_json.as_bytes(),
        64,
    )
    .expect("readable");
    let (expected, measures) = (measured.fingerprint(), measured.measures().to_vec());
    assert_eq!(measures[0].points.len(), 3);
    let (header, columns) = measured.into_parts();
    let transfer = js_sys::Array::new();
    let mut assembler =
        Assembler::new(header_from_js(&header_to_js(header, &transfer)).expect("header")).expect("checked header");
    for column in &columns {
        assembler
            .add(column_from_js(column.name(), &column_to_js(column, &transfer)).expect("a column"))
            .expect("a checked column");
    }
    let again = assembler.finish().expect("a store");
    assert_eq!((again.fingerprint(), again.measures()), (expected, measures.as_slice()));

    let mapping = ColumnMapping {
        columns: vec![(Field::Time, 0), (Field::Status, 2)],
    };
    let outcome = Outcome {
        files: vec![ReadFile {
            name: "a.csv".into(),
            format: "Callboard CSV".into(),
            report: ReadReport {
                rows: 7,
                skipped: 1,
                problems: vec![RowProblem {
                    line: 3,
                    reason: "bad “row”".into(),
                }],
                notes: vec!["a note".into()],
                warned: 2,
                warnings: vec![RowProblem {
                    line: 5,
                    reason: "not UTF-8".into(),
                }],
            },
        }],
        duplicates: vec!["b.csv was chosen twice; it was read once.".into()],
        mappings_used: vec![("date,time".into(), mapping.clone())],
        log_formats_used: vec!["log_format api '$time_iso8601 $status \"$request\"';".into()],
        live: Some(LiveInfo {
            url: "https://x.example/api".into(),
            kind: "Callboard usage API".into(),
            fetched_at: "2026-11-29T10:00:00.000Z".into(),
            from: "2026-11-01".into(),
            to: "2026-11-28".into(),
            caveat: None,
            meta: Some(Ok(ApiMeta {
                clients: vec![
                    MetaClient {
                        id: "a".into(),
                        name: Some("A".into()),
                    },
                    MetaClient {
                        id: "b".into(),
                        name: None,
                    },
                ],
                metrics: vec!["requests".into()],
                timezone: "UTC".into(),
                retention_days: Some(90),
                quota: Some(Quota {
                    limit: u64::MAX,
                    window: "month".into(),
                    used: 12,
                }),
                dimensions: vec![usage_core::Dimension::Client, usage_core::Dimension::Ip],
                filters: true,
            })),
            served_from: Some("https://y.example/usage".into()),
            zone: Some("Asia/Kathmandu".into()),
            // Counted latencies travel as numbers, huge ones (9e12 µs) exactly.
            latency: vec![
                1.0,
                1.0,
                1.0,
                86_400.0,
                172_800.0,
                1.0,
                3.0,
                10.0,
                9_000_000_000_000.0,
                30.0,
                0.0,
            ],
            latency_keys: vec!["/a".into(), "O'Brien <b>".into()],
        }),
    };
    assert_eq!(outcome_from_js(&outcome_to_js(&outcome)), outcome);
    let proposal = propose(&["date".to_owned(), "time".to_owned(), "status".to_owned()]);
    for failure in [
        Failure::NeedsMapping {
            name: "t.csv".into(),
            proposal: Box::new(proposal.clone()),
        },
        Failure::NoRows {
            message: "t.csv has no usable rows".into(),
            name: "t.csv".into(),
            proposal: Some(Box::new(proposal)),
        },
        Failure::NoRows {
            message: "x has no usable rows".into(),
            name: "x".into(),
            proposal: None,
        },
        Failure::NeedsLogFormat {
            message: "api.log: its lines are not in a format Callboard knows".into(),
            name: "api.log".into(),
            sample: "2026-12-07T02:48:06+00:00 200 \"GET / HTTP/1.1\" \"sk_l…1111\"".into(),
            mismatch: Some("$time_iso8601, from column 1, is never followed by “ [”".into()),
        },
        Failure::Other("the load was cancelled".into()),
    ] {
        assert_eq!(failure_from_js(&failure_to_js(&failure)), failure);
    }
}
