//! The chart cards the pages are made of, each for any dimension: requests over time split by
//! some values, bars stacked by status class, and the status codes. Every bar, line and legend
//! entry drills down: a click adds its value as a filter.

use leptos::prelude::*;
use usage_core::format::{bucket_label, compact, percent, thousands, visible_name};
use usage_core::metric::Metric;
use usage_core::query::StatusDetail;
use usage_core::zone::Window;
use usage_core::{BreakdownRow, Dimension, Filter, Granularity, RecordFilter, StatusClass, StatusCounts, UsageStore};

use crate::charts::canvas::{ChartCanvas, PointFn, TableFn, Target};
use crate::charts::line::{LineChart, bucket_at, bucket_point, draw_line_chart};
use crate::charts::palette::key_color;
use crate::charts::stacked_bar::{Bar, bar_at, bar_point, draw_stacked_bars};
use crate::charts::{Plot, Series, fit_path};
use crate::components::legend::{Legend, LegendItem};
use crate::state::{Dark, Dashboard};

/// A value's name as a chart draws it: control characters made visible (canvas text cannot be
/// isolated), and long URL templates shortened at the start, where they are most alike.
pub fn chart_label(store: &UsageStore, dimension: Dimension, key: u32) -> String {
    let label = visible_name(&store.label(dimension, key)).into_owned();
    if dimension == Dimension::Template {
        fit_path(&label, 22)
    } else {
        label
    }
}

/// The legend entry of a value, linking to the dashboard filtered to it.
fn drill_item(
    dashboard: Dashboard,
    store: &UsageStore,
    dimension: Dimension,
    key: u32,
    rank: usize,
    detail: Option<String>,
) -> LegendItem {
    let next = dashboard.view.with_untracked(|v| {
        v.with_filter(Filter {
            dimension,
            key: store.key_text(dimension, key),
        })
    });
    LegendItem {
        label: store.label(dimension, key),
        swatch: key_color(dimension, key, rank).1,
        detail,
        href: Some(dashboard.href(&next)),
    }
}

/// The status classes as legend entries, each a link to the dashboard filtered to that class.
pub fn class_legend(dashboard: Dashboard) -> Signal<Vec<LegendItem>> {
    Signal::derive(move || {
        let view = dashboard.view.get();
        StatusClass::NAMED
            .iter()
            .map(|c| LegendItem {
                label: c.as_str().to_owned(),
                swatch: format!("status-{}", c.as_str()),
                detail: None,
                href: Some(dashboard.href(&view.with_filter(Filter {
                    dimension: Dimension::Class,
                    key: c.as_str().to_owned(),
                }))),
            })
            .collect()
    })
}

/// Where a chart drew its plot; a drawing failure is logged to the console, and the chart stays
/// blank rather than breaking the page.
pub fn report<E: std::fmt::Debug>(result: Result<Plot, E>) -> Option<Plot> {
    result
        .map_err(|error| web_sys::console::error_1(&format!("chart drawing failed: {error:?}").into()))
        .ok()
}

