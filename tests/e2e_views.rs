//! End to end: every view in the release build, under the sub-path with the strict CSP.
//!
//! Two files with IPs, users and modules (an access log and a generic CSV) are opened, then the
//! walk Overview → URLs → one URL → its clients → one client is made by mouse and again by
//! keyboard, checking the KPIs against a hand count at each step; Back, a reloaded deep link,
//! a table's CSV against its rows, and a screenshot of every view at DPR 2.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::time::Duration;

use chrono::Days;
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;

mod common;
use common::{ONE_BROWSER, eventually, script, start, text, today};

/// The files, counted by hand (all yesterday, UTC):
///
/// | line | client | user | IP | request | status | module |
/// |---|---|---|---|---|---|---|
/// | log 1 | ann | ann | 198.51.100.1 | GET /api/users/1 | 200 | |
/// | log 2 | ann | ann | 198.51.100.1 | GET /api/users/2 | 404 | |
/// | log 3 | bob | bob | 198.51.100.2 | GET /api/users/3 | 200 | |
/// | log 4 | bob | bob | 198.51.100.2 | POST /api/orders | 503 | |
/// | log 5 | (unknown) | | 198.51.100.3 | GET /api/orders | 200 | |
/// | csv 2 | billing | ann | 192.0.2.1 | GET /api/users/7 | 200 | users |
/// | csv 3 | billing | ann | 192.0.2.1 | GET /api/users/8 | 429 | users |
/// | csv 4 | billing | | 192.0.2.1 | POST /api/orders | 201 | orders |
/// | csv 5 | payroll | carol | 192.0.2.9 | GET /api/fees/9 | 500 | fees |
/// | csv 6 | payroll | carol | 192.0.2.9 | GET /api/users/10 | 200 | users |
///
/// 10 requests; errors 404, 503, 429, 500 (40.0 %); one 429; four clients that identify
/// themselves (ann, bob, billing, payroll) and some unidentified traffic.
/// `/api/users/{id}`: 6 requests (log 1–3, csv 2, 3, 6), errors 404 and 429 (33.3 %).
/// Its clients: ann 2, billing 2, bob 1, payroll 1. billing on it: 2 requests, one 429 (50.0 %).
fn write_files() -> (String, String) {
    let day = today().checked_sub_days(Days::new(1)).expect("yesterday");
    let clf = day.format("%d/%b/%Y");
    let log = format!(
        "198.51.100.1 - ann [{clf}:10:00:00 +0000] \"GET /api/users/1 HTTP/1.1\" 200 100 \"-\" \"curl\"\n\
         198.51.100.1 - ann [{clf}:10:01:00 +0000] \"GET /api/users/2 HTTP/1.1\" 404 10 \"-\" \"curl\"\n\
         198.51.100.2 - bob [{clf}:10:02:00 +0000] \"GET /api/users/3 HTTP/1.1\" 200 100 \"-\" \"curl\"\n\
         198.51.100.2 - bob [{clf}:10:03:00 +0000] \"POST /api/orders HTTP/1.1\" 503 10 \"-\" \"curl\"\n\
         198.51.100.3 - - [{clf}:10:04:00 +0000] \"GET /api/orders HTTP/1.1\" 200 50 \"-\" \"curl\"\n"
    );
    let csv = format!(
        "Time,Application,Method,Path,Status,Module,IP,User\n\
         {day}T11:00:00Z,billing,GET,/api/users/7,200,users,192.0.2.1,ann\n\
         {day}T11:00:01Z,billing,GET,/api/users/8,429,users,192.0.2.1,ann\n\
         {day}T11:00:02Z,billing,POST,/api/orders,201,orders,192.0.2.1,\n\
         {day}T11:00:03Z,payroll,GET,/api/fees/9,500,fees,192.0.2.9,carol\n\
         {day}T11:00:04Z,payroll,GET,/api/users/10,200,users,192.0.2.9,carol\n"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let (log_path, csv_path) = (dir.join("e2e-views-access.log"), dir.join("e2e-views-gateway.csv"));
    std::fs::write(&log_path, log).expect("write the log");
    std::fs::write(&csv_path, csv).expect("write the csv");
    (log_path.display().to_string(), csv_path.display().to_string())
}

/// The four KPIs as shown: total, clients, error rate, 429s.
async fn kpis(client: &fantoccini::Client) -> [String; 4] {
    let mut out = [String::new(), String::new(), String::new(), String::new()];
    for (slot, id) in out
        .iter_mut()
        .zip(["kpi-total-requests", "kpi-clients", "kpi-error-rate", "kpi-429"])
    {
        *slot = text(client, id).await;
    }
    out
}

/// Waits until the KPIs are `expected`.
async fn kpis_become(client: &fantoccini::Client, step: &str, expected: [&str; 4]) {
    eventually(step, || async { kpis(client).await == expected.map(str::to_owned) }).await;
}

/// A table's rows as (data-key, name, requests).
async fn rows(client: &fantoccini::Client, table: &str) -> serde_json::Value {
    script(
        client,
        &format!("return [...document.querySelectorAll('[data-testid={table}] tbody tr')].map(tr => [tr.dataset.key, tr.querySelector('th').textContent, tr.querySelector('td[data-col=requests]').textContent])"),
    )
    .await
}

/// Activates the element: a click, or Enter on it once it has the focus.
async fn activate(client: &fantoccini::Client, css: &str, keyboard: bool) {
    let element = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    if keyboard {
        script(
            client,
            &format!(
                "document.querySelector({}).focus(); return 0",
                serde_json::to_string(css).expect("json")
            ),
        )
        .await;
        assert_eq!(
            script(
                client,
                &format!(
                    "return document.activeElement === document.querySelector({})",
                    serde_json::to_string(css).expect("json")
                )
            )
            .await,
            json!(true),
            "{css} takes the focus"
        );
        element.send_keys(&Key::Enter.to_string()).await.expect("Enter");
    } else {
        element.click().await.expect("click");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_end_to_end() {
    let _one = ONE_BROWSER.lock().await;
    let (_driver, client, base) = start(|_, _| false, String::new()).await;
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let (log, csv) = write_files();

    client.goto(&base).await.expect("open the dashboard");
    text(&client, "kpi-total-requests").await;
    client
        .find(Locator::Css("[data-testid=file-input]"))
        .await
        .expect("input")
        .send_keys(&format!("{log}\n{csv}"))
        .await
        .expect("choose both");
    let banner = text(&client, "file-banner").await;
    assert!(
        banner.contains("(nginx/Apache access log)")
            && banner.contains("(CSV (columns matched by name))")
            && banner.contains("10 rows read"),
        "{banner}"
    );
    let all = ["10", "4", "40.0%", "1"];
    kpis_become(&client, "the files' KPIs", all).await;

    for keyboard in [false, true] {
        let how = if keyboard { "keyboard" } else { "mouse" };
        // Overview → URLs.
        activate(&client, "[data-testid=nav-urls]", keyboard).await;
        eventually("the URLs view", || async {
            rows(&client, "table-template")
                .await
                .as_array()
                .is_some_and(|r| r.len() == 3)
        })
        .await;
        assert_eq!(
            rows(&client, "table-template").await,
            json!([
                ["/api/users/{id}", "/api/users/{id}", "6"],
                ["/api/orders", "/api/orders", "3"],
                ["/api/fees/{id}", "/api/fees/{id}", "1"]
            ]),
            "{how}"
        );
        kpis_become(&client, "the URLs view keeps every request", all).await;
        // → one URL.
        activate(
            &client,
            "[data-testid=table-template] tr[data-key='/api/users/{id}'] a",
            keyboard,
        )
        .await;
        kpis_become(&client, "one URL", ["6", "4", "33.3%", "1"]).await;
        assert_eq!(
            script(
                &client,
                "return document.querySelectorAll('[data-testid=filter-pill]').length"
            )
            .await,
            json!(1)
        );
        // → its clients (the unidentified caller never called it).
        activate(&client, "[data-testid=nav-clients]", keyboard).await;
        eventually("the URL's clients", || async {
            rows(&client, "table-clients")
                .await
                .as_array()
                .is_some_and(|r| r.len() == 4)
        })
        .await;
        assert_eq!(
            rows(&client, "table-clients").await,
            json!([
                ["ann", "ann", "2"],
                ["billing", "billing", "2"],
                ["bob", "bob", "1"],
                ["payroll", "payroll", "1"]
            ]),
            "{how}"
        );
        // → one client.
        activate(
            &client,
            "[data-testid=table-clients] tr[data-key='billing'] a",
            keyboard,
        )
        .await;
        kpis_become(&client, "one client of one URL", ["2", "1", "50.0%", "1"]).await;
        let pills = script(&client, "return [...document.querySelectorAll('[data-testid=filter-pill]')].map(p => p.dataset.dimension + ':' + p.dataset.key)").await;
        assert_eq!(pills, json!(["template:/api/users/{id}", "client:billing"]));
        let url = client.current_url().await.expect("url");
        assert!(url.path().ends_with(common::SUB_PATH), "the same page: {url}");
        assert!(
            url.query()
                .unwrap_or("")
                .contains("view=clients&f=template:/api/users/%7Bid%7D&f=client:billing"),
            "{url}"
        );
        if !keyboard {
            std::fs::write(
                shots.join("view-drilled.png"),
                client.screenshot().await.expect("screenshot"),
            )
            .expect("save");
        }

        // Back twice: the URL view with its one filter.
        client.back().await.expect("back");
        client.back().await.expect("back");
        kpis_become(&client, "Back twice", ["6", "4", "33.3%", "1"]).await;
        assert_eq!(
            script(
                &client,
                "return document.querySelector('nav.tabs [aria-current=page]').dataset.testid"
            )
            .await,
            json!("nav-urls")
        );
        assert_eq!(
            rows(&client, "table-template").await,
            json!([["/api/users/{id}", "/api/users/{id}", "6"]])
        );
        // Forward once: its clients again.
        client.forward().await.expect("forward");
        eventually("Forward", || async {
            rows(&client, "table-clients")
                .await
                .as_array()
                .is_some_and(|r| r.len() == 4)
        })
        .await;
        // Back to the start without a reload (which would drop the files): no filters, Overview.
        activate(&client, "[data-testid=clear-filters]", keyboard).await;
        activate(&client, "[data-testid=nav-overview]", keyboard).await;
        kpis_become(&client, "the overview again", all).await;
        assert!(text(&client, "file-banner").await.contains("10 rows read"));
    }

    // Explore by IP, user and module: every dimension the files have, with the tables' sums.
    for (by, expected) in [
        (
            "ip",
            json!([
                ["192.0.2.1", "192.0.2.1", "3"],
                ["192.0.2.9", "192.0.2.9", "2"],
                ["198.51.100.1", "198.51.100.1", "2"],
                ["198.51.100.2", "198.51.100.2", "2"],
                ["198.51.100.3", "198.51.100.3", "1"]
            ]),
        ),
        (
            "user",
            json!([
                ["ann", "ann", "4"],
                ["", "Unknown", "2"],
                ["bob", "bob", "2"],
                ["carol", "carol", "2"]
            ]),
        ),
        (
            "module",
            json!([
                ["", "Unknown", "5"],
                ["users", "users", "3"],
                ["fees", "fees", "1"],
                ["orders", "orders", "1"]
            ]),
        ),
    ] {
        activate(&client, "[data-testid=nav-explore]", false).await;
        activate(&client, &format!("[data-testid=by-{by}]"), false).await;
        let table = format!("table-{by}");
        eventually("the breakdown", || async { rows(&client, &table).await == expected }).await;
        std::fs::write(
            shots.join(format!("view-explore-{by}.png")),
            client.screenshot().await.expect("screenshot"),
        )
        .expect("save");
    }

    // A table's CSV holds its rows in its order (here sorted by the 5xx column), with a line
    // naming the range and filters, and its name says them too.
    activate(&client, "[data-testid=nav-clients]", false).await;
    activate(&client, "button[data-sort='5xx']", false).await;
    eventually("sorted by 5xx", || async {
        rows(&client, "table-clients").await[0][0] == json!("bob")
    })
    .await;
    script(&client, "window.__exports = []; const original = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__exports.push(blob); return original.call(URL, blob); }; return 0").await;
    let name = script(&client, "const a = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = function () { window.__name = this.download; return a.call(this); }; return 0").await;
    assert_eq!(name, json!(0));
    activate(&client, "[data-testid=table-export]", false).await;
    let exported = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__exports[0].text().then(done)",
            vec![],
        )
        .await
        .expect("the CSV");
    let exported = exported.as_str().expect("text");
    let lines: Vec<&str> = exported.lines().collect();
    assert!(
        lines[0].starts_with("Callboard: requests by client from ") && lines[0].contains("(UTC days)"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "Client,Requests,2xx,3xx,4xx,429,5xx,Error %,Share,Bytes");
    let shown = rows(&client, "table-clients").await;
    let on_screen: Vec<(String, String)> = shown
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r[1].as_str().unwrap_or("").to_owned(),
                r[2].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let in_file: Vec<(String, String)> = lines[2..lines.len() - 1]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_owned(), cells[1].to_owned())
        })
        .collect();
    assert_eq!(in_file, on_screen, "the CSV's rows are the screen's, in its order");
    assert_eq!(
        lines.last().map(|l| l.starts_with("All clients,10,")),
        Some(true),
        "{exported}"
    );
    let file_name = script(&client, "return window.__name").await;
    assert!(
        file_name
            .as_str()
            .is_some_and(|n| n.starts_with("callboard-client-") && n.ends_with("-UTC.csv")),
        "{file_name}"
    );

    // A deep link reloads to the same view (on the demo data, which a reload brings back).
    let deep = format!("{base}?view=explore&by=module&f=method:POST&sort=-requests");
    client.goto(&deep).await.expect("a deep link");
    let store = usage_core::demo::demo_store(today()).expect("the demo");
    let range = usage_core::DateRange::default_for(today());
    let span = usage_core::query::DaySpan::from(&range);
    let filter = usage_core::RecordFilter::new(
        &store,
        &[usage_core::Filter {
            dimension: usage_core::Dimension::Method,
            key: "POST".into(),
        }],
    );
    let expected = store.totals(span, &filter);
    eventually("the deep link's KPIs", || async {
        text(&client, "kpi-total-requests").await == usage_core::format::thousands(expected.total())
    })
    .await;
    client.refresh().await.expect("reload");
    eventually("the same after a reload", || async {
        text(&client, "kpi-total-requests").await == usage_core::format::thousands(expected.total())
    })
    .await;
    let modules = store
        .breakdown(span, usage_core::Dimension::Module, &filter, false)
        .rows;
    let keys: Vec<String> = modules
        .iter()
        .map(|r| store.key_text(usage_core::Dimension::Module, r.key))
        .collect();
    let shown = script(
        &client,
        "return [...document.querySelectorAll('[data-testid=table-module] tbody tr')].map(tr => tr.dataset.key)",
    )
    .await;
    assert_eq!(shown, json!(keys));
    assert_eq!(
        script(
            &client,
            "return document.querySelectorAll('[data-testid=filter-pill]').length"
        )
        .await,
        json!(1)
    );

    // Screenshots of every view on the demo data, for people to look at.
    for (name, query) in [
        ("overview", ""),
        ("clients", "?view=clients"),
        ("urls", "?view=urls"),
        ("explore", "?view=explore&by=template"),
        ("explore-list", "?view=explore&by=client"),
    ] {
        client.goto(&format!("{base}{query}")).await.expect("a view");
        text(&client, "kpi-total-requests").await;
        if name == "explore-list" {
            activate(&client, "[data-testid=show-list]", false).await;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(script(&client, "return devicePixelRatio").await, json!(2));
        std::fs::write(
            shots.join(format!("view-{name}.png")),
            client.screenshot().await.expect("screenshot"),
        )
        .expect("save");
    }
    let csp = script(&client, "return document.body.dataset.cspViolations || '0'").await;
    assert_eq!(csp, json!("0"), "no CSP violations");
    client.close().await.expect("end the session");
}

// Guards the pager of a long table: 250 IPs show a hundred at a time; "Next" (by mouse) and
// "Previous" (by keyboard) move by a hundred, each page holding the rows the table ranks there,
// and "Next" is disabled on the last page. Its closure once ended the button's tag at `>=`, so
// the button showed its own code as text and never moved (seen in a screenshot).
#[tokio::test(flavor = "multi_thread")]
async fn a_long_table_pages() {
    let _one = ONE_BROWSER.lock().await;
    let (_driver, client, base) = start(|_, _| false, String::new()).await;
    let day = today().checked_sub_days(Days::new(1)).expect("yesterday");
    let ips: Vec<String> = (0..250).map(|i| format!("10.0.{}.{}", i / 100, i % 100)).collect();
    let mut csv = String::from("Time,Application,Method,Path,Status,Module,IP,User\n");
    for (i, ip) in ips.iter().enumerate() {
        csv.push_str(&format!(
            "{day}T12:{:02}:{:02}Z,billing,GET,/api/users/{i},200,users,{ip},ann\n",
            i / 60,
            i % 60
        ));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-views-ips.csv");
    std::fs::write(&path, csv).expect("write the csv");
    client.goto(&base).await.expect("open the dashboard");
    text(&client, "kpi-total-requests").await;
    client
        .find(Locator::Css("[data-testid=file-input]"))
        .await
        .expect("input")
        .send_keys(&path.display().to_string())
        .await
        .expect("choose it");
    kpis_become(&client, "the file's KPIs", ["250", "1", "0.0%", "0"]).await;
    activate(&client, "[data-testid=nav-explore]", false).await;
    activate(&client, "[data-testid=by-ip]", false).await;
    // One request each: ranked by their text.
    let mut ranked = ips.clone();
    ranked.sort();
    let keys = || async {
        script(
            &client,
            "return [...document.querySelectorAll('[data-testid=table-ip] tbody tr')].map(tr => tr.dataset.key)",
        )
        .await
    };
    let page = || async {
        script(
            &client,
            "return document.querySelector('[data-testid=table-page]')?.textContent ?? ''",
        )
        .await
    };
    eventually("the first page", || async { keys().await == json!(ranked[..100]) }).await;
    assert_eq!(text(&client, "table-next").await, "Next");
    activate(&client, "[data-testid=table-next]", false).await;
    eventually("the second page", || async { keys().await == json!(ranked[100..200]) }).await;
    assert_eq!(page().await, json!("Rows 101–200 of 250"));
    activate(&client, "[data-testid=table-next]", false).await;
    eventually("the last page", || async { keys().await == json!(ranked[200..]) }).await;
    assert_eq!(
        script(
            &client,
            "return document.querySelector('[data-testid=table-next]').disabled"
        )
        .await,
        json!(true),
        "no page after the last"
    );
    activate(&client, "[data-testid=table-prev]", true).await;
    eventually("back a page", || async { keys().await == json!(ranked[100..200]) }).await;
}
