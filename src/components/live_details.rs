//! What a live source said besides its usage: the quota and the server's days from `/meta`,
//! and what the answer covers when the endpoint could not give exactly the range asked for.

use chrono::NaiveDate;
use leptos::prelude::*;
use usage_core::DateRange;
use usage_core::format::{long_date, percent, thousands};
use usage_core::query::share;

use crate::sources::Live;

/// Lines under the live banner's title; nothing when there is nothing to say.
#[component]
pub fn LiveDetails(live: Live, range: Memo<DateRange>, today: NaiveDate) -> impl IntoView {
    let fetched_for = live.range;
    // Until the range on screen arrives, the figures only cover the days fetched before.
    let other_range = move || {
        (!fetched_for.covers(&range.get())).then(|| {
            let days = format!("{} – {}", long_date(fetched_for.from()), long_date(fetched_for.to()));
            view! { <div class="banner__detail banner__detail--warn" data-testid="other-range">{format!("This data was fetched for {days}: days outside it show nothing until the range on screen arrives.")}</div> }
        })
    };
    let meta = live.meta.clone().and_then(Result::ok);
    let meta_problem = live.meta.and_then(Result::err);
    let quota = meta.as_ref().and_then(|m| m.quota.clone()).map(|quota| {
        let used = share(quota.used, quota.limit);
        // Warn at 80 % of the quota, alarm at 95 %, as <meter> colours them.
        let (limit, low, high) = (quota.limit as f64, quota.limit as f64 * 0.8, quota.limit as f64 * 0.95);
        view! {
            <div class="quota" data-testid="quota">
                <span class="quota__text">{format!("Quota: {} of {} requests this {} ({} used)", thousands(quota.used), thousands(quota.limit), quota.window, percent(used))}</span>
                <meter class="quota__meter" min="0" max=limit low=low high=high optimum="0" value=quota.used as f64
                    aria-label=format!("{} of the {} quota used", percent(used), quota.window)></meter>
            </div>
        }
    });
    let timezone = meta.as_ref().map(|m| m.timezone.clone()).filter(|tz| !matches!(tz.as_str(), "UTC" | "Etc/UTC" | "Z" | "GMT")).map(|tz| {
        view! { <div class="banner__detail">{format!("The server cuts its days in {tz}; Callboard shows them as UTC days.")}</div> }
    });
    let retention = meta.map(|meta| {
        move || {
            meta.first_kept_day(&range.get(), today).map(|kept| {
                view! { <div class="banner__detail" data-testid="retention">{format!("The server keeps usage from {} on: earlier days are empty.", long_date(kept))}</div> }
            })
        }
    });
    view! {
        {other_range}
        {quota}
        {live.caveat.map(|caveat| view! { <div class="banner__detail" data-testid="live-caveat">{caveat}</div> })}
        {timezone}
        {retention}
        {meta_problem.map(|problem| view! { <div class="banner__detail" data-testid="meta-problem">{problem}</div> })}
    }
}
