//! The KPI tiles above the charts.

use leptos::prelude::*;
use usage_core::StatusCounts;
use usage_core::query::ClientCount;
use usage_core::StatusClass;
use usage_core::format::{percent, thousands};

/// Total requests, distinct clients, error rate and 429s for the range.
#[component]
pub fn KpiTiles(
    /// Requests per status class over all clients in the range.
    totals: Memo<StatusCounts>,
    /// Clients with requests in the range, and whether some traffic names no client.
    clients: Memo<ClientCount>,
) -> impl IntoView {
    view! {
        <section class="kpis" aria-label="Key figures">
            <Tile label="Total requests" testid="kpi-total-requests" hint="in the selected days"
                value=Signal::derive(move || thousands(totals.get().total()))/>
            <Tile label="Clients" testid="kpi-clients"
                hint=Signal::derive(move || if clients.get().unidentified { "+ unidentified traffic" } else { "applications that called" })
                value=Signal::derive(move || thousands(clients.get().identified as u64))/>
            <Tile label="Error rate" testid="kpi-error-rate" hint="4xx, 429 and 5xx"
                value=Signal::derive(move || percent(totals.get().error_rate()))/>
            <Tile label="Rate limited" testid="kpi-429" hint="429 Too Many Requests"
                value=Signal::derive(move || thousands(totals.get().get(StatusClass::RateLimited)))/>
        </section>
    }
}

/// One tile: a label, a big number and a hint.
#[component]
fn Tile(
    label: &'static str,
    testid: &'static str,
    #[prop(into)]
    hint: Signal<&'static str>,
    /// The formatted value.
    value: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="kpi">
            <div class="kpi__label">{label}</div>
            <div class="kpi__value" data-testid=testid>{move || value.get()}</div>
            <div class="kpi__hint">{move || hint.get()}</div>
        </div>
    }
}
