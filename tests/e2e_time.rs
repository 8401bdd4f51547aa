//! End to end: time zones, the chart tooltips by mouse and keyboard, "Show as table",
//! granularity and comparison, in the release build with Chromium set to `America/New_York`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use fantoccini::Locator;
use fantoccini::key::Key;

mod common;
use common::{ONE_BROWSER, eventually, script, start_in_zone, text, today};

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
async fn chart_table(client: &fantoccini::Client, chart: &str) -> Vec<Vec<String>> {
    let value = script(client, &format!("return [...document.querySelectorAll('[data-testid={chart}-table] tbody tr')].map(tr => [...tr.children].map(c => c.textContent))")).await;
    serde_json::from_value(value).expect("rows of text")
}

#[tokio::test(flavor = "multi_thread")]
async fn zones_tooltips_and_comparison() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let session = Session::start_in(dist, |_, _| false, String::new(), Some("America/New_York")).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let d = today().checked_sub_days(Days::new(3)).expect("3 days ago");
    let (before, after) = (d.pred_opt().expect("d-1"), d.succ_opt().expect("d+1"));
    let log = write_log(d);

    client.goto(&base).await.expect("open the dashboard");
    page.text("kpi-total-requests").await;

    // The demo's two incidents, as the spike rule finds them: the client hammered by 429s five
    // days ago, and 5xx for the clients that call in the afternoon twelve days ago. A click on one
    // drills down to the client.
    eventually("the spikes, found after the dashboard is drawn", || async {
        script(
            &client,
            "return document.querySelectorAll('[data-testid=misbehaving] li').length",
        )
        .await
        .as_u64()
        .is_some_and(|n| n > 0)
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
    let hammered = script(&client, "return [...document.querySelectorAll('[data-testid=misbehaving] li')].filter(li => li.textContent.includes('429 responses')).map(li => [li.dataset.key, li.textContent])").await;
    assert_eq!(hammered.as_array().map(Vec::len), Some(1), "{spikes}");
    assert_eq!(hammered[0][0], "e61f2b7c-zapier", "{spikes}");
    assert!(
        hammered[0][1].as_str().is_some_and(|t| t.contains(&day(5))),
        "{hammered}"
    );
    assert!(
        spikes.matches("5xx responses").count() >= 10 && spikes.contains(&day(12)),
        "{spikes}"
    );
    client
        .find(Locator::Css("[data-testid=misbehaving] li[data-key=e61f2b7c-zapier] a"))
        .await
        .expect("the hammered client")
        .click()
        .await
        .expect("click");
    eventually("drilled to the client", || async {
        script(&client, "return location.search")
            .await
            .as_str()
            .is_some_and(|q| q.contains("f=client:e61f2b7c-zapier"))
    })
    .await;
    client.goto(&base).await.expect("the dashboard without the filter");
    page.text("kpi-total-requests").await;

    client
        .find(Locator::Css("[data-testid=file-input]"))
        .await
        .expect("input")
        .send_keys(&log)
        .await
        .expect("choose the log");
    eventually("the log's KPIs", || async {
        page.text("kpi-total-requests").await == "6"
    })
    .await;

    // The browser's zone, through `tz=local`: the local days' totals counted by hand.
    for (query, expected, zone) in [
        (format!("from={d}&to={d}"), "2", "UTC"),
        (format!("from={d}&to={d}&tz=local"), "3", "America/New_York"),
        (format!("from={before}&to={before}&tz=local"), "1", "America/New_York"),
        (format!("from={after}&to={after}&tz=local"), "1", "America/New_York"),
        (format!("from={d}&to={d}&tz=Asia/Kathmandu"), "2", "Asia/Kathmandu"),
    ] {
        follow(&client, &query).await;
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

    // The time chart by day, as a table: one row per local day, with the hand counts.
    follow(&client, &format!("from={before}&to={after}&tz=local&g=day")).await;
    eventually("three local days", || async {
        page.text("kpi-total-requests").await == "5"
    })
    .await;
    client
        .find(Locator::Css("[data-testid=chart-line-as-table]"))
        .await
        .expect("Show as table")
        .click()
        .await
        .expect("click");
    eventually("the table", || async {
        chart_table(&client, "chart-line").await.len() == 3
    })
    .await;
    let rows = chart_table(&client, "chart-line").await;
    let counts: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(counts, ["1", "3", "1"], "{rows:?}");
    assert!(rows[1][0].contains(&d.format("%-d %b %Y").to_string()), "{rows:?}");
    assert!(page.text("chart-line-as-table").await.contains("Hide"));

    // The tooltip of day d, from the keyboard: focus the chart, then → twice from the first.
    let canvas = client
        .find(Locator::Css("[data-testid=chart-line]"))
        .await
        .expect("the chart");
    script(
        &client,
        "document.querySelector('[data-testid=chart-line]').focus(); return 0",
    )
    .await;
    canvas
        .send_keys(&format!("{}{}", Key::Right, Key::Right))
        .await
        .expect("arrow keys");
    let tip = page.text("chart-line-tip").await;
    assert!(
        tip.contains(&d.format("%-d %b %Y").to_string())
            && tip.contains("(America/New_York)")
            && tip.contains("ann: 3 (100.0%)"),
        "{tip}"
    );
    assert_eq!(
        script(
            &client,
            "return document.querySelector('[data-testid=chart-line-tip]').getAttribute('aria-live')"
        )
        .await,
        "polite"
    );
    canvas.send_keys(&Key::End.to_string()).await.expect("End");
    assert!(page.text("chart-line-tip").await.contains("ann: 1 (100.0%)"));

    // The same tooltip by mouse: a real mousemove over the first bucket's point.
    script(
        &client,
        "const c = document.querySelector('[data-testid=chart-line]'); const r = c.getBoundingClientRect();
         c.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + 58, clientY: r.top + r.height / 2, bubbles: true})); return 0",
    )
    .await;
    let tip = page.text("chart-line-tip").await;
    assert!(
        tip.contains(&before.format("%-d %b %Y").to_string()) && tip.contains("ann: 1 (100.0%)"),
        "{tip}"
    );

    // Hours: the granularity in the link, 24 buckets in a day without a DST change.
    follow(&client, &format!("from={d}&to={d}&tz=local&g=hour")).await;
    eventually("the day's requests", || async {
        page.text("kpi-total-requests").await == "3"
    })
    .await;
    assert!(
        page.text("chart-line-as-table").await.contains("Hide"),
        "the table stays open across links"
    );
    eventually("24 hours", || async {
        chart_table(&client, "chart-line").await.len() == 24
    })
    .await;
    let hours = chart_table(&client, "chart-line").await;
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

    // Comparison: d and d+1 (4 requests) against d−2 and d−1 (1, and the data reaches back to
    // d−3): ▲ 300.0 %. It does not reach back a year, which is said rather than shown as a 0 %.
    follow(&client, &format!("from={d}&to={after}&tz=local&compare=previous")).await;
    eventually("the delta", || async {
        page.text("kpi-total-requests-change").await.starts_with("▲ 300.0%")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "4");
    assert!(page.text("kpi-total-requests-change").await.contains("previous period"));
    // The clients table's Change column says the same for the one client and the total.
    let change = script(&client, "return [...document.querySelectorAll('[data-testid=table-clients] [data-col=change]')].map(c => c.textContent)").await;
    assert_eq!(
        change,
        serde_json::json!(["Change", "▲ 300.0%", "▲ 300.0%"]),
        "the head, the client's row and the total"
    );
    follow(&client, &format!("from={d}&to={after}&tz=local&compare=year")).await;
    eventually("no data a year ago", || async {
        page.text("kpi-total-requests-change").await == "no data for the comparison period"
    })
    .await;
    let heads = script(&client, "return [...document.querySelectorAll('[data-testid=chart-line-table] th[scope=col]')].map(th => th.textContent)").await;
    assert!(
        heads.as_array().is_some_and(|h| h.len() == 2) && !heads.to_string().contains("compared"),
        "the table (still open) has no comparison column for a period without data: {heads}"
    );
    assert_eq!(
        script(
            &client,
            "return document.querySelectorAll('[data-testid=table-clients] [data-col=change]').length"
        )
        .await,
        0,
        "no Change column without data to compare with"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shots = common::screenshots();
    follow(
        &client,
        &format!("from={d}&to={after}&tz=local&compare=previous&g=hour"),
    )
    .await;
    eventually("compared", || async {
        page.text("kpi-total-requests-change").await.starts_with('▲')
    })
    .await;
    script(
        &client,
        "document.querySelector('[data-testid=chart-line]').focus(); return 0",
    )
    .await;
    client
        .find(Locator::Css("[data-testid=chart-line]"))
        .await
        .expect("chart")
        .send_keys(&format!("{}{}", Key::Right, Key::Right))
        .await
        .expect("keys");
    std::fs::write(
        shots.join("time-compare-tooltip.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    // Keyboard shortcuts, typed on the page (not in a field): each changes the link.
    let query = || async {
        script(&client, "return location.search")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    script(&client, "document.activeElement.blur(); return 0").await;
    let body = client.find(Locator::Css("body")).await.expect("body");
    body.send_keys("7").await.expect("7");
    // The link counts New York's days (tz=local): its yesterday, not UTC's, which differs in
    // the hours after UTC midnight.
    let last = browser_today(&client).await.pred_opt().expect("yesterday");
    let week_from = last - Days::new(6);
    eventually("7: the last 7 days", || async {
        query().await.contains(&format!("from={week_from}&to={last}"))
    })
    .await;
    body.send_keys(&Key::Left.to_string()).await.expect("←");
    let (before_from, before_to) = (week_from - Days::new(7), last - Days::new(7));
    eventually("←: the week before", || async {
        query().await.contains(&format!("from={before_from}&to={before_to}"))
    })
    .await;
    body.send_keys(&Key::Right.to_string()).await.expect("→");
    eventually("→: back again", || async {
        query().await.contains(&format!("from={week_from}&to={last}"))
    })
    .await;
    let compared = query().await.contains("compare=previous");
    body.send_keys("c").await.expect("c");
    eventually("c: compare toggles", || async {
        query().await.contains("compare=previous") != compared
    })
    .await;
    body.send_keys("g").await.expect("g");
    eventually("g: the next bucket size", || async { query().await.contains("g=") }).await;
    body.send_keys("?").await.expect("?");
    eventually("?: the list", || async {
        script(&client, "return document.querySelector('[data-testid=shortcuts]').open").await == true
    })
    .await;
    assert!(page.text("shortcuts").await.contains("Last 30 days"));
    client
        .find(Locator::Css("[data-testid=shortcuts] button"))
        .await
        .expect("Close")
        .click()
        .await
        .expect("close");
    // Typing in a field is not a shortcut.
    let search_before = query().await;
    script(
        &client,
        "document.querySelector('[data-testid=range-from]').focus(); return 0",
    )
    .await;
    client
        .find(Locator::Css("[data-testid=range-from]"))
        .await
        .expect("from")
        .send_keys("y")
        .await
        .expect("y");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(query().await, search_before, "a key typed in a field changes nothing");

    // Dark mode: every visible text meets WCAG AA against what it sits on, in both themes; the
    // choice survives a reload (localStorage), and the charts redraw on the dark surface.
    client.goto(&base).await.expect("the demo again");
    page.text("kpi-total-requests").await;
    for theme in ["light", "dark"] {
        client
            .find(Locator::Css(&format!("[data-testid=theme-{theme}]")))
            .await
            .expect("the theme switch")
            .click()
            .await
            .expect("click");
        eventually(&format!("{theme} applied"), || async {
            script(&client, "return document.documentElement.dataset.theme").await == theme
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let failures = script(&client, CONTRAST).await;
        assert_eq!(failures, serde_json::json!([]), "{theme}: text below WCAG AA");
        let corner = script(&client, "const c = document.querySelector('[data-testid=chart-line]').getContext('2d').getImageData(2, 2, 1, 1).data; return [c[0], c[1], c[2]]").await;
        let expected = if theme == "dark" {
            serde_json::json!([0x17, 0x1c, 0x26])
        } else {
            serde_json::json!([255, 255, 255])
        };
        assert_eq!(corner, expected, "{theme}: the chart is drawn on the card's surface");
    }
    client.refresh().await.expect("reload");
    eventually("dark after a reload", || async {
        script(&client, "return document.documentElement.dataset.theme").await == "dark"
    })
    .await;
    page.text("kpi-total-requests").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(
        shots.join("time-dark.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    client
        .find(Locator::Css("[data-testid=theme-system]"))
        .await
        .expect("system")
        .click()
        .await
        .expect("click");
    session.end().await;
}

/// Types `text` into the daily threshold's field and leaves it, as a user does (it saves on change).
async fn enter_threshold(client: &fantoccini::Client, text: &str) {
    let input = client
        .find(Locator::Css("[data-testid=threshold-input]"))
        .await
        .expect("threshold field");
    input.clear().await.expect("clear");
    input
        .send_keys(&format!("{text}{}", char::from(Key::Tab)))
        .await
        .expect("type");
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

    client.goto(&base).await.expect("open the dashboard");
    page.text("kpi-total-requests").await;
    common::page.open_files(&[path.as_path()]).await;
    eventually("the log is on screen", || async {
        page.text("kpi-total-requests").await == before_today.to_string()
    })
    .await;

    // The Today view counts the last 24 hours and today since midnight; the range does not.
    follow(&client, "view=today").await;
    eventually("the last 24 hours", || async { page.text("today-total").await == "3" }).await;
    assert_eq!(page.text("today-so-far").await, today_so_far.to_string());
    assert_eq!(page.text("today-error-rate").await, "33.3%", "one 500 in three");
    assert!(page.text("today-note").await.contains("Incomplete"));
    assert!(
        script(
            &client,
            "return document.querySelector('[data-testid=range-to]') === null"
        )
        .await
        .as_bool()
        .unwrap_or(false),
        "no date range on Today"
    );
    // 144 buckets of 10 minutes, whose values add up to the 24 hours' count.
    client
        .find(Locator::Css("[data-testid=chart-today-as-table]"))
        .await
        .expect("toggle")
        .click()
        .await
        .expect("click");
    let rows = chart_table(&client, "chart-today").await;
    assert_eq!(rows.len(), 144);
    let sum: u64 = rows
        .iter()
        .map(|r| r[1].replace(',', "").parse::<u64>().unwrap_or(0))
        .sum();
    assert_eq!(sum, 3);

    // The daily threshold: the accent colour below 90 %, red from there, kept over a reload.
    enter_threshold(&client, &(today_so_far * 10 + 10).to_string()).await;
    eventually("the threshold is shown", || async {
        page.text("threshold-text")
            .await
            .contains(&format!("of {} requests today", today_so_far * 10 + 10))
    })
    .await;
    let level = || async {
        script(
            &client,
            "return document.querySelector('[data-testid=threshold-meter]').dataset.level",
        )
        .await
    };
    assert_eq!(level().await, "ok");
    if today_so_far > 0 {
        enter_threshold(&client, &today_so_far.to_string()).await;
        eventually("the bar turns red", || async { level().await == "over" }).await;
        assert!(page.text("threshold-text").await.contains("(100.0%)"));
        let colours = script(&client, "const m = document.querySelector('[data-testid=threshold-meter]'); return getComputedStyle(m, '::-webkit-meter-optimum-value').backgroundColor").await;
        assert_ne!(colours, serde_json::Value::Null);
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
    enter_threshold(&client, "0").await;
    eventually("a refused threshold says why", || async {
        page.text("threshold-status").await.contains("not a whole number")
    })
    .await;
    enter_threshold(&client, "").await;
    eventually("an empty field clears it", || async {
        page.text("threshold-text").await.starts_with("No daily threshold")
    })
    .await;

    // The file again (a reload dropped it), then the other metrics on the range's time chart.
    common::page.open_files(&[path.as_path()]).await;
    eventually("the log is back", || async { page.text("today-total").await == "3" }).await;
    follow(&client, "metric=error-rate").await;
    eventually("the error-rate chart", || async {
        page.text("chart-line-as-table").await == "Show as table"
    })
    .await;
    client
        .find(Locator::Css("[data-testid=chart-line-as-table]"))
        .await
        .expect("toggle")
        .click()
        .await
        .expect("click");
    let day = |at: i64| usage_core::format::long_date(usage_core::range::date_of_day(at.div_euclid(86_400)));
    let value_on = |rows: &Vec<Vec<String>>, at: i64| rows.iter().find(|r| r[0] == day(at)).map(|r| r[1].clone());
    eventually("error rates per day", || async {
        value_on(&chart_table(&client, "chart-line").await, t - 4 * 86_400).as_deref() == Some("100.00%")
    })
    .await;
    let rows = chart_table(&client, "chart-line").await;
    assert_eq!(value_on(&rows, t - 26 * 3_600).as_deref(), Some("0.00%"));
    assert_eq!(
        value_on(&rows, t - 10 * 86_400).as_deref(),
        Some("–"),
        "no requests, no rate"
    );
    assert!(
        script(
            &client,
            "return document.querySelector('[data-testid=metric] option[value=p95]').disabled"
        )
        .await
        .as_bool()
        .unwrap_or(false),
        "an access log without $request_time has no latency"
    );
    follow(&client, "metric=bytes").await;
    eventually("bytes per day", || async {
        value_on(&chart_table(&client, "chart-line").await, t - 26 * 3_600).as_deref() == Some("30 B")
    })
    .await;

    // PNG export: the chart at device resolution with a header for its title, range and zone.
    let png = script(
        &client,
        "window.__saved = null; HTMLAnchorElement.prototype.click = function () { window.__saved = [this.download, this.href]; }; \
         document.querySelector('[data-testid=chart-line-png]').click(); \
         const c = document.querySelector('[data-testid=chart-line]'); return [window.__saved, c.width, c.height, devicePixelRatio]",
    )
    .await;
    let (name, url) = (
        png[0][0].as_str().unwrap_or_default(),
        png[0][1].as_str().unwrap_or_default(),
    );
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
    let ratio = png[3].as_f64().unwrap_or(1.0);
    assert_eq!(
        (size(16), size(20)),
        (
            png[1].as_u64().unwrap_or(0),
            png[2].as_u64().unwrap_or(0) + (60.0 * ratio) as u64
        ),
        "the chart, and 60 CSS pixels of header"
    );

    // Midnight: a tab left open moves its "yesterday" on, without a reload, when it is shown again.
    let yesterday = today().pred_opt().expect("yesterday");
    assert_eq!(
        script(&client, "return document.querySelector('[data-testid=range-to]').value").await,
        yesterday.to_string()
    );
    script(&client, "const real = Date.now.bind(Date); Date.now = () => real() + 86400000; dispatchEvent(new Event('focus')); return 0").await;
    eventually("the range ends on the new yesterday", || async {
        script(&client, "return document.querySelector('[data-testid=range-to]').value").await == today().to_string()
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
    client
        .goto(&format!("{base}?view=today&source={base}api"))
        .await
        .expect("open Today on the source");
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
        script(
            &client,
            "return document.querySelector('[data-testid=other-range]') === null"
        )
        .await
        .as_bool()
        .unwrap_or(false),
        "Today's own days are no range to warn about"
    );
    // A range key on Today so far opens the overview of that range; the range's other keys wait.
    let query = || async {
        client
            .current_url()
            .await
            .expect("url")
            .query()
            .unwrap_or_default()
            .to_owned()
    };
    client
        .find(Locator::Css("body"))
        .await
        .expect("page")
        .send_keys("c")
        .await
        .expect("c");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !query().await.contains("compare="),
        "no comparison on Today: {}",
        query().await
    );
    client
        .find(Locator::Css("body"))
        .await
        .expect("page")
        .send_keys("7")
        .await
        .expect("7");
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
    client.goto(&base).await.expect("open the dashboard");
    page.text("kpi-total-requests").await;
    common::page.open_files(&[path.as_path()]).await;
    eventually("hits counted as requests, and only hits", || async {
        page.text("kpi-total-requests").await == "100"
    })
    .await;
    let option = script(&client, "const o = document.querySelector('[data-testid=metric] option[value=\"measure:data_transfer\"]'); return o && [o.textContent, o.disabled]").await;
    assert_eq!(
        option,
        serde_json::json!(["Data transfer (MB)", false]),
        "offered by its name and unit"
    );

    // Chosen in the switch as a user does: the link says so, and the chart shows the amounts.
    script(&client, "const s = document.querySelector('[data-testid=metric]'); s.value = 'measure:data_transfer'; s.dispatchEvent(new Event('change', { bubbles: true })); return 0").await;
    eventually("the link names the measure", || async {
        script(&client, "return location.search")
            .await
            .as_str()
            .is_some_and(|q| q.contains("metric=measure"))
    })
    .await;
    eventually("the chart is titled by the measure", || async {
        script(
            &client,
            "return document.body.textContent.includes('Data transfer (MB) over time')",
        )
        .await
        .as_bool()
        .unwrap_or(false)
    })
    .await;
    client
        .find(Locator::Css("[data-testid=chart-line-as-table]"))
        .await
        .expect("toggle")
        .click()
        .await
        .expect("click");
    let day = |n: u64| usage_core::format::long_date(first.checked_add_days(Days::new(n)).expect("a day"));
    let rows = || async { chart_table(&client, "chart-line").await };
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

    // On a chart split by URL template the measure (counted per client) is offered disabled,
    // with the reason, and the chart shows requests.
    follow(&client, "view=urls&metric=measure:data_transfer").await;
    eventually("requests on the URLs view", || async {
        script(&client, "return document.querySelector('[data-testid=metric]').value").await == "requests"
    })
    .await;
    let disabled = script(&client, "const o = document.querySelector('[data-testid=metric] option[value=\"measure:data_transfer\"]'); return o && [o.disabled, o.title]").await;
    assert_eq!(
        disabled,
        serde_json::json!([true, "This measure is counted per client, not per URL template."])
    );
    // A link that names a measure the data lacks shows requests.
    follow(&client, "metric=measure:cpu_hours").await;
    eventually("requests instead", || async {
        script(&client, "return document.querySelector('[data-testid=metric]').value").await == "requests"
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
        client
            .goto(&format!("{base}{query}"))
            .await
            .expect("open the dashboard");
        page.text("kpi-total-requests").await;
        client
            .find(Locator::Css("[data-testid=file-input]"))
            .await
            .expect("input")
            .send_keys(&log.display().to_string())
            .await
            .expect("choose the log");
        eventually(&format!("{zone}: all 55 lines"), || async {
            page.text("kpi-total-requests").await == "55"
        })
        .await;
        let search = script(&client, "return location.search").await;
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
