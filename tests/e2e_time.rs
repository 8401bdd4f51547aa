//! End to end: time zones, the chart tooltips by mouse and keyboard, "Show as table",
//! granularity and comparison, in the release build with Chromium set to `America/New_York`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use fantoccini::key::Key;

mod common;
use common::{Page, Session, eventually, script, today};

/// An access log whose lines carry their own offsets, counted by hand. `d` is 3 days ago, in
/// late November (New York is at −05:00 then, with no DST change near).
///
/// | line | written as | UTC | New York | UTC day | local day |
/// |---|---|---|---|---|---|
/// | 1 | d 23:30 −0500 | d+1 04:30 | d 23:30 | d+1 | d |
/// | 2 | d+1 00:30 +0000 | d+1 00:30 | d 19:30 | d+1 | d |
/// | 3 | d 03:00 +0000 | d 03:00 | d−1 22:00 | d | d−1 |
/// | 4 | d+1 10:00 −0500 | d+1 15:00 | d+1 10:00 | d+1 | d+1 |
/// | 5 | d 12:00 +0100 | d 11:00 | d 06:00 | d | d |
/// | 6 | d−3 12:00 +0000 | d−3 12:00 | d−3 07:00 | d−3 | d−3 |
///
/// Local days: d−3 1, d−1 1, d 3, d+1 1. UTC days: d−3 1, d 2, d+1 3.
fn write_log(d: NaiveDate) -> String {
    let next = d.succ_opt().expect("a next day");
    let clf = |day: NaiveDate| day.format("%d/%b/%Y").to_string();
    let line = |day: NaiveDate, time: &str, zone: &str, path: &str| {
        format!(
            "198.51.100.7 - ann [{}:{time} {zone}] \"GET {path} HTTP/1.1\" 200 10 \"-\" \"curl\"\n",
            clf(day)
        )
    };
    let log = [
        line(d, "23:30:00", "-0500", "/a/1"),
        line(next, "00:30:00", "+0000", "/a/2"),
        line(d, "03:00:00", "+0000", "/a/3"),
        line(next, "10:00:00", "-0500", "/a/4"),
        line(d, "12:00:00", "+0100", "/a/5"),
        line(d - Days::new(3), "12:00:00", "+0000", "/a/6"),
    ]
    .concat();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-time-access.log");
    std::fs::write(&path, log).expect("write the log");
    path.display().to_string()
}

/// Today in the browser's own zone (the driver sets `TZ`), as a link with `tz=local` counts it.
async fn browser_today(client: &fantoccini::Client) -> NaiveDate {
    let shown = script(
        client,
        "const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()].join('-')",
    )
    .await;
    NaiveDate::parse_from_str(shown.as_str().unwrap_or_default(), "%Y-%m-%d").expect("the browser's date")
}

/// Shows the link with `query` in the page, as Back and Forward do (a reload would lose the
/// opened file).
async fn follow(client: &fantoccini::Client, query: &str) {
    let url = serde_json::to_string(&format!("?{query}")).expect("json");
    script(client, &format!("history.pushState(null, '', location.pathname + {url}); dispatchEvent(new PopStateEvent('popstate')); return 0")).await;
}

/// The time chart's "Show as table" rows, each (first cell, the cells after it).
async fn chart_table(page: &Page, chart: &str) -> Vec<Vec<String>> {
    page.row_cells(&format!("{chart}-table")).await
}

