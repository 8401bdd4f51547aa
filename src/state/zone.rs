//! The zone days and buckets follow: the link's, or UTC for data counted in whole UTC days.

use leptos::prelude::*;
use usage_core::UsageStore;
use usage_core::zone::{Offsets, ZoneChoice};

use super::Dashboard;

/// The offsets days and buckets follow in `zone` (named `name`) for data whose widest bucket is
/// `data_bucket` seconds over UTC days `day_span`, with the zone's label and why it is not the one
/// asked for. The offsets cover the data and the last 400 days (a year's comparison included).
pub(super) fn zone_offsets(
    zone: &ZoneChoice,
    name: Option<String>,
    counted_in_zone: bool,
    data_bucket: i64,
    day_span: Option<(i64, i64)>,
) -> (Offsets, String, Option<String>) {
    let label = name.unwrap_or_else(|| if *zone == ZoneChoice::Utc { "UTC" } else { "local time" }.to_owned());
    if *zone == ZoneChoice::Utc {
        return (Offsets::utc(), label, None);
    }
    if data_bucket >= 86_400 && !counted_in_zone {
        return (
            Offsets::utc(),
            "UTC".to_owned(),
            Some(format!(
                "This data counts whole UTC days, so its days stay UTC days rather than {label} days, as the vendor's own report does."
            )),
        );
    }
    let now = super::clock::now();
    let (first, last) = day_span.unwrap_or((now / 86_400, now / 86_400));
    let from = (first * 86_400).min(now - 400 * 86_400).max(0) - 8 * 86_400;
    let until = ((last + 2) * 86_400).max(now + 2 * 86_400);
    match super::clock::offsets(zone, from, until) {
        Ok(offsets) => (offsets, label, None),
        Err(problem) => (
            Offsets::utc(),
            "UTC".to_owned(),
            Some(format!("Times are in UTC: {problem}.")),
        ),
    }
}

impl Dashboard {
    /// The offsets that `store`'s days will follow once it is on screen (an opened file counts
    /// on the link's zone), so that the range it opens with covers its days in that zone.
    pub fn offsets_for(&self, store: &UsageStore) -> Offsets {
        zone_offsets(
            &self.zone.get_untracked(),
            self.zone_name.get_untracked(),
            false,
            store.widest_bucket().seconds().max(1),
            store.day_span(),
        )
        .0
    }
}
