//! The embedded demo dataset: about 60 days of hourly API traffic, made up
//! deterministically relative to `today`.
//!
//! It has 12 client applications over 25 method + URL template endpoints in 7 API areas
//! (modules), each calling from a few IP addresses of its own, some as named users,
//! office-hours, night-batch and steady traffic shapes, quieter weekends,
//! slow growth, and a status mix of 2xx/3xx/4xx/429/5xx with two visible
//! incidents: a 5xx spike 12 days ago and a client hammered by 429s 5 days
//! ago. Yesterday and today come in 10-minute buckets (for the Today view), today up to the
//! instant the demo is made; the date ranges leave today out.
//!
//! Every random draw is a hash of (day, client, endpoint, hour, what), so the
//! data depends on `today` alone. The growth trend and the incidents are
//! placed relative to `today`, so that they are always inside the window.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::model::{BucketWidth, SECONDS_PER_DAY};
use crate::range::day_number;
use crate::store::{StoreBuilder, StoreError, UsageStore};

/// Days of history before `today`.
pub const DAYS: i64 = 60;
/// [`demo_store`]'s today stops at this UTC hour, as a live system's would at that time.
pub const TODAY_UNTIL_HOUR: i64 = 14;

#[derive(Clone, Copy)]
enum Shape {
    /// People at work: peaks mid-afternoon UTC, quiet weekends.
    OfficeHours,
    /// A nightly job between 01:00 and 05:00 UTC, every day.
    NightBatch,
    /// Machine-to-machine traffic around the clock.
    Steady,
    /// Test runs on weekdays only.
    Weekdays,
}

struct DemoClient {
    id: &'static str,
    name: &'static str,
    per_day: f64,
    shape: Shape,
}

const CLIENTS: [DemoClient; 12] = [
    DemoClient {
        id: "7f3a9c21-billing-sync",
        name: "Billing Sync",
        per_day: 62_000.0,
        shape: Shape::Steady,
    },
    DemoClient {
        id: "c0a8e5d4-mobile-ios",
        name: "Mobile App (iOS)",
        per_day: 48_000.0,
        shape: Shape::OfficeHours,
    },
    DemoClient {
        id: "c0a8e5d5-mobile-android",
        name: "Mobile App (Android)",
        per_day: 41_000.0,
        shape: Shape::OfficeHours,
    },
    DemoClient {
        id: "52be11f0-partner-portal",
        name: "Partner Portal",
        per_day: 23_000.0,
        shape: Shape::OfficeHours,
    },
    DemoClient {
        id: "9d04c3aa-dwh-etl",
        name: "Data Warehouse ETL",
        per_day: 19_000.0,
        shape: Shape::NightBatch,
    },
    DemoClient {
        id: "e61f2b7c-zapier",
        name: "Zapier Connector",
        per_day: 11_500.0,
        shape: Shape::Steady,
    },
    DemoClient {
        id: "33d9a0e2-support-console",
        name: "Support Console",
        per_day: 8_200.0,
        shape: Shape::OfficeHours,
    },
    DemoClient {
        id: "a7c55e19-marketing-site",
        name: "Marketing Site",
        per_day: 5_600.0,
        shape: Shape::OfficeHours,
    },
    DemoClient {
        id: "0b9e7d6c-salesforce-sync",
        name: "Salesforce Sync",
        per_day: 4_300.0,
        shape: Shape::Steady,
    },
    DemoClient {
        id: "f2a14c08-qa-automation",
        name: "QA Automation",
        per_day: 3_100.0,
        shape: Shape::Weekdays,
    },
    DemoClient {
        id: "6e3b90d1-legacy-reports",
        name: "Legacy Reporting",
        per_day: 1_700.0,
        shape: Shape::NightBatch,
    },
    DemoClient {
        id: "d58f0a3e-inventory-bot",
        name: "Inventory Bot",
        per_day: 950.0,
        shape: Shape::Steady,
    },
];

/// The client hammered by 429s during the rate-limit incident.
const RATE_LIMITED_CLIENT: usize = 5;
/// Days before `today` of the two incidents.
const SERVER_ERROR_DAYS_AGO: i64 = 12;
const RATE_LIMIT_DAYS_AGO: i64 = 5;

