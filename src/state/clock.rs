//! The one place that reads the clock and the browser's time zones: the UI asks it for today's
//! date and a zone's UTC offsets, and hands them to the core as arguments.
//!
//! Every call into `Intl` goes through `Reflect`, which turns a thrown exception (an unknown
//! zone name throws a `RangeError`) into an `Err` instead of unwinding through the wasm.

use chrono::NaiveDate;
use js_sys::{Array, Function, Object, Reflect};
use usage_core::zone::{Offsets, ZoneChoice};
use wasm_bindgen::{JsCast, JsValue};

/// Today's date in UTC, from the browser's clock.
pub fn today_utc() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_utc_full_year() as i32,
        now.get_utc_month() + 1,
        now.get_utc_date(),
    )
    // A browser clock that yields no valid date is broken beyond repair; use a fixed, valid day.
    .unwrap_or(NaiveDate::MIN)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1_000.0).floor() as i64
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined())
}

/// `new Intl.DateTimeFormat("en-US", options)`, or the error it threw.
fn date_time_format(options: &Object) -> Result<JsValue, JsValue> {
    let constructor = get(&js_sys::global(), "Intl")
        .and_then(|intl| get(&intl, "DateTimeFormat"))
        .ok_or_else(|| JsValue::from_str("no Intl"))?;
    let constructor: Function = constructor.dyn_into()?;
    Reflect::construct(&constructor, &Array::of2(&JsValue::from_str("en-US"), options))
}

/// The browser's own zone name (`Europe/Paris`), if it says.
pub fn local_zone_name() -> Option<String> {
    let format = date_time_format(&Object::new()).ok()?;
    let resolved: Function = get(&format, "resolvedOptions")?.dyn_into().ok()?;
    get(&resolved.call0(&format).ok()?, "timeZone")?.as_string()
}

/// Every zone name the browser knows, for the picker; empty if it cannot list them.
pub fn zone_names() -> Vec<String> {
    let list = get(&js_sys::global(), "Intl")
        .and_then(|intl| get(&intl, "supportedValuesOf"))
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&JsValue::NULL, &JsValue::from_str("timeZone")).ok());
    list.map(|l| Array::from(&l).iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

/// A zone's UTC offset at an instant, in seconds east of UTC.
type OffsetAt = Box<dyn Fn(i64) -> Option<i32>>;

/// The offset function of a named zone: its wall-clock time (from `formatToParts`) minus UTC.
fn named_offsets(name: &str) -> Result<OffsetAt, String> {
    let options = Object::new();
    for (key, value) in [
        ("timeZone", name),
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
    ] {
        let _ = Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    let format =
        date_time_format(&options).map_err(|_| format!("this browser does not know the time zone “{name}”"))?;
    let to_parts: Function = get(&format, "formatToParts")
        .and_then(|f| f.dyn_into().ok())
        .ok_or("this browser cannot format dates in other zones")?;
    Ok(Box::new(move |instant: i64| {
        let date = js_sys::Date::new(&JsValue::from_f64(instant as f64 * 1_000.0));
        let parts = Array::from(&to_parts.call1(&format, &date).ok()?);
        let mut fields = [0i64; 6];
        for part in parts.iter() {
            let kind = get(&part, "type")?.as_string()?;
            let slot = ["year", "month", "day", "hour", "minute", "second"]
                .iter()
                .position(|k| *k == kind);
            if let Some(slot) = slot {
                fields[slot] = get(&part, "value")?.as_string()?.parse().ok()?;
            }
        }
        let day = NaiveDate::from_ymd_opt(fields[0] as i32, fields[1] as u32, fields[2] as u32)?;
        let local = usage_core::range::day_number(day) * 86_400 + fields[3] % 24 * 3_600 + fields[4] * 60 + fields[5];
        i32::try_from(local - instant).ok()
    }))
}

/// The offset function of the browser's own zone.
fn local_offsets() -> OffsetAt {
    Box::new(|instant: i64| {
        let date = js_sys::Date::new(&JsValue::from_f64(instant as f64 * 1_000.0));
        let minutes = date.get_timezone_offset();
        minutes.is_finite().then(|| (-minutes * 60.0) as i32)
    })
}

/// The zone's offsets from `from` to `until` (Unix seconds), as the browser knows them: sampled
/// every 3 days, and each change found to the second by bisection. Zones change at most a few
/// times a year, never twice within 3 days.
pub fn offsets(zone: &ZoneChoice, from: i64, until: i64) -> Result<Offsets, String> {
    let offset_at = match zone {
        ZoneChoice::Utc => return Ok(Offsets::utc()),
        ZoneChoice::Local => local_offsets(),
        ZoneChoice::Named(name) => named_offsets(name)?,
    };
    let at = |t: i64| offset_at(t).ok_or_else(|| "the browser could not say the zone's time".to_owned());
    const STEP: i64 = 3 * 86_400;
    let mut before = at(from)?;
    let mut changes = vec![(from, before)];
    let mut t = from;
    while t < until {
        let next = (t + STEP).min(until);
        let after = at(next)?;
        if before != after {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if at(mid)? == before { lo = mid } else { hi = mid }
            }
            changes.push((hi, at(hi)?));
        }
        (t, before) = (next, after);
    }
    Ok(Offsets::from_changes(changes))
}
