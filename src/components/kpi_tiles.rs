//! The KPI tiles above the charts, with their change against the comparison period.

use std::cmp::Ordering;

use leptos::prelude::*;
use usage_core::StatusClass;
use usage_core::StatusCounts;
use usage_core::format::{Change, count_change, percent, rate_change, thousands};
use usage_core::query::ClientCount;

/// The comparison period's totals and clients; `Err` when the data does not reach back to it.
pub type Before = Option<Result<(StatusCounts, ClientCount), ()>>;

/// Whether a rise is good, bad or neither: more errors is bad, more requests is neutral.
#[derive(Clone, Copy, Default)]
pub enum Meaning {
    #[default]
    Neutral,
    RiseIsBad,
}

/// Total requests, distinct clients, error rate and 429s for the range.
#[component]
pub fn KpiTiles(
    /// Requests per status class over all clients in the range.
    totals: Memo<StatusCounts>,
    /// Clients with requests in the range, and whether some traffic names no client.
    clients: Memo<ClientCount>,
    /// The same for the comparison period, when the link compares.
    before: Memo<Before>,
) -> impl IntoView {
    let change = move |of: fn(&Figures, &Figures) -> Option<Change>| -> ChangeSignal {
        Signal::derive(move || match before.get() {
            None => None,
            Some(Err(())) => Some(Err(())),
            Some(Ok(then)) => of(&(totals.get(), clients.get()), &then).map(Ok),
        })
    };
    let requests = change(|now, before| Some(count_change(now.0.total(), before.0.total())));
    let client_change = change(|now, before| Some(count_change(now.1.identified as u64, before.1.identified as u64)));
    let errors = change(|now, before| rate_change(now.0.error_rate(), before.0.error_rate()));
    let limited = change(|now, before| {
        Some(count_change(
            now.0.get(StatusClass::RateLimited),
            before.0.get(StatusClass::RateLimited),
        ))
    });
    view! {
        <section class="kpis" aria-label="Key figures">
            <Tile label="Total requests" testid="kpi-total-requests" hint="in the selected days"
                value=Signal::derive(move || thousands(totals.get().total())) change=requests meaning=Meaning::Neutral/>
            <Tile label="Clients" testid="kpi-clients"
                hint=Signal::derive(move || if clients.get().unidentified { "+ unidentified traffic" } else { "applications that called" })
                value=Signal::derive(move || thousands(clients.get().identified as u64)) change=client_change meaning=Meaning::Neutral/>
            <Tile label="Error rate" testid="kpi-error-rate" hint="4xx, 429 and 5xx"
                value=Signal::derive(move || percent(totals.get().error_rate())) change=errors meaning=Meaning::RiseIsBad/>
            <Tile label="Rate limited" testid="kpi-429" hint="429 Too Many Requests"
                value=Signal::derive(move || thousands(totals.get().get(StatusClass::RateLimited))) change=limited meaning=Meaning::RiseIsBad/>
        </section>
    }
}

type Figures = (StatusCounts, ClientCount);
type ChangeSignal = Signal<Option<Result<Change, ()>>>;

/// One tile: a label, a big number, a hint and, when compared, the change.
#[component]
pub fn Tile(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] hint: Signal<&'static str>,
    /// The formatted value.
    value: Signal<String>,
    #[prop(optional)] change: ChangeSignal,
    #[prop(optional)] meaning: Meaning,
) -> impl IntoView {
    let dashboard = expect_context::<crate::state::Dashboard>();
    let against = move || match dashboard.view.with(|v| v.compare) {
        Some(usage_core::zone::Compare::Year) => " vs a year earlier",
        _ => " vs the previous period",
    };
    let tone = move |c: &Change| match (meaning, c.direction) {
        (Meaning::RiseIsBad, Ordering::Greater) => "kpi__change kpi__change--bad",
        (Meaning::RiseIsBad, Ordering::Less) => "kpi__change kpi__change--good",
        _ => "kpi__change",
    };
    view! {
        <div class="kpi">
            <div class="kpi__label">{label}</div>
            <div class="kpi__value" data-testid=testid>{move || value.get()}</div>
            <div class="kpi__hint">{move || hint.get()}</div>
            {move || change.get().map(|c| match c {
                Ok(c) => {
                    let class = tone(&c);
                    view! { <div class=class data-testid=format!("{testid}-change")>{c.text}{against}</div> }.into_any()
                }
                Err(()) => view! { <div class="kpi__change kpi__change--none" data-testid=format!("{testid}-change")>"no data for the comparison period"</div> }.into_any(),
            })}
        </div>
    }
}