const ENDPOINTS: [(&str, &str, f64); 25] = [
    ("GET", "/api/v2/users/{id}", 9.0),
    ("GET", "/api/v2/users", 4.0),
    ("POST", "/api/v2/users", 1.0),
    ("PATCH", "/api/v2/users/{id}", 1.5),
    ("GET", "/api/v2/users/{id}/fees", 3.0),
    ("GET", "/api/v2/accounts/{id}", 6.0),
    ("GET", "/api/v2/accounts/{id}/invoices", 4.5),
    ("POST", "/api/v2/accounts/{id}/invoices", 1.2),
    ("GET", "/api/v2/invoices/{id}", 3.5),
    ("GET", "/api/v2/invoices/{id}/pdf", 1.0),
    ("POST", "/api/v2/payments", 2.0),
    ("GET", "/api/v2/payments/{id}", 2.5),
    ("GET", "/api/v2/orders", 5.0),
    ("POST", "/api/v2/orders", 2.2),
    ("GET", "/api/v2/orders/{id}", 6.5),
    ("PUT", "/api/v2/orders/{id}", 1.1),
    ("DELETE", "/api/v2/orders/{id}", 0.4),
    ("GET", "/api/v2/products", 7.0),
    ("GET", "/api/v2/products/{sku}", 8.0),
    ("GET", "/api/v2/inventory/{sku}", 3.0),
    ("PUT", "/api/v2/inventory/{sku}", 0.8),
    ("POST", "/api/v2/search", 4.0),
    ("GET", "/api/v2/reports/usage", 0.7),
    ("POST", "/api/v2/webhooks", 0.6),
    ("POST", "/oauth/token", 2.0),
];

/// A SplitMix64 step: a tiny, well-studied mixer. Written out (not the `rand`
/// crate) because the demo must produce the same numbers on every platform
/// and every future version, which `rand`'s distributions do not promise.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in `0.0..1.0` from a hash of the given keys.
fn unit(keys: &[u64]) -> f64 {
    let seed = keys.iter().fold(0x1234_5678_9ABC_DEF0u64, |acc, &k| mix(acc ^ k));
    (seed >> 11) as f64 / (1u64 << 53) as f64
}

/// Rounds `x` up or down at random, so small expected counts still add up right.
fn stochastic_round(x: f64, keys: &[u64]) -> u64 {
    let floor = x.floor();
    floor as u64 + u64::from(unit(keys) < x - floor)
}

fn hour_weight(shape: Shape, hour: i64) -> f64 {
    match shape {
        Shape::OfficeHours | Shape::Weekdays => 0.12 + (-((hour - 14) as f64).powi(2) / 14.0).exp(),
        Shape::NightBatch => {
            if (1..5).contains(&hour) {
                1.0
            } else {
                0.03
            }
        }
        Shape::Steady => 0.85 + 0.15 * ((hour as f64 - 6.0) / 24.0 * std::f64::consts::TAU).sin(),
    }
}

fn day_weight(shape: Shape, weekday: Weekday) -> f64 {
    let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
    match (shape, weekend) {
        (_, false) => 1.0,
        (Shape::OfficeHours, true) => 0.38,
        (Shape::Weekdays, true) => 0.0,
        (Shape::NightBatch, true) => 1.0,
        (Shape::Steady, true) => 0.9,
    }
}

/// Which endpoints a client calls and how much: a fixed pick per client.
fn client_endpoints(client: usize) -> Vec<(usize, f64)> {
    let mut picked: Vec<(usize, f64)> = ENDPOINTS
        .iter()
        .enumerate()
        .filter(|(e, _)| unit(&[client as u64, *e as u64, 77]) < 0.3 || *e == 24)
        .map(|(e, &(_, _, weight))| (e, weight * (0.5 + unit(&[client as u64, e as u64, 78]))))
        .collect();
    let total: f64 = picked.iter().map(|(_, w)| w).sum();
    for (_, w) in &mut picked {
        *w /= total;
    }
    picked
}

fn success_code(method: &str) -> u16 {
    match method {
        "POST" => 201,
        "DELETE" => 204,
        _ => 200,
    }
}

/// Builds the demo store for `today`: [`DAYS`] full days before it, plus today until 14:00 UTC.
pub fn demo_store(today: NaiveDate) -> Result<UsageStore, StoreError> {
    demo_store_at(day_number(today) * SECONDS_PER_DAY + TODAY_UNTIL_HOUR * 3_600)
}

