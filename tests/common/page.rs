//! The dashboard as the end-to-end tests see it: a [`Session`] (the one-browser lock, chromedriver
//! and its WebDriver client) and the page's parts by name ([`Page`]). Every selector the tests use
//! lives in this file, so a changed class or test id is mended here once, and a scenario reads as
//! what a user does: `page.tab("urls")`, `page.drill("table-template", "/api/users/{id}")`.
//!
//! A scenario is a list of [`Session::step`]s: when one fails, the test's output names it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::{Driver, Handler, ONE_BROWSER, connect, serve};

/// Finds elements by test id in the page's scripts: `T(id)` the first, `TT(id)` all of them.
const PRELUDE: &str = "const T = id => document.querySelector(`[data-testid=\"${id}\"]`); \
                       const TT = id => [...document.querySelectorAll(`[data-testid=\"${id}\"]`)];\n";

/// How long an element may take to appear.
const APPEAR: Duration = Duration::from_secs(20);

/// One browser test's browser: held for the whole test (one at a time, see [`ONE_BROWSER`]).
pub struct Session {
    pub page: Page,
    /// The app's address on the test server (under the sub-path).
    pub base: String,
    /// The step running now, named in the output when the test fails.
    step: Mutex<String>,
    _driver: Driver,
    _one: tokio::sync::MutexGuard<'static, ()>,
}

impl Session {
    /// Serves the release build in `dist/` with `handler` for the test's own routes.
    pub async fn start(handler: Handler, connect_src: String) -> Session {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
        assert!(
            dist.join("index.html").exists(),
            "no release build in {}: run `trunk build --release` first",
            dist.display()
        );
        Session::start_in(dist, handler, connect_src, None).await
    }

    /// The same, serving the build in `dir` (a copy a test changes), with the browser in time
    /// zone `zone` (`America/New_York`) when given.
    pub async fn start_in(dir: PathBuf, handler: Handler, connect_src: String, zone: Option<&str>) -> Session {
        let one = ONE_BROWSER.lock().await;
        let port = serve(dir, handler, connect_src);
        let driver = Driver::start_in_zone(zone);
        let client = connect(&driver).await;
        Session {
            page: Page { client },
            base: format!("http://127.0.0.1:{port}{}", super::SUB_PATH),
            step: Mutex::new(String::new()),
            _driver: driver,
            _one: one,
        }
    }

    /// Names what the test checks next; a failure from here on is reported as this step's.
    pub fn step(&self, name: &str) {
        eprintln!("step: {name}");
        if let Ok(mut step) = self.step.lock() {
            *step = name.to_owned();
        }
    }

    /// Ends the WebDriver session.
    pub async fn end(self) {
        self.page
            .client
            .clone()
            .close()
            .await
            .expect("end the WebDriver session");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let step = self.step.lock().map(|s| s.clone()).unwrap_or_default();
            eprintln!("\nFAILED in step: {step}\n");
        }
    }
}

impl std::ops::Deref for Session {
    type Target = Page;

    fn deref(&self) -> &Page {
        &self.page
    }
}

/// The dashboard's parts, by what they are. Test ids are names; the CSS and the scripts that
/// find them are here only.
pub struct Page {
    pub client: Client,
}

