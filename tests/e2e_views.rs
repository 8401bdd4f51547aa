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
use serde_json::json;

mod common;
use common::{Page, Session, eventually, script, today};

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

/// Waits until the four KPIs (total, clients, error rate, 429s) are `expected`.
async fn kpis_become(page: &Page, step: &str, expected: [&str; 4]) {
    eventually(step, || async { page.kpis().await == expected.map(str::to_owned) }).await;
}

/// Table `id`'s rows as (key, name, requests).
async fn rows(page: &Page, id: &str) -> Vec<Vec<String>> {
    page.rows(id, &["requests"]).await
}

/// `[key, name, requests]` rows, written as the tests expect them.
fn expect(rows: &[[&str; 3]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_end_to_end() {
    let session = Session::start(|_, _| false, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let (log, csv) = write_files();

    session.step("both files open, and the banner names their formats");
    page.goto(&base).await;
    page.kpi("total-requests").await;
    page.open_files(&[Path::new(&log), Path::new(&csv)]).await;
    let banner = page.text("file-banner").await;
    assert!(
        banner.contains("(nginx/Apache access log)")
            && banner.contains("(CSV (columns matched by name))")
            && banner.contains("10 rows read"),
        "{banner}"
    );
    let all = ["10", "4", "40.0%", "1"];
    kpis_become(page, "the files' KPIs", all).await;

    for keyboard in [false, true] {
        let how = if keyboard { "keyboard" } else { "mouse" };
        session.step(&format!("by {how}: Overview → URLs lists the three templates"));
        page.tab_by("urls", keyboard).await;
        eventually("the URLs view", || async {
            rows(page, "table-template").await.len() == 3
        })
        .await;
        assert_eq!(
            rows(page, "table-template").await,
            expect(&[
                ["/api/users/{id}", "/api/users/{id}", "6"],
                ["/api/orders", "/api/orders", "3"],
                ["/api/fees/{id}", "/api/fees/{id}", "1"]
            ]),
            "{how}"
        );
        kpis_become(page, "the URLs view keeps every request", all).await;
        session.step(&format!("by {how}: one URL filters the KPIs to its requests"));
        page.drill("table-template", "/api/users/{id}", keyboard).await;
        kpis_become(page, "one URL", ["6", "4", "33.3%", "1"]).await;
        assert_eq!(page.count("filter-pill").await, 1);
        session.step(&format!(
            "by {how}: the URL's clients (the unidentified caller never called it)"
        ));
        page.tab_by("clients", keyboard).await;
        eventually("the URL's clients", || async {
            rows(page, "table-clients").await.len() == 4
        })
        .await;
        assert_eq!(
            rows(page, "table-clients").await,
            expect(&[
                ["ann", "ann", "2"],
                ["billing", "billing", "2"],
                ["bob", "bob", "1"],
                ["payroll", "payroll", "1"]
            ]),
            "{how}"
        );
        session.step(&format!("by {how}: one client of one URL, in the link"));
        page.drill("table-clients", "billing", keyboard).await;
        kpis_become(page, "one client of one URL", ["2", "1", "50.0%", "1"]).await;
        assert_eq!(page.pills().await, ["template:/api/users/{id}", "client:billing"]);
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

        session.step(&format!("by {how}: Back twice shows the URL view with its one filter"));
        client.back().await.expect("back");
        client.back().await.expect("back");
        kpis_become(page, "Back twice", ["6", "4", "33.3%", "1"]).await;
        assert_eq!(page.current_tab().await, "nav-urls");
        assert_eq!(
            rows(page, "table-template").await,
            expect(&[["/api/users/{id}", "/api/users/{id}", "6"]])
        );
        session.step(&format!("by {how}: Forward shows its clients again"));
        client.forward().await.expect("forward");
        eventually("Forward", || async { rows(page, "table-clients").await.len() == 4 }).await;
        session.step(&format!(
            "by {how}: clearing the filters without a reload keeps the files"
        ));
        page.activate("clear-filters", keyboard).await;
        page.tab_by("overview", keyboard).await;
        kpis_become(page, "the overview again", all).await;
        assert!(page.text("file-banner").await.contains("10 rows read"));
    }

    session.step("Explore by IP, user and module: every dimension the files have, with the tables' sums");
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
        page.tab("explore").await;
        page.group_by(by).await;
        let table = format!("table-{by}");
        let expected: Vec<Vec<String>> = serde_json::from_value(expected).expect("rows");
        eventually("the breakdown", || async { rows(page, &table).await == expected }).await;
        std::fs::write(
            shots.join(format!("view-explore-{by}.png")),
            client.screenshot().await.expect("screenshot"),
        )
        .expect("save");
    }

    session.step("a table's CSV holds its rows in its order, with a line naming the range and filters");
    page.tab("clients").await;
    page.sort_by("5xx", false).await;
    eventually("sorted by 5xx", || async {
        rows(page, "table-clients").await.first().is_some_and(|r| r[0] == "bob")
    })
    .await;
    script(client, "window.__exports = []; const original = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__exports.push(blob); return original.call(URL, blob); }; return 0").await;
    let name = script(client, "const a = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = function () { window.__name = this.download; return a.call(this); }; return 0").await;
    assert_eq!(name, json!(0));
    page.activate("table-export", false).await;
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
    let on_screen: Vec<(String, String)> = rows(page, "table-clients")
        .await
        .into_iter()
        .map(|r| (r[1].clone(), r[2].clone()))
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
    let file_name = script(client, "return window.__name").await;
    assert!(
        file_name
            .as_str()
            .is_some_and(|n| n.starts_with("callboard-client-") && n.ends_with("-UTC.csv")),
        "{file_name}"
    );

    session.step("a deep link reloads to the same view (on the demo data, which a reload brings back)");
    let deep = format!("{base}?view=explore&by=module&f=method:POST&sort=-requests");
    page.goto(&deep).await;
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
        page.text("kpi-total-requests").await == usage_core::format::thousands(expected.total())
    })
    .await;
    client.refresh().await.expect("reload");
    eventually("the same after a reload", || async {
        page.text("kpi-total-requests").await == usage_core::format::thousands(expected.total())
    })
    .await;
    let modules = store
        .breakdown(span, usage_core::Dimension::Module, &filter, false)
        .rows;
    let keys: Vec<String> = modules
        .iter()
        .map(|r| store.key_text(usage_core::Dimension::Module, r.key))
        .collect();
    assert_eq!(page.row_keys("table-module").await, keys);
    assert_eq!(page.count("filter-pill").await, 1);

    session.step("screenshots of every view on the demo data at DPR 2");
    for (name, query) in [
        ("overview", ""),
        ("clients", "?view=clients"),
        ("urls", "?view=urls"),
        ("explore", "?view=explore&by=template"),
        ("explore-list", "?view=explore&by=client"),
    ] {
        page.goto(&format!("{base}{query}")).await;
        page.kpi("total-requests").await;
        if name == "explore-list" {
            page.activate("show-list", false).await;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(script(client, "return devicePixelRatio").await, json!(2));
        std::fs::write(
            shots.join(format!("view-{name}.png")),
            client.screenshot().await.expect("screenshot"),
        )
        .expect("save");
    }
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");
    session.end().await;
}

// Guards the pager of a long table: 250 IPs show a hundred at a time; "Next" (by mouse) and
// "Previous" (by keyboard) move by a hundred, each page holding the rows the table ranks there,
// and "Next" is disabled on the last page. Its closure once ended the button's tag at `>=`, so
// the button showed its own code as text and never moved (seen in a screenshot).
#[tokio::test(flavor = "multi_thread")]
async fn a_long_table_pages() {
    let session = Session::start(|_, _| false, String::new()).await;
    let (page, base) = (&*session, session.base.clone());
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
    page.goto(&base).await;
    page.kpi("total-requests").await;
    page.open_files(&[&path]).await;
    kpis_become(page, "the file's KPIs", ["250", "1", "0.0%", "0"]).await;
    session.step("the first hundred IPs, ranked by their text (one request each)");
    page.tab("explore").await;
    page.group_by("ip").await;
    let mut ranked = ips.clone();
    ranked.sort();
    let keys = || page.row_keys("table-ip");
    eventually("the first page", || async { keys().await == ranked[..100] }).await;
    assert_eq!(page.text("table-next").await, "Next");
    session.step("Next by mouse shows the second hundred");
    page.activate("table-next", false).await;
    eventually("the second page", || async { keys().await == ranked[100..200] }).await;
    assert_eq!(
        page.text_now("table-page").await.as_deref(),
        Some("Rows 101–200 of 250")
    );
    session.step("Next on the last page is disabled");
    page.activate("table-next", false).await;
    eventually("the last page", || async { keys().await == ranked[200..] }).await;
    assert!(page.is_disabled("table-next").await, "no page after the last");
    session.step("Previous by keyboard goes back a hundred");
    page.activate("table-prev", true).await;
    eventually("back a page", || async { keys().await == ranked[100..200] }).await;
    session.end().await;
}