/// How `n` requests of an hour spread over its six 10-minute buckets: uneven, and summing to
/// exactly `n`, so an hour (and a day) counts the same however finely it is cut.
fn tenths(n: u64, k: impl Fn(u64) -> [u64; 5]) -> [u64; 6] {
    let weights: [f64; 6] = std::array::from_fn(|j| 0.6 + 0.8 * unit(&k(30 + j as u64)));
    let sum: f64 = weights.iter().sum();
    let mut parts = [0u64; 6];
    let (mut before, mut cumulative) = (0u64, 0.0);
    for (j, w) in weights.iter().enumerate() {
        cumulative += w;
        let upto = if j == 5 {
            n
        } else {
            ((n as f64) * cumulative / sum).round() as u64
        };
        parts[j] = upto.saturating_sub(before);
        before = before.max(upto);
    }
    parts
}

/// Builds the demo store as it stands at `now` (Unix seconds): [`DAYS`] full days before its
/// UTC day, and that day up to `now`. The days before yesterday have hourly buckets; yesterday
/// and today 10-minute ones, the one holding `now` counted as far as it has gone.
pub fn demo_store_at(now: i64) -> Result<UsageStore, StoreError> {
    let mut builder = StoreBuilder::new();
    let today_number = now.div_euclid(SECONDS_PER_DAY);
    let hour_sums: Vec<f64> = [Shape::OfficeHours, Shape::NightBatch, Shape::Steady, Shape::Weekdays]
        .iter()
        .map(|&s| (0..24).map(|h| hour_weight(s, h)).sum())
        .collect();
    let shape_index = |s: Shape| match s {
        Shape::OfficeHours => 0,
        Shape::NightBatch => 1,
        Shape::Steady => 2,
        Shape::Weekdays => 3,
    };
    let mut plans = Vec::with_capacity(CLIENTS.len());
    for (c, client) in CLIENTS.iter().enumerate() {
        let key = builder.client(client.id, client.name);
        let endpoints: Vec<(u32, usize, f64)> = client_endpoints(c)
            .into_iter()
            .map(|(e, share)| (builder.endpoint(ENDPOINTS[e].0, ENDPOINTS[e].1), e, share))
            .collect();
        plans.push((key, endpoints));
    }
    // Each client calls from a few addresses of its own (IPv6 for the mobile apps), and the
    // people-facing ones as named users; each endpoint belongs to its API area.
    let addresses: Vec<Vec<u32>> = (0..CLIENTS.len())
        .map(|c| {
            (0..2 + c % 3)
                .map(|k| {
                    let ip = if c == 1 || c == 2 {
                        format!("2001:db8:{c}::{:x}", 16 + k)
                    } else {
                        format!("203.0.113.{}", 10 + c * 12 + k)
                    };
                    builder.ip(&ip)
                })
                .collect()
        })
        .collect();
    let users: Vec<Vec<u32>> = (0..CLIENTS.len())
        .map(|c| match c {
            3 => ["ana.partner", "ben.partner", "chloe.partner"]
                .iter()
                .map(|u| builder.user(u))
                .collect(),
            6 => [
                "support-agent-1",
                "support-agent-2",
                "support-agent-3",
                "support-agent-4",
            ]
            .iter()
            .map(|u| builder.user(u))
            .collect(),
            9 => vec![builder.user("qa-bot")],
            _ => vec![builder.user("")],
        })
        .collect();
    let modules: Vec<u32> = ENDPOINTS
        .iter()
        .map(|(_, template, _)| builder.module(template.split('/').nth(3).unwrap_or("")))
        .collect();

    for day in (today_number - DAYS)..=today_number {
        let days_ago = today_number - day;
        let weekday = crate::range::date_of_day(day).weekday();
        let growth = 1.0 + 0.004 * (DAYS - days_ago) as f64;
        let hours = if day == today_number {
            (now - day * SECONDS_PER_DAY + 3_599) / 3_600
        } else {
            24
        };
        for (c, client) in CLIENTS.iter().enumerate() {
            let (key, endpoints) = &plans[c];
            let daily = client.per_day
                * growth
                * day_weight(client.shape, weekday)
                * (0.9 + 0.2 * unit(&[day as u64, c as u64, 1]));
            for hour in 0..hours {
                let ts = day * SECONDS_PER_DAY + hour * 3_600;
                let mut volume = daily * hour_weight(client.shape, hour) / hour_sums[shape_index(client.shape)]
                    * (0.85 + 0.3 * unit(&[day as u64, c as u64, hour as u64, 2]));
                // Incident mixes: (3xx, 4xx, 429, 5xx) shares of the traffic.
                let mut mix_shares = (0.02, 0.028, 0.004, 0.0025);
                if days_ago == SERVER_ERROR_DAYS_AGO && (13..16).contains(&hour) {
                    mix_shares.3 = 0.32;
                }
                if days_ago == RATE_LIMIT_DAYS_AGO && c == RATE_LIMITED_CLIENT && (8..18).contains(&hour) {
                    volume *= 4.0; // retries hammering the limit
                    mix_shares.2 = 0.58;
                }
                for &(endpoint, e, share) in endpoints {
                    let method = ENDPOINTS[e].0;
                    let expected = volume * share;
                    let k = |salt: u64| [day as u64, c as u64, e as u64, hour as u64, salt];
                    let redirects = if method == "GET" { expected * mix_shares.0 } else { 0.0 };
                    let client_errors = expected * mix_shares.1;
                    let rate_limited = expected * mix_shares.2;
                    let server_errors = expected * mix_shares.3;
                    let success = expected - redirects - client_errors - rate_limited - server_errors;
                    let error_code = [400, 401, 404, 404, 422][(unit(&k(9)) * 5.0) as usize % 5];
                    let server_code = [500, 502, 503][(unit(&k(10)) * 3.0) as usize % 3];
                    for (code, x, salt) in [
                        (success_code(method), success, 3),
                        (304, redirects, 4),
                        (error_code, client_errors, 5),
                        (429, rate_limited, 6),
                        (server_code, server_errors, 7),
                    ] {
                        let n = stochastic_round(x.max(0.0), &k(salt));
                        let pick =
                            |pool: &[u32], salt: u64| pool[(unit(&k(salt)) * pool.len() as f64) as usize % pool.len()];
                        let parts: Vec<(i64, BucketWidth, u64)> = if days_ago > 1 {
                            vec![(ts, BucketWidth::Hour, n)]
                        } else {
                            let k = |salt: u64| [day as u64, c as u64, e as u64, hour as u64 * 16 + salt % 16, salt];
                            (0..6)
                                .zip(tenths(n, k))
                                .map(|(j, part)| (ts + j * 600, part))
                                .filter(|&(start, _)| start <= now)
                                // The bucket still filling, as far as it has gone.
                                .map(|(start, part)| {
                                    (
                                        start,
                                        BucketWidth::TenMinutes,
                                        if start + 600 > now {
                                            part * (now - start) as u64 / 600
                                        } else {
                                            part
                                        },
                                    )
                                })
                                .collect()
                        };
                        for (timestamp, bucket, n) in parts.into_iter().filter(|p| p.2 > 0) {
                            let row = crate::store::Row {
                                timestamp,
                                bucket,
                                client: *key,
                                endpoint,
                                status: code,
                                requests: n,
                                module: modules[e],
                                user: pick(&users[c], 11 + salt),
                                ip: pick(&addresses[c], 21 + salt),
                                // About 1.5 KB a response, more for lists and PDFs, little for errors.
                                bytes: Some(
                                    n * if code >= 400 {
                                        180
                                    } else {
                                        600 + 900 * (ENDPOINTS[e].2 as u64 % 5)
                                    },
                                ),
                                latency_us: None,
                            };
                            builder.push_row(row).map_err(|error| StoreError::Row {
                                index: builder.len(),
                                error,
                            })?;
                        }
                    }
                }
            }
        }
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{DaySpan, Dimension, RecordFilter};
    use crate::status::StatusClass;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    // Guards determinism: the same `today` gives exactly the same records.
    #[test]
    fn same_date_same_data() {
        let a = demo_store(d("2026-11-23")).unwrap();
        let b = demo_store(d("2026-11-23")).unwrap();
        assert_eq!(a.len(), b.len());
        assert!(a.records().eq(b.records()));
    }

    // Guards that the window follows `today`: 60 full days before it, and today itself.
    #[test]
    fn the_window_moves_with_today() {
        let a = demo_store(d("2026-11-23")).unwrap();
        let b = demo_store(d("2024-03-01")).unwrap();
        assert_eq!(
            a.day_span(),
            Some((day_number(d("2026-09-24")), day_number(d("2026-11-23"))))
        );
        assert_eq!(
            b.day_span(),
            Some((day_number(d("2024-01-01")), day_number(d("2024-03-01"))))
        );
        assert!(!a.records().take(100).eq(b.records().take(100)));
    }

    // Guards the 10-minute demo days: an hour counts the same however finely it is cut (so a
    // range's figures do not depend on when the demo was made), yesterday and today come in
    // 10-minute buckets and earlier days in hours, and today stops at the instant asked for.
    #[test]
    fn yesterday_and_today_in_ten_minutes() {
        for n in [0, 1, 5, 6, 7, 599, 12_345] {
            let parts = tenths(n, |salt| [n, 1, 2, 3, salt]);
            assert_eq!(parts.iter().sum::<u64>(), n, "{n}: {parts:?}");
        }
        let today = d("2026-11-23");
        let t = day_number(today);
        let at_14 = demo_store(today).unwrap();
        let later = demo_store_at(t * SECONDS_PER_DAY + 20 * 3_600 + 15 * 60).unwrap();
        let all = RecordFilter::all();
        for ago in [1, 2, 30] {
            let day = DaySpan {
                start: t - ago,
                end: t - ago + 1,
            };
            assert_eq!(later.totals(day, &all), at_14.totals(day, &all), "{ago} days ago");
        }
        let before_14 = crate::zone::Window {
            start: t * SECONDS_PER_DAY,
            end: t * SECONDS_PER_DAY + 14 * 3_600,
        };
        assert_eq!(
            later.totals(before_14, &all),
            at_14.totals(before_14, &all),
            "today's finished buckets do not depend on when"
        );
        let window = |from: i64, to: i64| crate::zone::Window { start: from, end: to };
        assert_eq!(
            later.widest_bucket_in(window((t - 1) * SECONDS_PER_DAY, (t + 1) * SECONDS_PER_DAY)),
            BucketWidth::TenMinutes
        );
        assert_eq!(
            later.widest_bucket_in(window((t - 2) * SECONDS_PER_DAY, (t - 1) * SECONDS_PER_DAY)),
            BucketWidth::Hour
        );
        let after = window(
            t * SECONDS_PER_DAY + 20 * 3_600 + 15 * 60 + 1,
            (t + 1) * SECONDS_PER_DAY,
        );
        assert_eq!(later.totals(after, &all).total(), 0, "nothing after the instant");
        let last = window(
            t * SECONDS_PER_DAY + 20 * 3_600 + 10 * 60,
            t * SECONDS_PER_DAY + 20 * 3_600 + 20 * 60,
        );
        let first = window(
            t * SECONDS_PER_DAY + 10 * 3_600 + 10 * 60,
            t * SECONDS_PER_DAY + 10 * 3_600 + 20 * 60,
        );
        assert!(
            later.totals(last, &all).total() < later.totals(first, &all).total(),
            "the bucket still filling holds half of its 10 minutes"
        );
    }

    // Guards the promised shape: 12 clients, 25 endpoints, data today until 14:00, and both incidents visible.
    #[test]
    fn has_the_promised_shape() {
        let today = d("2026-11-23");
        let store = demo_store(today).unwrap();
        assert_eq!(store.clients().len(), 12);
        assert!(store.endpoints().len() >= 20, "{}", store.endpoints().len());
        let t = day_number(today);
        let today_span = DaySpan { start: t, end: t + 1 };
        let all = RecordFilter::all();
        assert!(store.totals(today_span, &all).total() > 0);
        let last_hour = store.series(today_span, crate::query::Granularity::Hour, &all, None);
        assert_eq!(last_hour.total[TODAY_UNTIL_HOUR as usize..].iter().sum::<u64>(), 0);

        let day_rate = |ago: i64, class: StatusClass| {
            let counts = store.totals(
                DaySpan {
                    start: t - ago,
                    end: t - ago + 1,
                },
                &all,
            );
            counts.get(class) as f64 / counts.total() as f64
        };
        assert!(
            day_rate(SERVER_ERROR_DAYS_AGO, StatusClass::ServerError) > 5.0 * day_rate(20, StatusClass::ServerError)
        );
        assert!(day_rate(RATE_LIMIT_DAYS_AGO, StatusClass::RateLimited) > 5.0 * day_rate(20, StatusClass::RateLimited));
        let avg_day = store.totals(DaySpan { start: t - 30, end: t }, &all).total() / 30;
        assert!((150_000..400_000).contains(&avg_day), "{avg_day} requests a day");
        // Every Explore dimension has values to show.
        for (dimension, at_least) in [
            (Dimension::Module, 6),
            (Dimension::Ip, 30),
            (Dimension::User, 8),
            (Dimension::Method, 4),
            (Dimension::Status, 8),
        ] {
            assert!(
                store.known_values(dimension) >= at_least,
                "{dimension:?}: {}",
                store.known_values(dimension)
            );
        }
    }
}