impl Page {
    /// Runs `source` with [`PRELUDE`]'s `T` and `TT`; `args` are its `arguments`.
    pub async fn js(&self, source: &str, args: Vec<Value>) -> Value {
        let source = format!("{PRELUDE}{source}");
        self.client
            .execute(&source, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{source}"))
    }

    async fn js_text(&self, source: &str, args: Vec<Value>) -> String {
        self.js(source, args).await.as_str().unwrap_or_default().to_owned()
    }

    async fn js_bool(&self, source: &str, args: Vec<Value>) -> bool {
        self.js(source, args).await == json!(true)
    }

    async fn js_texts(&self, source: &str, args: Vec<Value>) -> Vec<String> {
        serde_json::from_value(self.js(source, args).await).unwrap_or_default()
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    pub async fn refresh(&self) {
        self.client.refresh().await.expect("reload");
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("the address").to_string()
    }

    /// The element with test id `id`, once it appears.
    pub async fn element(&self, id: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(APPEAR)
            .for_element(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await
            .unwrap_or_else(|e| panic!("{id} never appeared: {e}"))
    }

    /// Its text, once it appears.
    pub async fn text(&self, id: &str) -> String {
        self.element(id).await.text().await.expect("text")
    }

    /// Its text content now, or `None` when it is not on the page.
    pub async fn text_now(&self, id: &str) -> Option<String> {
        self.js(
            "const e = T(arguments[0]); return e ? e.textContent : null",
            vec![json!(id)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// The text content of every element with test id `id`.
    pub async fn texts(&self, id: &str) -> Vec<String> {
        self.js_texts("return TT(arguments[0]).map(e => e.textContent)", vec![json!(id)])
            .await
    }

    pub async fn exists(&self, id: &str) -> bool {
        self.js_bool("return !!T(arguments[0])", vec![json!(id)]).await
    }

    /// How many elements have test id `id`.
    pub async fn count(&self, id: &str) -> usize {
        self.js("return TT(arguments[0]).length", vec![json!(id)])
            .await
            .as_u64()
            .unwrap_or(0) as usize
    }

    pub async fn click(&self, id: &str) {
        self.element(id)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {id}: {e}"));
    }

    /// Clicks `id`, or, with `keyboard`, gives it the focus and presses Enter.
    pub async fn activate(&self, id: &str, keyboard: bool) {
        self.activate_css(&format!("[data-testid=\"{id}\"]"), keyboard).await;
    }

    async fn activate_css(&self, css: &str, keyboard: bool) {
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        if keyboard {
            let focused = self
                .js_bool(
                    "const e = document.querySelector(arguments[0]); e.focus(); return document.activeElement === e",
                    vec![json!(css)],
                )
                .await;
            assert!(focused, "{css} takes the focus");
            element.send_keys(&Key::Enter.to_string()).await.expect("Enter");
        } else {
            element.click().await.expect("click");
        }
    }

    /// Gives `id` the focus.
    pub async fn focus(&self, id: &str) {
        self.js("T(arguments[0]).focus(); return 0", vec![json!(id)]).await;
    }

    /// Whether `id` has the focus.
    pub async fn has_focus(&self, id: &str) -> bool {
        self.js_bool("return document.activeElement === T(arguments[0])", vec![json!(id)])
            .await
    }

    /// The focused element's test id.
    pub async fn focused(&self) -> String {
        self.js_text("return document.activeElement?.dataset?.testid ?? ''", vec![])
            .await
    }

    /// Types `keys` into `id` (or presses them on it).
    pub async fn type_into(&self, id: &str, keys: &str) {
        self.element(id).await.send_keys(keys).await.expect("type");
    }

    /// Presses `keys` with the page, not a field, in focus (the keyboard shortcuts).
    pub async fn press(&self, keys: &str) {
        let body = self.client.find(Locator::Css("body")).await.expect("body");
        body.send_keys(keys).await.expect("press");
    }

    /// The value of a field or a select.
    pub async fn value(&self, id: &str) -> String {
        self.js_text("return T(arguments[0]).value", vec![json!(id)]).await
    }

    /// Picks `value` in the select `id`, as a user does (its change event fires).
    pub async fn choose(&self, id: &str, value: &str) {
        self.js(
            "const s = T(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true })); return 0",
            vec![json!(id), json!(value)],
        )
        .await;
    }

    /// The select `id`'s options as (value, text, disabled, title).
    pub async fn options(&self, id: &str) -> Vec<(String, String, bool, String)> {
        serde_json::from_value(
            self.js(
                "return [...T(arguments[0]).querySelectorAll('option')].map(o => [o.value, o.textContent, o.disabled, o.title])",
                vec![json!(id)],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// Whether the dialog `id` is open.
    pub async fn dialog_is_open(&self, id: &str) -> bool {
        self.js_bool("return !!T(arguments[0])?.open", vec![json!(id)]).await
    }

    pub async fn is_disabled(&self, id: &str) -> bool {
        self.js_bool("return !!T(arguments[0])?.disabled", vec![json!(id)])
            .await
    }

    pub async fn attribute(&self, id: &str, name: &str) -> Option<String> {
        self.js(
            "return T(arguments[0])?.getAttribute(arguments[1]) ?? null",
            vec![json!(id), json!(name)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// `data-<name>` of `id`.
    pub async fn data(&self, id: &str, name: &str) -> Option<String> {
        self.attribute(id, &format!("data-{name}")).await
    }

    /// Clicks the first button inside `id` (a dialog's only one).
    pub async fn first_button_in(&self, id: &str) {
        self.activate_css(&format!("[data-testid=\"{id}\"] button"), false)
            .await;
    }

    /// Clicks the button labelled `label` inside `id` (a dialog's Cancel, a list's Clear).
    pub async fn button_in(&self, id: &str, label: &str) {
        let xpath = format!("//*[@data-testid='{id}']//button[normalize-space(.)='{label}']");
        self.client
            .wait()
            .at_most(APPEAR)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no {label} button in {id}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Clicks the button labelled `label` anywhere on the page (a range preset).
    pub async fn button(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        self.client
            .wait()
            .at_most(APPEAR)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no {label} button: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Presses `keys` on whatever has the focus (Escape in a dialog).
    pub async fn press_on_focused(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .expect("the focused element")
            .send_keys(keys)
            .await
            .expect("press");
    }

    /// From the next page on, notes in `window.__kpiFrame` (ms since 1970) the frame that first
    /// painted a figure in the total-requests KPI.
    pub async fn note_first_kpi_frame(&self) {
        let watch = "new MutationObserver((_, watch) => { \
            if (/\\d/.test(document.querySelector('[data-testid=kpi-total-requests]')?.textContent || '')) { \
              watch.disconnect(); requestAnimationFrame(() => { window.__kpiFrame = performance.timeOrigin + performance.now(); }); } \
          }).observe(document, { subtree: true, childList: true, characterData: true })";
        self.client
            .issue_cmd(super::Cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": watch }),
            ))
            .await
            .expect("watch for the first KPI");
    }

    /// How many CSP violations the page counted, and the last one.
    pub async fn csp_violations(&self) -> (String, String) {
        let both = self
            .js(
                "return [document.body.dataset.cspViolations || '0', document.body.dataset.cspLast || '']",
                vec![],
            )
            .await;
        (
            both[0].as_str().unwrap_or_default().to_owned(),
            both[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    // The frame: KPIs, tabs, filters.

    /// A KPI tile's figure (`total-requests`, `clients`, `error-rate`, `429`).
    pub async fn kpi(&self, name: &str) -> String {
        self.text(&format!("kpi-{name}")).await
    }

    /// The line under a KPI's figure (its change, or what it counts).
    pub async fn kpi_note(&self, name: &str) -> String {
        self.js_text(
            "return T(arguments[0])?.nextElementSibling?.textContent ?? ''",
            vec![json!(format!("kpi-{name}"))],
        )
        .await
    }

    /// The four KPIs: total, clients, error rate, 429s.
    pub async fn kpis(&self) -> [String; 4] {
        let mut out: [String; 4] = Default::default();
        for (slot, name) in out.iter_mut().zip(["total-requests", "clients", "error-rate", "429"]) {
            *slot = self.kpi(name).await;
        }
        out
    }

    /// Opens a tab (`overview`, `clients`, `urls`, `explore`, `today`).
    pub async fn tab(&self, name: &str) {
        self.activate(&format!("nav-{name}"), false).await;
    }

    /// The same by keyboard, or by mouse.
    pub async fn tab_by(&self, name: &str, keyboard: bool) {
        self.activate(&format!("nav-{name}"), keyboard).await;
    }

    /// The tab the page says is current (`nav-urls`).
    pub async fn current_tab(&self) -> String {
        self.js_text(
            "return document.querySelector('nav.tabs [aria-current=page]')?.dataset.testid ?? ''",
            vec![],
        )
        .await
    }

    /// Explore's grouping chip for `dimension`.
    pub async fn group_by(&self, dimension: &str) {
        self.activate(&format!("by-{dimension}"), false).await;
    }

    /// Whether Explore's chip for `dimension` is shown as unavailable.
    pub async fn group_is_unavailable(&self, dimension: &str) -> bool {
        self.js_bool(
            "return !!T(arguments[0])?.classList.contains('chip--unavailable')",
            vec![json!(format!("by-{dimension}"))],
        )
        .await
    }

    /// The filter pills as `dimension:key`.
    pub async fn pills(&self) -> Vec<String> {
        self.js_texts(
            "return TT('filter-pill').map(p => p.dataset.dimension + ':' + p.dataset.key)",
            vec![],
        )
        .await
    }

    // Tables.

    /// The rows of table `id` (`table-clients`, `table-ip`): each row's key, its name, then the
    /// text of each of `columns` (`requests`, `p95`, `change`; empty where a row has none).
    pub async fn rows(&self, id: &str, columns: &[&str]) -> Vec<Vec<String>> {
        serde_json::from_value(
            self.js(
                "const t = T(arguments[0]); return t ? [...t.querySelectorAll('tbody tr')].map(tr => \
                 [tr.dataset.key ?? '', tr.querySelector('th')?.textContent ?? '', \
                  ...arguments[1].map(c => tr.querySelector(`[data-col=\"${c}\"]`)?.textContent ?? '')]) : []",
                vec![json!(id), json!(columns)],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// The keys of table `id`'s rows, in order.
    pub async fn row_keys(&self, id: &str) -> Vec<String> {
        self.rows(id, &[]).await.into_iter().map(|r| r[0].clone()).collect()
    }

    /// Every cell of each of table `id`'s rows, header cell first.
    pub async fn row_cells(&self, id: &str) -> Vec<Vec<String>> {
        serde_json::from_value(
            self.js(
                "const t = T(arguments[0]); return t ? [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(c => c.textContent)) : []",
                vec![json!(id)],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// The column headings of table `id`.
    pub async fn headings(&self, id: &str) -> Vec<String> {
        self.js_texts(
            "const t = T(arguments[0]); return t ? [...t.querySelectorAll('thead th, th[scope=col]')].map(c => c.textContent) : []",
            vec![json!(id)],
        )
        .await
    }

    /// The text of every `column` cell in table `id`.
    pub async fn column(&self, id: &str, column: &str) -> Vec<String> {
        self.js_texts(
            "return [...(T(arguments[0])?.querySelectorAll(`[data-col=\"${arguments[1]}\"]`) ?? [])].map(c => c.textContent)",
            vec![json!(id), json!(column)],
        )
        .await
    }

    /// Follows the link in row `key` of table `id` (a drill-down), by mouse or keyboard.
    pub async fn drill(&self, id: &str, key: &str, keyboard: bool) {
        self.activate_css(&format!("[data-testid=\"{id}\"] tr[data-key=\"{key}\"] a"), keyboard)
            .await;
    }

    /// The address of the first drill-down link whose text contains `text`.
    pub async fn drill_href(&self, text: &str) -> Option<String> {
        self.js(
            "const a = [...document.querySelectorAll('a.drill')].find(a => a.textContent.includes(arguments[0])); return a ? a.getAttribute('href') : null",
            vec![json!(text)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Sorts the tables by `column` (its header button).
    pub async fn sort_by(&self, column: &str, keyboard: bool) {
        self.activate_css(&format!("button[data-sort=\"{column}\"]"), keyboard)
            .await;
    }

    /// The `aria-sort` of `column`'s header.
    pub async fn sort_state(&self, column: &str) -> Option<String> {
        self.js(
            "return document.querySelector(`button[data-sort=\"${arguments[0]}\"]`)?.parentElement.getAttribute('aria-sort') ?? null",
            vec![json!(column)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// The row that counts together what a server did not list (`table-rest`): its name, its
    /// requests, how many links it has, and whether the total row comes right after it.
    pub async fn rest_row(&self) -> Option<(String, String, u64, bool)> {
        serde_json::from_value(
            self.js(
                "const r = T('table-rest'); return r ? [r.querySelector('th')?.textContent ?? '', \
                 r.querySelector('td[data-col=requests]')?.textContent ?? '', r.querySelectorAll('a').length, \
                 !!r.nextElementSibling?.classList.contains('table__total')] : null",
                vec![],
            )
            .await,
        )
        .ok()
        .flatten()
    }

    /// The names shown in table `id`'s rows (each isolated in a `<bdi>`), as text.
    pub async fn row_names(&self, id: &str) -> Vec<String> {
        self.js_texts(
            "return [...(T(arguments[0])?.querySelectorAll('tbody th bdi') ?? [])].map(b => b.textContent)",
            vec![json!(id)],
        )
        .await
    }

    /// The names in the clients table, as text.
    pub async fn client_names(&self) -> Vec<String> {
        self.js_texts(
            "return [...(T('table-clients')?.querySelectorAll('tbody th') ?? [])].map(th => th.textContent)",
            vec![],
        )
        .await
    }

    /// Elements made from a name: images anywhere in the page's tables, legends and main part.
    pub async fn images_in_names(&self) -> usize {
        self.js(
            "return document.querySelectorAll('main img, .table img, .legend img, [data-testid=table-clients] img').length",
            vec![],
        )
        .await
        .as_u64()
        .unwrap_or(0) as usize
    }

    // The "misbehaving clients" list.

    /// Its items as (key, text).
    pub async fn misbehaving(&self) -> Vec<(String, String)> {
        serde_json::from_value(
            self.js(
                "return [...(T('misbehaving')?.querySelectorAll('li') ?? [])].map(li => [li.dataset.key ?? '', li.textContent])",
                vec![],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// Follows its item `key`'s link.
    pub async fn misbehaving_drill(&self, key: &str) {
        self.activate_css(&format!("[data-testid=misbehaving] li[data-key=\"{key}\"] a"), false)
            .await;
    }

    // Charts.

    /// Every canvas's (width, height, CSS width × device pixel ratio).
    pub async fn canvases(&self) -> Vec<(u64, u64, u64)> {
        serde_json::from_value(
            self.js(
                "return [...document.querySelectorAll('canvas')].map(c => [c.width, c.height, Math.round(c.getBoundingClientRect().width * devicePixelRatio)])",
                vec![],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// Every canvas as (test id, drawn at device pixels on a DPR-2 screen, the share of its
    /// pixels drawn in ink rather than left blank or near-white).
    pub async fn canvas_ink(&self) -> Vec<(String, bool, f64)> {
        serde_json::from_value(
            self.js(
                "return [...document.querySelectorAll('canvas')].map(c => { \
                   const r = c.getBoundingClientRect(); \
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
                   let drawn = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240)) drawn++; \
                   return [c.dataset.testid ?? '', c.width === Math.round(r.width * devicePixelRatio) && devicePixelRatio === 2, drawn / (c.width * c.height)]; })",
                vec![],
            )
            .await,
        )
        .unwrap_or_default()
    }

    /// Canvas `id`'s backing width and its CSS width × device pixel ratio.
    pub async fn canvas_width(&self, id: &str) -> (u64, u64) {
        let both = self
            .js(
                "const c = T(arguments[0]); return [c.width, Math.round(c.getBoundingClientRect().width * devicePixelRatio)]",
                vec![json!(id)],
            )
            .await;
        (both[0].as_u64().unwrap_or(0), both[1].as_u64().unwrap_or(0))
    }

    /// The colour of canvas `id`'s pixel at (`x`, `y`), as [r, g, b].
    pub async fn pixel(&self, id: &str, x: u32, y: u32) -> Value {
        self.js(
            "const c = T(arguments[0]).getContext('2d').getImageData(arguments[1], arguments[2], 1, 1).data; return [c[0], c[1], c[2]]",
            vec![json!(id), json!(x), json!(y)],
        )
        .await
    }

    /// Saves chart `id` as a PNG through its button, with the download caught: the file's name,
    /// its data URL, and the canvas's width, height and the device pixel ratio.
    pub async fn save_chart_png(&self, id: &str) -> (String, String, u64, u64, f64) {
        let png = self
            .js(
                "window.__saved = null; HTMLAnchorElement.prototype.click = function () { window.__saved = [this.download, this.href]; }; \
                 T(arguments[0] + '-png').click(); \
                 const c = T(arguments[0]); return [window.__saved, c.width, c.height, devicePixelRatio]",
                vec![json!(id)],
            )
            .await;
        (
            png[0][0].as_str().unwrap_or_default().to_owned(),
            png[0][1].as_str().unwrap_or_default().to_owned(),
            png[1].as_u64().unwrap_or(0),
            png[2].as_u64().unwrap_or(0),
            png[3].as_f64().unwrap_or(1.0),
        )
    }

    /// A chart's table view (`<chart>-table`): its headings and then its rows' cells.
    pub async fn chart_table(&self, chart: &str) -> Vec<Vec<String>> {
        let id = format!("{chart}-table");
        let mut out = vec![self.headings(&id).await];
        out.extend(self.row_cells(&id).await);
        out
    }

    /// Moves the mouse over canvas `id`, `x` pixels from its left edge and halfway down, with a
    /// real `mousemove`, for its tooltip.
    pub async fn hover_chart(&self, id: &str, x: f64) {
        self.js(
            "const c = T(arguments[0]); const r = c.getBoundingClientRect(); \
             c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + arguments[1], clientY: r.top + r.height / 2, bubbles: true })); return 0",
            vec![json!(id), json!(x)],
        )
        .await;
    }

    /// Gives `id` the focus and presses `keys` on it (a chart's arrows, a field's letters).
    pub async fn keys_on(&self, id: &str, keys: &str) {
        let element = self.element(id).await;
        self.focus(id).await;
        element.send_keys(keys).await.expect("keys");
    }

    /// Takes the focus from whatever has it, so keys go to the page.
    pub async fn blur(&self) {
        self.js("document.activeElement?.blur(); return 0", vec![]).await;
    }

    /// The theme the page shows (`light`, `dark`).
    pub async fn theme(&self) -> String {
        self.js_text("return document.documentElement.dataset.theme ?? ''", vec![])
            .await
    }

    // Files and sources.

    /// Chooses `paths` in the file input, as a user does.
    pub async fn open_files(&self, paths: &[&Path]) {
        let list = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        self.element("file-input")
            .await
            .send_keys(&list)
            .await
            .expect("choose the files");
    }

    /// Drags a text file named `name` holding `text` over the page (`drop`: and drops it), as
    /// the browser does with a file from the desktop; whether the drop target showed.
    pub async fn drag_file(&self, name: &str, text: &str) -> bool {
        self.js(
            "const t = new DataTransfer(); t.items.add(new File([arguments[1]], arguments[0], { type: 'text/plain' })); \
             window.__dropped = t; \
             window.dispatchEvent(new DragEvent('dragover', { dataTransfer: t, cancelable: true, bubbles: true })); return 0",
            vec![json!(name), json!(text)],
        )
        .await;
        self.exists("drop-target").await
    }

    /// Drops the file [`Page::drag_file`] dragged.
    pub async fn drop_file(&self) {
        self.js(
            "window.dispatchEvent(new DragEvent('drop', { dataTransfer: window.__dropped, cancelable: true, bubbles: true })); return 0",
            vec![],
        )
        .await;
    }

    /// The load's progress bar's value (0 to 1), when one shows.
    pub async fn load_progress(&self) -> Option<f64> {
        self.js(
            "const p = T('load-progress')?.querySelector('progress'); return p ? Number(p.value) : null",
            vec![],
        )
        .await
        .as_f64()
    }

    /// Picks `value` for the column `field` in the mapping dialog.
    pub async fn map_column(&self, field: &str, value: &str) {
        let select = self
            .client
            .wait()
            .at_most(APPEAR)
            .for_element(Locator::Css(&format!("select[data-field=\"{field}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no column choice for {field}: {e}"));
        select.select_by_value(value).await.expect("choose a column");
    }

    /// Empties the field `id` and types `value` into it.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self.element(id).await;
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type");
    }

    /// Connects to the ClickHouse table `database.table` at `url`, with a login when given, as
    /// a user does in the connect dialog.
    pub async fn connect_clickhouse(&self, url: &str, database: &str, table: &str, login: Option<(&str, &str)>) {
        self.click("open-connect").await;
        self.choose("connect-kind", "clickhouse").await;
        self.fill("connect-url", url).await;
        self.fill("connect-database", database).await;
        self.fill("connect-table", table).await;
        if let Some((user, password)) = login {
            self.fill("connect-user", user).await;
            self.fill("connect-token", password).await;
        }
        self.click("connect-go").await;
    }

    /// Everything the page says, as text.
    pub async fn body_text(&self) -> String {
        self.js_text("return document.body.textContent", vec![]).await
    }

    /// Opens the connect dialog and fills in the address and the token (none: an empty field),
    /// without connecting.
    pub async fn fill_connect(&self, url: &str, token: Option<&str>) {
        self.click("open-connect").await;
        super::eventually("the connect dialog opens", || self.dialog_is_open("connect-dialog")).await;
        self.fill("connect-url", url).await;
        self.fill("connect-token", token.unwrap_or("")).await;
    }

    /// Connects to `url` with `token`, as a user does in the connect dialog.
    pub async fn connect(&self, url: &str, token: Option<&str>) {
        self.fill_connect(url, token).await;
        self.click("connect-go").await;
    }

    // The selection dialog.

    /// Chooses exactly the clients `keys` in the selection dialog and applies them.
    pub async fn choose_clients(&self, keys: &[&str]) {
        self.click("open-selection").await;
        self.button_in("selection-clients", "Clear").await;
        for key in keys {
            self.selection_toggle(key).await;
        }
        self.click("selection-apply").await;
    }

    /// Ticks (or unticks) client `key` in the open selection dialog.
    pub async fn selection_toggle(&self, key: &str) {
        self.client
            .wait()
            .at_most(APPEAR)
            .for_element(Locator::Css(&format!(
                "[data-testid=selection-clients] input[data-key=\"{key}\"]"
            )))
            .await
            .unwrap_or_else(|e| panic!("no choice for {key}: {e}"))
            .click()
            .await
            .expect("tick");
    }

    /// The keys of the choices the selection dialog lists.
    pub async fn selection_choices(&self) -> Vec<String> {
        self.js_texts(
            "return [...(T('selection-clients')?.querySelectorAll('input[type=checkbox]') ?? [])].map(i => i.dataset.key)",
            vec![],
        )
        .await
    }

    /// What the selection dialog says about how many it lists.
    pub async fn selection_count(&self) -> String {
        self.js_text(
            "return T('selection-clients')?.querySelector('.choices__count')?.textContent ?? ''",
            vec![],
        )
        .await
    }

    /// The clients chosen, as the banner lists them.
    pub async fn chosen_clients(&self) -> Vec<String> {
        self.js_texts(
            "return [...(T('selected-clients')?.querySelectorAll('li') ?? [])].map(li => li.textContent)",
            vec![],
        )
        .await
    }

    // Whole-page checks.

    /// Every element whose text is drawn in a colour too close to its background, as
    /// `TAG.class ratio “text”`.
    pub async fn low_contrast_texts(&self) -> Vec<String> {
        self.js_texts(LOW_CONTRAST, vec![]).await
    }

    /// The meter `id`'s filled part's colour.
    pub async fn meter_colour(&self, id: &str) -> String {
        self.js_text(
            "return getComputedStyle(T(arguments[0]), '::-webkit-meter-optimum-value').backgroundColor",
            vec![json!(id)],
        )
        .await
    }

    /// How many elements the start-up failure message has (made as text, not HTML).
    pub async fn startup_failure_parts(&self) -> (usize, usize) {
        let both = self
            .js(
                "return [document.querySelectorAll('.startup-failure').length, document.querySelectorAll('.startup-failure *').length]",
                vec![],
            )
            .await;
        (
            both[0].as_u64().unwrap_or(0) as usize,
            both[1].as_u64().unwrap_or(0) as usize,
        )
    }
}

/// See [`Page::low_contrast_texts`]: WCAG AA (4.5:1, or 3:1 for large text) against the first
/// opaque background behind each visible element with text of its own.
const LOW_CONTRAST: &str = r#"
const channels = c => c.match(/[\d.]+/g).map(Number);
const lum = c => { const [r, g, b] = channels(c).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const behind = el => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; const m = channels(c); if (m.length < 4 || m[3] > 0.5) return c; } return 'rgb(255, 255, 255)'; };
const bad = [];
for (const el of document.querySelectorAll('body *')) {
  if (!el.getClientRects().length || el.closest('.visually-hidden, option, optgroup')) continue;
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const s = getComputedStyle(el);
  if (s.visibility === 'hidden' || Number(s.opacity) === 0) continue;
  const a = lum(s.color), b = lum(behind(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)} “${el.textContent.trim().slice(0, 30)}”`);
}
return bad;
"#;