/// Requests over time through `filter`, one line per key of `dimension`, in rank colours: or
/// the metric the link asks for (error rate, p95 latency, bytes), where the data has it.
#[component]
pub fn SeriesCard(
    title: &'static str,
    #[prop(into)] sub: Signal<String>,
    dimension: Dimension,
    #[prop(into)] keys: Signal<Vec<u32>>,
    #[prop(into)] filter: Signal<RecordFilter>,
    testid: &'static str,
    #[prop(optional)] legend_testid: Option<&'static str>,
    /// A stretch and buckets of its own rather than the range's (the Today view's last 24
    /// hours): nothing is compared and no spikes are marked there.
    #[prop(optional, into)]
    window: Option<Signal<(Window, Granularity)>>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let metric = shown_metric(dashboard, dimension);
    // Each drawing of the chart has a number, so spike marks found later are drawn only over
    // the chart they were found for.
    let drawings = StoredValue::new(0u64);
    let drawn = Memo::new(move |_| {
        let (span, granularity) = match window {
            Some(w) => w.get(),
            None => (dashboard.span.get(), dashboard.granularity.get()),
        };
        let metric = metric.get();
        let keys = keys.get();
        let offsets = dashboard.offsets.get();
        let compare = window.is_none().then(|| dashboard.compare_span.get()).flatten();
        store.with(|s| {
            let series_of = |window| {
                filter.with(|f| match metric {
                    Metric::Requests => {
                        let t = s.series_in(window, granularity, &offsets, f, Some((dimension, &keys)));
                        (
                            t.starts,
                            t.series
                                .into_iter()
                                .map(|(k, v)| (k, v.into_iter().map(Some).collect()))
                                .collect::<Vec<_>>(),
                        )
                    }
                    _ => {
                        let t = s.metric_series(window, granularity, &offsets, f, Some((dimension, &keys)), &metric);
                        (t.starts, t.series)
                    }
                })
            };
            let lines = |series: Vec<(u32, Vec<Option<u64>>)>| -> Vec<Series> {
                series
                    .into_iter()
                    .enumerate()
                    .map(|(rank, (key, values))| Series {
                        label: chart_label(s, dimension, key),
                        color: key_color(dimension, key, rank).0,
                        values,
                    })
                    .collect()
            };
            let (starts, series) = series_of(span);
            drawings.update_value(|n| *n += 1);
            // A period the data does not reach is not drawn as a line at zero.
            let previous = compare
                .filter(|w| s.reaches_back_to(w.start))
                .map(|window| lines(series_of(window).1))
                .unwrap_or_default();
            let chart = LineChart {
                granularity,
                metric,
                starts: starts.iter().map(|&t| offsets.local(t)).collect(),
                series: lines(series),
                previous,
                marks: Vec::new(),
            };
            (drawings.get_value(), chart)
        })
    });
    // The spikes of the requests over the range, found in a task of their own after the line is
    // drawn: another pass over every record, which a million records make worth not adding to
    // the task that shows new data.
    let marks = RwSignal::new((0u64, Vec::<(usize, usize)>::new()));
    Effect::new(move |_| {
        let Some(drawing) = drawn.with(|(n, c)| (c.metric == Metric::Requests && window.is_none()).then_some(*n))
        else {
            return;
        };
        let (span, granularity, offsets) = (
            dashboard.span.get_untracked(),
            dashboard.granularity.get_untracked(),
            dashboard.offsets.get_untracked(),
        );
        let (keys, filter, store) = (keys.get_untracked(), filter.get_untracked(), store.get_untracked());
        set_timeout(
            move || {
                let spikes = store.spikes(span, granularity, &offsets, &filter, dimension, &keys);
                marks.try_set((
                    drawing,
                    spikes
                        .iter()
                        .filter_map(|spike| Some((keys.iter().position(|&k| k == spike.key)?, spike.bucket)))
                        .collect(),
                ));
            },
            std::time::Duration::ZERO,
        );
    });
    let chart = Memo::new(move |_| {
        drawn.with(|(n, c)| {
            let mut chart = c.clone();
            marks.with(|(found_for, found)| {
                if found_for == n {
                    chart.marks = found.clone();
                }
            });
            chart
        })
    });
    let legend = Signal::derive(move || {
        let keys = keys.get();
        store.with(|s| {
            keys.iter()
                .enumerate()
                .map(|(rank, &k)| drill_item(dashboard, s, dimension, k, rank, None))
                .collect::<Vec<_>>()
        })
    });
    let per = move || {
        format!(
            "{}, {}",
            chart.with(|c| c.granularity).per(),
            dashboard.zone_label.get()
        )
    };
    let heading = move || match metric.get() {
        Metric::Requests => title.to_owned(),
        m => format!("{} over time", store.with(|s| m.label(s))),
    };
    let hit = Box::new(move |x: f64, _y: f64, plot: &Plot| {
        chart.with_untracked(|c| {
            let i = bucket_at(plot, c.starts.len(), x)?;
            Some(Target {
                tip: bucket_tip(c, i, &dashboard.zone_label.get_untracked()),
                go: None,
            })
        })
    });
    let points = Box::new(move |plot: &Plot| {
        chart.with_untracked(|c| {
            (0..c.starts.len())
                .map(|i| bucket_point(plot, c.starts.len(), i))
                .collect()
        })
    });
    let table = Box::new(move || {
        chart.with(|c| {
            let mut heads = vec![format!("{} ({})", c.granularity.label(), dashboard.zone_label.get())];
            heads.extend(c.series.iter().map(|s| s.label.clone()));
            heads.extend(c.previous.iter().map(|s| format!("{}, compared", s.label)));
            let rows = (0..c.starts.len())
                .map(|i| {
                    let mut row = vec![bucket_when(c.starts[i], c.granularity)];
                    row.extend(
                        c.series
                            .iter()
                            .chain(&c.previous)
                            .map(|s| c.metric.text(s.values.get(i).copied().flatten())),
                    );
                    row
                })
                .collect();
            (heads, rows)
        })
    });
    view! {
        <section class="card card--wide">
            <header class="card__header">
                <h2 class="card__title">{heading}</h2>
                <span class="card__sub">{per}" · "{move || sub.get()}</span>
                <span class="card__spacer"></span>
                <MetricSwitch shown=metric dimension=dimension/>
            </header>
            <ChartCanvas class="chart chart--line" dark=Dark::now() on_go=dashboard.go_to() period=dashboard.chart_period() testid=testid
                label=Signal::derive(move || format!("Line chart: {}, {}", heading(), per()))
                draw=Box::new(move |root, scale| chart.with(|d| report(draw_line_chart(root, d, scale))))
                hit=hit points=points table=table/>
            <Legend items=legend testid=legend_testid.unwrap_or("series-legend")/>
        </section>
    }
}