#[tokio::test(flavor = "multi_thread")]
async fn zones_tooltips_and_comparison() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, |_, _| false, String::new(), Some("America/New_York")).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let d = today().checked_sub_days(Days::new(3)).expect("3 days ago");
    let (before, after) = (d.pred_opt().expect("d-1"), d.succ_opt().expect("d+1"));
    let log = write_log(d);

    page.goto(&base).await;
    page.kpi("total-requests").await;

    session.step("the demo's two incidents, as the spike rule finds them; a click drills down to the client");
    // The client hammered by 429s five days ago, and 5xx for the clients that call in the
    // afternoon twelve days ago.
    eventually("the spikes, found after the dashboard is drawn", || async {
        !page.misbehaving().await.is_empty()
    })
    .await;
    let spikes = page.text("misbehaving").await;
    let day = |ago: u64| {
        today()
            .checked_sub_days(Days::new(ago))
            .expect("a past day")
            .format("%-d %b %Y")
            .to_string()
    };
    let hammered: Vec<(String, String)> = page
        .misbehaving()
        .await
        .into_iter()
        .filter(|(_, text)| text.contains("429 responses"))
        .collect();
    assert_eq!(hammered.len(), 1, "{spikes}");
    assert_eq!(hammered[0].0, "e61f2b7c-zapier", "{spikes}");
    assert!(hammered[0].1.contains(&day(5)), "{hammered:?}");
    assert!(
        spikes.matches("5xx responses").count() >= 10 && spikes.contains(&day(12)),
        "{spikes}"
    );
    page.misbehaving_drill("e61f2b7c-zapier").await;
    eventually("drilled to the client", || async {
        script(client, "return location.search")
            .await
            .as_str()
            .is_some_and(|q| q.contains("f=client:e61f2b7c-zapier"))
    })
    .await;
    page.goto(&base).await;
    page.kpi("total-requests").await;

    session.step("the browser's zone, through tz=local: the local days' totals counted by hand");
    page.open_files(&[Path::new(&log)]).await;
    eventually("the log's KPIs", || async {
        page.text("kpi-total-requests").await == "6"
    })
    .await;

    for (query, expected, zone) in [
        (format!("from={d}&to={d}"), "2", "UTC"),
        (format!("from={d}&to={d}&tz=local"), "3", "America/New_York"),
        (format!("from={before}&to={before}&tz=local"), "1", "America/New_York"),
        (format!("from={after}&to={after}&tz=local"), "1", "America/New_York"),
        (format!("from={d}&to={d}&tz=Asia/Kathmandu"), "2", "Asia/Kathmandu"),
    ] {
        follow(client, &query).await;
        eventually(&format!("{query}: {expected} requests"), || async {
            page.text("kpi-total-requests").await == expected
        })
        .await;
        assert_eq!(page.text("zone-label").await, zone, "{query}");
        assert!(
            page.text("period").await.ends_with(zone),
            "{query}: the period names the zone"
        );
    }

    session.step("the time chart by day, as a table: one row per local day, with the hand counts");
    follow(client, &format!("from={before}&to={after}&tz=local&g=day")).await;
    eventually("three local days", || async {
        page.text("kpi-total-requests").await == "5"
    })
    .await;
    page.click("chart-line-as-table").await;
    eventually("the table", || async {
        chart_table(page, "chart-line").await.len() == 3
    })
    .await;
    let rows = chart_table(page, "chart-line").await;
    let counts: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(counts, ["1", "3", "1"], "{rows:?}");
    assert!(rows[1][0].contains(&d.format("%-d %b %Y").to_string()), "{rows:?}");
    assert!(page.text("chart-line-as-table").await.contains("Hide"));

    session.step("the tooltip of day d, from the keyboard: → twice from the first, then End");
    page.keys_on("chart-line", &format!("{}{}", Key::Right, Key::Right))
        .await;
    let tip = page.text("chart-line-tip").await;
    assert!(
        tip.contains(&d.format("%-d %b %Y").to_string())
            && tip.contains("(America/New_York)")
            && tip.contains("ann: 3 (100.0%)"),
        "{tip}"
    );
    assert_eq!(
        page.attribute("chart-line-tip", "aria-live").await.as_deref(),
        Some("polite")
    );
    page.keys_on("chart-line", &Key::End.to_string()).await;
    assert!(page.text("chart-line-tip").await.contains("ann: 1 (100.0%)"));

    session.step("the same tooltip by mouse: a real mousemove over the first bucket's point");
    page.hover_chart("chart-line", 58.0).await;
    let tip = page.text("chart-line-tip").await;
    assert!(
        tip.contains(&before.format("%-d %b %Y").to_string()) && tip.contains("ann: 1 (100.0%)"),
        "{tip}"
    );

    session.step("hours: the granularity in the link, 24 buckets in a day without a DST change");
    follow(client, &format!("from={d}&to={d}&tz=local&g=hour")).await;
    eventually("the day's requests", || async {
        page.text("kpi-total-requests").await == "3"
    })
    .await;
    assert!(
        page.text("chart-line-as-table").await.contains("Hide"),
        "the table stays open across links"
    );
    eventually("24 hours", || async {
        chart_table(page, "chart-line").await.len() == 24
    })
    .await;
    let hours = chart_table(page, "chart-line").await;
    let busy: Vec<(&str, &str)> = hours
        .iter()
        .filter(|r| r[1] != "0")
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        busy.iter().map(|b| b.1).collect::<Vec<_>>(),
        ["1", "1", "1"],
        "{busy:?}"
    );
    assert!(
        busy[0].0.ends_with("06:00") && busy[1].0.ends_with("19:00") && busy[2].0.ends_with("23:00"),
        "local hours: {busy:?}"
    );

    session.step("comparison with the previous period: ▲ 300.0 %; a year back has no data, which is said");
    // d and d+1 (4 requests) against d−2 and d−1 (1, and the data reaches back to d−3).
    follow(client, &format!("from={d}&to={after}&tz=local&compare=previous")).await;
    eventually("the delta", || async {
        page.text("kpi-total-requests-change").await.starts_with("▲ 300.0%")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "4");
    assert!(page.text("kpi-total-requests-change").await.contains("previous period"));
    // The clients table's Change column says the same for the one client and the total.
    assert_eq!(
        page.column("table-clients", "change").await,
        ["Change", "▲ 300.0%", "▲ 300.0%"],
        "the head, the client's row and the total"
    );
    follow(client, &format!("from={d}&to={after}&tz=local&compare=year")).await;
    eventually("no data a year ago", || async {
        page.text("kpi-total-requests-change").await == "no data for the comparison period"
    })
    .await;
    let heads = page.headings("chart-line-table").await;
    assert!(
        heads.len() == 2 && !heads.iter().any(|h| h.contains("compared")),
        "the table (still open) has no comparison column for a period without data: {heads:?}"
    );
    assert!(
        page.column("table-clients", "change").await.is_empty(),
        "no Change column without data to compare with"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shots = common::screenshots();
    follow(client, &format!("from={d}&to={after}&tz=local&compare=previous&g=hour")).await;
    eventually("compared", || async {
        page.text("kpi-total-requests-change").await.starts_with('▲')
    })
    .await;
    page.keys_on("chart-line", &format!("{}{}", Key::Right, Key::Right))
        .await;
    std::fs::write(
        shots.join("time-compare-tooltip.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("keyboard shortcuts typed on the page (not in a field) each change the link");
    let query = || async {
        script(client, "return location.search")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    page.blur().await;
    page.press("7").await;
    // The link counts New York's days (tz=local): its yesterday, not UTC's, which differs in
    // the hours after UTC midnight.
    let last = browser_today(client).await.pred_opt().expect("yesterday");
    let week_from = last - Days::new(6);
    eventually("7: the last 7 days", || async {
        query().await.contains(&format!("from={week_from}&to={last}"))
    })
    .await;
    page.press(&Key::Left.to_string()).await;
    let (before_from, before_to) = (week_from - Days::new(7), last - Days::new(7));
    eventually("←: the week before", || async {
        query().await.contains(&format!("from={before_from}&to={before_to}"))
    })
    .await;
    page.press(&Key::Right.to_string()).await;
    eventually("→: back again", || async {
        query().await.contains(&format!("from={week_from}&to={last}"))
    })
    .await;
    let compared = query().await.contains("compare=previous");
    page.press("c").await;
    eventually("c: compare toggles", || async {
        query().await.contains("compare=previous") != compared
    })
    .await;
    page.press("g").await;
    eventually("g: the next bucket size", || async { query().await.contains("g=") }).await;
    page.press("?").await;
    eventually("?: the list", || page.dialog_is_open("shortcuts")).await;
    assert!(page.text("shortcuts").await.contains("Last 30 days"));
    page.first_button_in("shortcuts").await;
    session.step("a key typed in a field is not a shortcut");
    let search_before = query().await;
    page.keys_on("range-from", "y").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(query().await, search_before, "a key typed in a field changes nothing");

    session.step(
        "both themes: every visible text meets WCAG AA, the charts on the card's surface; dark survives a reload",
    );
    page.goto(&base).await;
    page.kpi("total-requests").await;
    for theme in ["light", "dark"] {
        page.click(&format!("theme-{theme}")).await;
        eventually(&format!("{theme} applied"), || async { page.theme().await == theme }).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let failures = page.low_contrast_texts().await;
        assert!(failures.is_empty(), "{theme}: text below WCAG AA: {failures:?}");
        let corner = page.pixel("chart-line", 2, 2).await;
        let expected = if theme == "dark" {
            serde_json::json!([0x17, 0x1c, 0x26])
        } else {
            serde_json::json!([255, 255, 255])
        };
        assert_eq!(corner, expected, "{theme}: the chart is drawn on the card's surface");
    }
    client.refresh().await.expect("reload");
    eventually("dark after a reload", || async { page.theme().await == "dark" }).await;
    page.text("kpi-total-requests").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(
        shots.join("time-dark.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    page.click("theme-system").await;
    session.end().await;
}

/// Types `text` into the daily threshold's field and leaves it, as a user does (it saves on change).
async fn enter_threshold(page: &Page, text: &str) {
    page.fill("threshold-input", &format!("{text}{}", char::from(Key::Tab)))
        .await;
}

/// Seconds since 1970 from the system clock.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64
}

/// A request at `at` (Unix seconds) in an access log, in UTC, answered with `status` and 10 bytes.
fn clf_line(at: i64, status: u16, path: &str) -> String {
    let time = chrono::DateTime::from_timestamp(at, 0)
        .expect("a time")
        .format("%d/%b/%Y:%H:%M:%S +0000");
    format!("198.51.100.7 - ann [{time}] \"GET {path} HTTP/1.1\" {status} 10 \"-\" \"curl\"\n")
}

/// Today so far (the Today view), the daily threshold, the time chart's other metrics, PNG
/// export, and a tab left open past midnight, on an access log written relative to now:
///
/// | lines | when | status | last 24 h | range (ends yesterday) |
/// |---|---|---|---|---|
/// | 2 | now − 1 min | 200 | yes | only if before today's midnight |
/// | 1 | now − 3 h | 500 | yes | only if before today's midnight |
/// | 3 | now − 26 h | 200 | no | yes |
/// | 1 | now − 4 days | 500 | no | yes |
#[tokio::test(flavor = "multi_thread")]
async fn today_threshold_metrics_png_and_midnight() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, |_, _| false, String::new(), Some("America/New_York")).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let t = now();
    let midnight = t - t.rem_euclid(86_400);
    let lines = [
        (t - 60, 200, "/now/1"),
        (t - 60, 200, "/now/2"),
        (t - 3 * 3_600, 500, "/earlier"),
        (t - 26 * 3_600, 200, "/y/1"),
        (t - 26 * 3_600, 200, "/y/2"),
        (t - 26 * 3_600, 200, "/y/3"),
        (t - 4 * 86_400, 500, "/old"),
    ];
    let log: String = lines
        .iter()
        .map(|&(at, status, path)| clf_line(at, status, path))
        .collect();
    let path = common::fixture("e2e-today-access.log", log);
    let today_so_far = lines.iter().filter(|l| l.0 >= midnight).count();
    let before_today = lines.iter().filter(|l| l.0 < midnight).count();

    page.goto(&base).await;
    page.kpi("total-requests").await;
    page.open_files(&[path.as_path()]).await;
    eventually("the log is on screen", || async {
        page.text("kpi-total-requests").await == before_today.to_string()
    })
    .await;

    session.step("the Today view counts the last 24 hours and today since midnight; the range does not");
    follow(client, "view=today").await;
    eventually("the last 24 hours", || async { page.text("today-total").await == "3" }).await;
    assert_eq!(page.text("today-so-far").await, today_so_far.to_string());
    assert_eq!(page.text("today-error-rate").await, "33.3%", "one 500 in three");
    assert!(page.text("today-note").await.contains("Incomplete"));
    assert!(!page.exists("range-to").await, "no date range on Today");
    session.step("Today's chart: 144 buckets of 10 minutes, adding up to the 24 hours' count");
    page.click("chart-today-as-table").await;
    let rows = chart_table(page, "chart-today").await;
    assert_eq!(rows.len(), 144);
    let sum: u64 = rows
        .iter()
        .map(|r| r[1].replace(',', "").parse::<u64>().unwrap_or(0))
        .sum();
    assert_eq!(sum, 3);

    session.step("the daily threshold: the accent colour below 90 %, red from there, kept over a reload");
    enter_threshold(page, &(today_so_far * 10 + 10).to_string()).await;
    eventually("the threshold is shown", || async {
        page.text("threshold-text")
            .await
            .contains(&format!("of {} requests today", today_so_far * 10 + 10))
    })
    .await;
    let level = || async { page.data("threshold-meter", "level").await.unwrap_or_default() };
    assert_eq!(level().await, "ok");
    if today_so_far > 0 {
        enter_threshold(page, &today_so_far.to_string()).await;
        eventually("the bar turns red", || async { level().await == "over" }).await;
        assert!(page.text("threshold-text").await.contains("(100.0%)"));
        assert!(!page.meter_colour("threshold-meter").await.is_empty());
    }
    client.refresh().await.expect("reload");
    assert!(
        page.text("threshold-text").await.contains("your threshold"),
        "kept in localStorage"
    );
    let shots = common::screenshots();
    std::fs::write(
        shots.join("time-today.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    enter_threshold(page, "0").await;
    eventually("a refused threshold says why", || async {
        page.text("threshold-status").await.contains("not a whole number")
    })
    .await;
    enter_threshold(page, "").await;
    eventually("an empty field clears it", || async {
        page.text("threshold-text").await.starts_with("No daily threshold")
    })
    .await;

    session.step("the other metrics on the range's time chart: error rate and bytes per day");
    // The file again (a reload dropped it).
    page.open_files(&[path.as_path()]).await;
    eventually("the log is back", || async { page.text("today-total").await == "3" }).await;
    follow(client, "metric=error-rate").await;
    eventually("the error-rate chart", || async {
        page.text("chart-line-as-table").await == "Show as table"
    })
    .await;
    page.click("chart-line-as-table").await;
    let day = |at: i64| usage_core::format::long_date(usage_core::range::date_of_day(at.div_euclid(86_400)));
    let value_on = |rows: &Vec<Vec<String>>, at: i64| rows.iter().find(|r| r[0] == day(at)).map(|r| r[1].clone());
    eventually("error rates per day", || async {
        value_on(&chart_table(page, "chart-line").await, t - 4 * 86_400).as_deref() == Some("100.00%")
    })
    .await;
    let rows = chart_table(page, "chart-line").await;
    // The day 26 hours ago, counted from the lines: in the hour from 02:00 UTC the 500 three
    // hours ago falls on it too.
    let same_day = |at: i64| at.div_euclid(86_400) == (t - 26 * 3_600).div_euclid(86_400);
    let on_that_day: Vec<u16> = lines.iter().filter(|l| same_day(l.0)).map(|l| l.1).collect();
    let failed = on_that_day.iter().filter(|&&status| status >= 500).count();
    let rate = format!("{:.2}%", 100.0 * failed as f64 / on_that_day.len() as f64);
    assert_eq!(value_on(&rows, t - 26 * 3_600), Some(rate));
    assert_eq!(
        value_on(&rows, t - 10 * 86_400).as_deref(),
        Some("–"),
        "no requests, no rate"
    );
    assert!(
        page.options("metric").await.iter().any(|o| o.0 == "p95" && o.2),
        "an access log without $request_time has no latency"
    );
    follow(client, "metric=bytes").await;
    eventually("bytes per day", || async {
        value_on(&chart_table(page, "chart-line").await, t - 26 * 3_600)
            == Some(format!("{} B", 10 * on_that_day.len()))
    })
    .await;

    session.step("PNG export: the chart at device resolution with a header for its title, range and zone");
    let (name, url, width, height, ratio) = page.save_chart_png("chart-line").await;
    assert!(
        name.starts_with("callboard-chart-line-") && name.ends_with(".png"),
        "{name}"
    );
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        url.strip_prefix("data:image/png;base64,").expect("a PNG data URL"),
    )
    .expect("base64");
    assert_eq!(&bytes[1..4], b"PNG");
    std::fs::write(common::screenshots().join("time-saved-chart.png"), &bytes).expect("save the PNG");
    let size = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as u64;
    assert_eq!(
        (size(16), size(20)),
        (width, height + (60.0 * ratio) as u64),
        "the chart, and 60 CSS pixels of header"
    );

    session.step("a tab left open past midnight moves its yesterday on when it is shown again");
    let yesterday = today().pred_opt().expect("yesterday");
    assert_eq!(page.value("range-to").await, yesterday.to_string());
    script(client, "const real = Date.now.bind(Date); Date.now = () => real() + 86400000; dispatchEvent(new Event('focus')); return 0").await;
    eventually("the range ends on the new yesterday", || async {
        page.value("range-to").await == today().to_string()
    })
    .await;
    session.end().await;
}

/// What the live Today test's server was last asked for.
static TODAY_QUERY: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// A usage API in 10-minute buckets, counted from the moment it is asked: 7 + 1 requests in the
/// last finished bucket, 100 a day and a half ago; a daily quota of 10 in `/meta`.
fn today_api(request: &common::Request, stream: &mut std::net::TcpStream) -> bool {
    match request.route.as_str() {
        "api/meta" => common::reply(
            stream,
            "200 OK",
            "",
            br#"{"timezone":"UTC","quota":{"limit":10,"window":"day","used":3}}"#,
        ),
        "api/usage" => {
            *TODAY_QUERY.lock().unwrap_or_else(|e| e.into_inner()) = request.query.clone();
            let recent = now() - now().rem_euclid(600) - 600;
            let iso = |at: i64| {
                chrono::DateTime::from_timestamp(at, 0)
                    .expect("a time")
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            };
            let body = format!(
                r#"{{"granularity":"10m","timezone":"UTC","buckets":[
                    {{"start":"{}","client_id":"app-1","client_name":"Billing","status":{{"2xx":7,"5xx":1}}}},
                    {{"start":"{}","client_id":"app-1","client_name":"Billing","status":{{"2xx":100}}}}]}}"#,
                iso(recent),
                iso(recent - 36 * 3_600)
            );
            common::reply(stream, "200 OK", "", body.as_bytes());
        }
        _ => return false,
    }
    true
}

/// The Today view on a live source: it asks for today in 10-minute buckets, counts the last 24
/// hours only, and takes the daily threshold from `/meta`'s daily quota.
#[tokio::test(flavor = "multi_thread")]
async fn today_on_a_live_source() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, today_api, String::new(), None).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    page.goto(&format!("{base}?view=today&source={base}api")).await;
    eventually("the last finished bucket", || async {
        page.text("today-total").await == "8"
    })
    .await;
    let asked = TODAY_QUERY.lock().map(|q| q.clone()).unwrap_or_default();
    let tomorrow = today().succ_opt().expect("tomorrow");
    assert!(
        asked.contains("granularity=10m") && asked.contains(&format!("to={tomorrow}")),
        "today itself, in 10 minutes: {asked}"
    );
    assert_eq!(page.text("today-error-rate").await, "12.5%");
    // The last finished bucket is today's unless the test runs in the first 10 minutes after midnight.
    let recent = now() - now().rem_euclid(600) - 600;
    let so_far = if recent >= now() - now().rem_euclid(86_400) {
        8
    } else {
        0
    };
    assert_eq!(page.text("today-so-far").await, so_far.to_string());
    assert!(
        page.text("threshold-text")
            .await
            .contains(&format!("{so_far} of 10 requests today"))
            && page.text("threshold-text").await.contains("the source's daily quota")
    );
    assert!(
        !page.exists("other-range").await,
        "Today's own days are no range to warn about"
    );
    session.step("a range key on Today opens the overview of that range; the range's other keys wait");
    let query = || async {
        client
            .current_url()
            .await
            .expect("url")
            .query()
            .unwrap_or_default()
            .to_owned()
    };
    page.press("c").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !query().await.contains("compare="),
        "no comparison on Today: {}",
        query().await
    );
    page.press("7").await;
    eventually("the overview of the last 7 days", || async {
        let q = query().await;
        !q.contains("view=today") && q.contains("from=") && q.contains("source=")
    })
    .await;
    session.end().await;
}

