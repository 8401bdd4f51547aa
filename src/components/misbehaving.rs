//! "Misbehaving clients": each client whose requests, 5xx or 429s jumped far above its own
//! baseline in the range (the core's spike rule), with what happened and when. A click drills
//! down to the client.

use leptos::prelude::*;
use usage_core::format::thousands;
use usage_core::spikes::SpikeMetric;
use usage_core::{Dimension, Filter};

use crate::state::Dashboard;

/// The clients judged: the busiest ones (a spike of a client with a handful of calls is noise).
const CLIENTS: usize = 50;

#[component]
pub fn Misbehaving() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    // Found in a task of its own after the rest of the dashboard is drawn: on a big file the pass
    // over the records is long enough to be worth not adding to that task.
    let spikes = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let keys: Vec<u32> = dashboard
            .clients
            .with(|c| c.rows.iter().take(CLIENTS).map(|r| r.key).collect());
        let (offsets, span, granularity, filter, store) = (
            dashboard.offsets.get(),
            dashboard.span.get(),
            dashboard.granularity.get(),
            dashboard.filter.get(),
            store.get(),
        );
        set_timeout(
            move || {
                spikes.try_set(store.spikes(span, granularity, &offsets, &filter, Dimension::Client, &keys));
            },
            std::time::Duration::ZERO,
        );
    });
    let items = move || {
        let granularity = dashboard.granularity.get();
        let offsets = dashboard.offsets.get();
        store.with(|s| {
            spikes.with(|list| {
                list.iter()
                    .rev()
                    .map(|spike| {
                        let key = s.key_text(Dimension::Client, spike.key);
                        let href = dashboard.href(&dashboard.view.with(|v| v.with_filter(Filter { dimension: Dimension::Client, key: key.clone() })));
                        let when = crate::components::cards::bucket_when(offsets.local(spike.start), granularity);
                        let what = format!(
                            "{} {} {} (usually {})",
                            thousands(spike.value),
                            spike.metric.label(),
                            granularity.per(),
                            thousands(spike.baseline)
                        );
                        let class = match spike.metric {
                            SpikeMetric::Requests => "misbehaving__metric",
                            SpikeMetric::ServerErrors => "misbehaving__metric status-text-5xx",
                            SpikeMetric::RateLimited => "misbehaving__metric status-text-429",
                        };
                        view! {
                            <li class="misbehaving__item" data-key=key>
                                <a class="drill misbehaving__name" href=href><bdi>{usage_core::format::visible_name(&s.label(Dimension::Client, spike.key)).into_owned()}</bdi></a>
                                <span class=class>{what}</span>
                                <span class="misbehaving__when">{when}</span>
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <section class="card card--wide" aria-labelledby="misbehaving-title" data-testid="misbehaving">
            <header class="card__header">
                <h2 id="misbehaving-title" class="card__title">"Misbehaving clients"</h2>
                <span class="card__sub">{move || format!("jumps far above a client's own recent {}, {}", if dashboard.granularity.get().fixed_seconds().is_some_and(|w| w < 86_400) { "same hours" } else { "buckets" }, dashboard.zone_label.get())}</span>
            </header>
            <Show when=move || spikes.with(|l| !l.is_empty())
                fallback=|| view! { <p class="card__note" data-testid="misbehaving-none">"No client jumped far above its usual traffic, errors or rate limiting in this range."</p> }>
                <ol class="misbehaving">{items}</ol>
            </Show>
            <p class="card__foot">"A spike is at least twice the median of the 7 buckets before it (the same time on the 7 days before, for buckets under a day), and 6 spreads above it."</p>
        </section>
    }
}