/// The metric the link asks for, or requests where the data cannot give it on a chart split
/// by `dimension` (a measure is counted per client only).
fn shown_metric(dashboard: Dashboard, dimension: Dimension) -> Memo<Metric> {
    Memo::new(move |_| {
        let asked = dashboard.view.with(|v| v.metric.clone());
        let detail = dashboard.status_detail.get();
        match dashboard.store.with(|s| why_not(&asked, s, detail, dimension)) {
            None => asked,
            Some(_) => Metric::Requests,
        }
    })
}

/// Why `metric` cannot be shown on a chart split by `dimension`, if it cannot.
fn why_not(
    metric: &Metric,
    store: &usage_core::UsageStore,
    detail: StatusDetail,
    dimension: Dimension,
) -> Option<String> {
    match metric.availability(store, detail) {
        Err(why) => Some(why.to_string()),
        Ok(()) if matches!(metric, Metric::Measure(_)) && dimension != Dimension::Client => Some(format!(
            "This measure is counted per client, not per {}.",
            dimension.label_lower()
        )),
        Ok(()) => None,
    }
}

/// What the time chart measures (`metric=`): a metric the data cannot give is offered disabled,
/// and says why.
#[component]
fn MetricSwitch(shown: Memo<Metric>, dimension: Dimension) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let options = move || {
        let detail = dashboard.status_detail.get();
        dashboard.store.with(|s| {
            // The built-in metrics, then the data's own measures (3scale's data transfer, say).
            Metric::offered(s)
                .into_iter()
                .map(|m| {
                    let why = why_not(&m, s, detail, dimension);
                    view! { <option value=m.as_str().into_owned() disabled=why.is_some() title=why>{m.label(s)}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <label class="field field--inline">
            <span class="field__label">"Measure"</span>
            <select class="field__input field__input--select" data-testid="metric" prop:value=move || shown.with(|m| m.as_str().into_owned())
                on:change=move |event| {
                    let metric = Metric::parse(&event_target_value(&event)).unwrap_or_default();
                    dashboard.go_with(|v| v.metric = metric);
                }>
                {options}
            </select>
        </label>
    }
}

/// A bucket's start in words, from its wall-clock time: `29 Nov 2026 14:00`, `Week of …`.
pub fn bucket_when(start: i64, granularity: Granularity) -> String {
    let day = usage_core::format::long_date(usage_core::range::date_of_day(start.div_euclid(86_400)));
    match granularity {
        Granularity::TenMinutes | Granularity::Hour => format!("{day} {}", bucket_label(start, granularity)),
        Granularity::Week => format!("Week of {day}"),
        Granularity::Day => day,
        Granularity::Month => bucket_label(start, granularity),
    }
}

/// The tooltip of bucket `i`: its start with the zone, and each series' exact value (with its
/// share of the bucket, for counts), and the comparison period's when compared.
pub fn bucket_tip(chart: &LineChart, i: usize, zone: &str) -> String {
    let when = bucket_when(chart.starts.get(i).copied().unwrap_or(0), chart.granularity);
    let at = |s: &Series| s.values.get(i).copied().flatten();
    let sum: u64 = chart.series.iter().filter_map(at).sum();
    let mut lines = vec![format!("{when} ({zone})")];
    for (k, s) in chart.series.iter().enumerate() {
        let share = match chart.metric {
            Metric::Requests => usage_core::query::share(at(s).unwrap_or(0), sum)
                .map(|f| format!(" ({})", percent(Some(f))))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let previous = chart
            .previous
            .get(k)
            .map(|p| format!(", before {}", chart.metric.text(at(p))))
            .unwrap_or_default();
        let spike = if chart.marks.contains(&(k, i)) {
            " ▲ spike"
        } else {
            ""
        };
        lines.push(format!(
            "{}: {}{share}{previous}{spike}",
            s.label,
            chart.metric.text(at(s))
        ));
    }
    lines.join("\n")
}

/// Horizontal bars of `rows` (values of `dimension`), each stacked by status class.
#[component]
pub fn StatusBarsCard(
    title: &'static str,
    #[prop(into)] sub: Signal<String>,
    dimension: Dimension,
    #[prop(into)] rows: Signal<Vec<BreakdownRow>>,
    testid: &'static str,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let bars = Memo::new(move |_| {
        store.with(|s| {
            rows.with(|rows| {
                rows.iter()
                    .map(|r| Bar::by_status(chart_label(s, dimension, r.key), &r.counts))
                    .collect::<Vec<_>>()
            })
        })
    });
    let hit = Box::new(move |_x: f64, y: f64, plot: &Plot| {
        let row = rows.with_untracked(|rows| bar_at(plot, rows.len(), y).map(|i| rows[i]))?;
        store.with_untracked(|s| {
            let key = s.key_text(dimension, row.key);
            let classes: Vec<String> = StatusClass::NAMED
                .iter()
                .filter(|&&c| row.counts.get(c) > 0)
                .map(|&c| {
                    format!(
                        "{}: {} ({})",
                        c.as_str(),
                        thousands(row.counts.get(c)),
                        percent(usage_core::query::share(row.counts.get(c), row.counts.total()))
                    )
                })
                .collect();
            Some(Target {
                tip: format!(
                    "{}: {} requests\n{}",
                    s.label(dimension, row.key),
                    thousands(row.counts.total()),
                    classes.join("\n")
                ),
                go: Some(
                    dashboard
                        .view
                        .with_untracked(|v| v.with_filter(Filter { dimension, key })),
                ),
            })
        })
    });
    view! {
        <section class="card">
            <header class="card__header">
                <h2 class="card__title">{title}</h2>
                <span class="card__sub">{move || sub.get()}</span>
            </header>
            <ChartCanvas class="chart chart--bars" dark=Dark::now() on_go=dashboard.go_to() period=dashboard.chart_period() testid=testid
                label=Signal::derive(move || format!("Stacked bar chart: {title}, by status class"))
                draw=Box::new(move |root, scale| bars.with(|d| report(draw_stacked_bars(root, d, scale))))
                hit=hit points=bar_points(Signal::derive(move || rows.with(Vec::len))) table=status_table(dimension.into(), rows)/>
            <Legend items=class_legend(dashboard)/>
        </section>
    }
}

/// Requests per status code through `filter`, each bar in its class's colour. Data that counts
/// per class only shows the classes, and says so; data without statuses says that.
#[component]
pub fn StatusCodesCard(#[prop(into)] sub: Signal<String>, #[prop(into)] filter: Signal<RecordFilter>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let dimension = Memo::new(move |_| {
        if dashboard.status_detail.get() == StatusDetail::Classes {
            Dimension::Class
        } else {
            Dimension::Status
        }
    });
    // In code order (200, 201, 304, 404, …), as the Genesys chart shows them; the top 12 by requests.
    let rows = Memo::new(move |_| {
        let d = dimension.get();
        // Counted ahead for new data through the dashboard's own filters (the overview's card).
        let counted = |s: &std::sync::Arc<usage_core::UsageStore>, f: &RecordFilter| {
            let span = dashboard.span.get();
            let ahead = dashboard
                .filter
                .with(|own| own == f)
                .then(|| dashboard.prepared(d, s, span, f))
                .flatten();
            ahead.unwrap_or_else(|| s.breakdown(span, d, f, false))
        };
        let mut rows = store.with(|s| filter.with(|f| counted(s, f).rows.to_vec()));
        rows.truncate(12);
        rows.sort_by_key(|r| r.key);
        rows
    });
    let bars = Memo::new(move |_| {
        let d = dimension.get();
        store.with(|s| {
            rows.with(|rows| {
                rows.iter()
                    .map(|r| Bar {
                        label: s.label(d, r.key),
                        segments: vec![(r.counts.total(), key_color(d, r.key, 0).0)],
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let hit = Box::new(move |_x: f64, y: f64, plot: &Plot| {
        let d = dimension.get_untracked();
        let row = rows.with_untracked(|rows| bar_at(plot, rows.len(), y).map(|i| rows[i]))?;
        let key = store.with_untracked(|s| s.key_text(d, row.key));
        Some(Target {
            tip: format!(
                "{key}: {} requests ({} of those shown)",
                thousands(row.counts.total()),
                percent(usage_core::query::share(
                    row.counts.total(),
                    rows.with_untracked(|rows| rows.iter().map(|r| r.counts.total()).sum())
                ))
            ),
            go: Some(
                dashboard
                    .view
                    .with_untracked(|v| v.with_filter(Filter { dimension: d, key })),
            ),
        })
    });
    let note = move || match dashboard.availability(Dimension::Status) {
        Ok(()) => None,
        Err(why) => Some(view! { <p class="card__note" data-testid="status-note">{why.to_string()}</p> }),
    };
    view! {
        <section class="card">
            <header class="card__header">
                <h2 class="card__title">"HTTP response status codes"</h2>
                <span class="card__sub">{move || sub.get()}</span>
            </header>
            {note}
            <ChartCanvas class="chart chart--bars" dark=Dark::now() on_go=dashboard.go_to() period=dashboard.chart_period() testid="chart-status-codes"
                label=Signal::derive(move || "Bar chart of requests per status code, coloured by class".to_owned())
                draw=Box::new(move |root, scale| bars.with(|d| report(draw_stacked_bars(root, d, scale))))
                hit=hit points=bar_points(Signal::derive(move || rows.with(Vec::len))) table=status_table(dimension.into(), rows.into())/>
            <Legend items=class_legend(dashboard)/>
        </section>
    }
}

/// Where each of `count` bars is, for the arrow keys.
pub fn bar_points(count: Signal<usize>) -> PointFn {
    Box::new(move |plot: &Plot| {
        let count = count.get_untracked();
        (0..count).map(|i| bar_point(plot, count, i)).collect()
    })
}

/// A bar chart of `rows` as a table: each value's requests, and its requests per status class.
pub fn status_table(dimension: Signal<Dimension>, rows: Signal<Vec<BreakdownRow>>) -> TableFn {
    let store = expect_context::<Dashboard>().store;
    Box::new(move || {
        let d = dimension.get();
        let mut heads = vec![
            crate::components::breakdown_card::capitalised(d.label_lower()),
            "Requests".to_owned(),
        ];
        heads.extend(StatusClass::NAMED.iter().map(|c| c.as_str().to_owned()));
        let rows = store.with(|s| {
            rows.with(|rows| {
                rows.iter()
                    .map(|r| {
                        let mut row = vec![
                            visible_name(&s.label(d, r.key)).into_owned(),
                            thousands(r.counts.total()),
                        ];
                        row.extend(StatusClass::NAMED.iter().map(|&c| thousands(r.counts.get(c))));
                        row
                    })
                    .collect()
            })
        });
        (heads, rows)
    })
}

/// The legend of a share chart: each value shown with its requests and share of `total`, and
/// everything else as "Other".
pub fn share_items(
    dashboard: Dashboard,
    store: &UsageStore,
    dimension: Dimension,
    shown: &[BreakdownRow],
    other: &StatusCounts,
    total: u64,
) -> Vec<LegendItem> {
    let detail = |value: u64| {
        Some(format!(
            "{} · {}",
            compact(value as f64),
            usage_core::format::percent(usage_core::query::share(value, total))
        ))
    };
    let mut items: Vec<LegendItem> = shown
        .iter()
        .enumerate()
        .map(|(rank, r)| drill_item(dashboard, store, dimension, r.key, rank, detail(r.counts.total())))
        .collect();
    if other.total() > 0 {
        items.push(LegendItem {
            label: "Other".into(),
            swatch: "client-other".into(),
            detail: detail(other.total()),
            href: None,
        });
    }
    items
}