/// 3scale `usage.json` documents for one application: hits, and data transfer in MB, on the
/// four days before yesterday.
fn threescale_documents(first: NaiveDate) -> String {
    let document = |metric: &str, values: &str| {
        format!(
            r#"{{"metric":{metric},"period":{{"name":null,"since":"{first}T00:00:00+00:00","until":"{first}T23:59:59+00:00","timezone":"Etc/UTC","granularity":"day"}},"total":0,"values":[{values}],"application":{{"id":7,"name":"Partner Portal","state":"live"}}}}"#
        )
    };
    let hits = document(
        r#"{"id":1,"name":"Hits","system_name":"hits","unit":"hit"}"#,
        "10,20,30,40",
    );
    let transfer = document(
        r#"{"id":2,"name":"Data transfer","system_name":"data_transfer","unit":"MB"}"#,
        "1500,0,2500,7",
    );
    format!("[{hits},{transfer}]")
}

// Guards 3scale's other metrics: a usage.json in MB is read as a measure, never as
// requests, offered in the metric switch by its own name and unit, and charted per day once
// chosen there (the link then says `metric=measure:data_transfer`).
#[tokio::test(flavor = "multi_thread")]
async fn threescale_measures() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, |_, _| false, String::new(), None).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let first = today().checked_sub_days(Days::new(5)).expect("5 days ago");
    let path = common::fixture("e2e-3scale-usage.json", threescale_documents(first));
    page.goto(&base).await;
    page.text("kpi-total-requests").await;
    page.open_files(&[path.as_path()]).await;
    eventually("hits counted as requests, and only hits", || async {
        page.text("kpi-total-requests").await == "100"
    })
    .await;
    session.step("a 3scale measure is offered in the metric switch by its name and unit");
    let measure =
        |options: Vec<(String, String, bool, String)>| options.into_iter().find(|o| o.0 == "measure:data_transfer");
    let option = measure(page.options("metric").await);
    assert_eq!(
        option.as_ref().map(|o| (o.1.as_str(), o.2)),
        Some(("Data transfer (MB)", false)),
        "offered by its name and unit"
    );

    session.step("chosen in the switch, the link says so and the chart shows the amounts");
    page.choose("metric", "measure:data_transfer").await;
    eventually("the link names the measure", || async {
        script(client, "return location.search")
            .await
            .as_str()
            .is_some_and(|q| q.contains("metric=measure"))
    })
    .await;
    eventually("the chart is titled by the measure", || async {
        page.body_text().await.contains("Data transfer (MB) over time")
    })
    .await;
    page.click("chart-line-as-table").await;
    let day = |n: u64| usage_core::format::long_date(first.checked_add_days(Days::new(n)).expect("a day"));
    let rows = || chart_table(page, "chart-line");
    eventually("the amounts per day", || async {
        rows().await.iter().any(|r| r[0] == day(0) && r[1] == "1,500")
    })
    .await;
    let rows = rows().await;
    let on = |n: u64| rows.iter().find(|r| r[0] == day(n)).map(|r| r[1].clone());
    assert_eq!(
        (on(1).as_deref(), on(2).as_deref(), on(3).as_deref()),
        (Some("0"), Some("2,500"), Some("7"))
    );
    assert_eq!(
        page.text("kpi-total-requests").await,
        "100",
        "the measure is never requests"
    );
    std::fs::write(
        common::screenshots().join("time-3scale-measure.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("on a chart split by URL template the measure is offered disabled, with the reason");
    follow(client, "view=urls&metric=measure:data_transfer").await;
    eventually("requests on the URLs view", || async {
        page.value("metric").await == "requests"
    })
    .await;
    let option = measure(page.options("metric").await);
    assert_eq!(
        option.as_ref().map(|o| (o.2, o.3.as_str())),
        Some((true, "This measure is counted per client, not per URL template."))
    );
    session.step("a link that names a measure the data lacks shows requests");
    follow(client, "metric=measure:cpu_hours").await;
    eventually("requests instead", || async {
        page.value("metric").await == "requests"
    })
    .await;
    session.end().await;
}

// Guards the range a file opens with in a zone other than UTC: nginx-dst.log's first line is at
// 23:30 on 29 October in New York (03:30 on the 30th in UTC), so with the browser's zone the range
// must start on the 29th, or the KPI counts 54 of its 55 lines.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_opens_over_its_days_in_the_views_zone() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, |_, _| false, String::new(), Some("America/New_York")).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/usage-core/tests/data/nginx-dst.log");
    for (query, from, zone) in [
        ("?tz=local", "2026-10-29", "America/New_York"),
        ("", "2026-10-30", "UTC"),
    ] {
        session.step(&format!("in {zone}, the file opens over its days from {from}"));
        page.goto(&format!("{base}{query}")).await;
        page.kpi("total-requests").await;
        page.open_files(&[&log]).await;
        eventually(&format!("{zone}: all 55 lines"), || async {
            page.text("kpi-total-requests").await == "55"
        })
        .await;
        let search = script(client, "return location.search").await;
        let search = search.as_str().unwrap_or_default();
        assert!(
            search.contains(&format!("from={from}")) && search.contains("to=2026-11-04"),
            "{zone}: {search}"
        );
        assert!(
            page.text("file-banner").await.contains(&format!("4 Nov 2026 ({zone})")),
            "{zone}: the banner gives the file's days in the view's zone"
        );
    }
    session.end().await;
}
