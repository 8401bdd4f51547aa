//! Reading ClickHouse's `FORMAT JSONCompact` answers: usage rows into a store, totals,
//! breakdowns, series and latency percentiles.

use super::*;

/// [`usage_queries`]' answers, in their order, read into one store: each part's answers into a
/// part of its own ([`crate::StoreBuilder::begin_part`]), whose buckets are `width` wide.
pub fn read_parts<'b>(
    queries: &[UsageQuery<'_>],
    answers: impl IntoIterator<Item = &'b [u8]>,
    width: crate::model::BucketWidth,
) -> Result<crate::UsageStore, AnswerError> {
    let mut builder = crate::StoreBuilder::new();
    let mut last = None;
    for (query, answer) in queries.iter().zip(answers) {
        if last != Some(query.part) {
            builder.begin_part(query.part);
            last = Some(query.part);
        }
        read_usage(answer, width, &mut builder)?;
    }
    Ok(builder.finish())
}

/// Reads [`Table::usage_sql`]'s answer into `builder`: a record per row, its bucket `width`
/// wide. The answer's own column names (its `meta`) say what each cell is. The answer is read
/// once, its cells borrowed from it where they need no unescaping: a view's answer may hold
/// hundreds of thousands of rows, and the worker reads it.
pub fn read_usage(
    answer: &[u8],
    width: crate::model::BucketWidth,
    builder: &mut crate::StoreBuilder,
) -> Result<usize, AnswerError> {
    let document: Compact = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
        what: "ClickHouse",
        reason: e.to_string(),
    })?;
    let at = |name: &str| document.meta.iter().position(|c| c.name == name);
    let (bucket, requests) = (
        at("b").ok_or(AnswerError::NoAnswerColumn("bucket"))?,
        at("requests").ok_or(AnswerError::NoAnswerColumn("requests"))?,
    );
    let [client_id, client_name, method, template, module] =
        ["client_id", "client_name", "method", "template", "module"].map(at);
    // A dimension listed in part ([`Listing`]): its values under `listed_…`, and the rest's rows.
    let (listed, listed_user, listed_ip) = (at("listed"), at("listed_user"), at("listed_ip"));
    let (user, ip) = (at("user").or(listed_user), at("ip").or(listed_ip));
    let in_part = listed.and(if listed_ip.is_some() {
        Some(Dimension::Ip)
    } else {
        listed_user.map(|_| Dimension::User)
    });
    let (status, bytes) = (at("status"), at("bytes"));
    for (i, row) in document.data.iter().enumerate() {
        let text = |column: Option<usize>| column.and_then(|c| row.get(c)).and_then(Cell::text).unwrap_or("");
        let number = |column: usize| {
            row.get(column)
                .ok_or(AnswerError::ShortRow(i + 1))
                .and_then(Cell::count)
        };
        let client = builder.client(text(client_id), text(client_name));
        let endpoint = builder.endpoint(&text(method).to_ascii_uppercase(), text(template));
        let status = match status {
            Some(c) => u16::try_from(number(c)?)
                .ok()
                .filter(|&s| s < 1000)
                .ok_or(AnswerError::NotACode(i + 1))?,
            None => 0,
        };
        let (module, mut user, mut ip) = (
            builder.module(text(module)),
            builder.user(text(user)),
            builder.ip(text(ip)),
        );
        if let (Some(column), Some(dimension)) = (listed, in_part)
            && number(column)? == 0
        {
            let rest = builder
                .rest(dimension)
                .ok_or(AnswerError::Row("a rest of a dimension listed whole"))?;
            match dimension {
                Dimension::Ip => ip = rest,
                _ => user = rest,
            }
        }
        let bytes = bytes.map(number).transpose()?;
        let row = crate::store::Row {
            timestamp: number(bucket)? as i64,
            bucket: width,
            client,
            endpoint,
            status,
            requests: number(requests)?,
            module,
            user,
            ip,
            bytes,
            latency_us: None,
        };
        builder
            .push_row(row)
            .map_err(|error| AnswerError::Store { row: i + 1, error })?;
    }
    Ok(document.data.len())
}

/// A `FORMAT JSONCompact` answer: its columns' names, and its rows of cells.
#[derive(serde::Deserialize)]
pub(super) struct Compact<'a> {
    #[serde(borrow)]
    meta: Vec<ColumnName<'a>>,
    #[serde(borrow)]
    data: Vec<Vec<Cell<'a>>>,
}

#[derive(serde::Deserialize)]
pub(super) struct ColumnName<'a> {
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
}

/// One cell of an answer: a whole number, a text (borrowed unless it had escapes), or anything
/// else, which no column Callboard reads holds.
pub(super) enum Cell<'a> {
    Number(u64),
    Text(std::borrow::Cow<'a, str>),
    Other,
}

impl Cell<'_> {
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A whole number: 18.16 writes 64-bit integers as JSON strings, newer releases as numbers.
    fn count(&self) -> Result<u64, AnswerError> {
        match self {
            Cell::Number(n) => Ok(*n),
            Cell::Text(text) => text.parse().map_err(|_| AnswerError::NotWhole(text.to_string())),
            Cell::Other => Err(AnswerError::Row("a cell is not a whole number")),
        }
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Cell<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Cell<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a cell")
            }
            fn visit_u64<E>(self, n: u64) -> Result<Cell<'a>, E> {
                Ok(Cell::Number(n))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Cell<'a>, E> {
                Ok(u64::try_from(n).map_or(Cell::Other, Cell::Number))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_unit<E>(self) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(text)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'a>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Cell::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Cell<'a>, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Cell::Other)
            }
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

/// A whole number in an answer: 18.16 writes 64-bit integers as JSON strings, newer releases
/// as numbers unless told otherwise.
pub(super) fn count(value: &Value) -> Result<u64, AnswerError> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| AnswerError::NotWhole(value.to_string()))
}

/// The rows of a `FORMAT JSONCompact` answer.
pub(super) fn rows_of(answer: &[u8]) -> Result<Vec<Vec<Value>>, AnswerError> {
    let document: Value = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
        what: "ClickHouse",
        reason: e.to_string(),
    })?;
    let data = document
        .get("data")
        .and_then(Value::as_array)
        .ok_or(AnswerError::NoData { what: "ClickHouse" })?;
    data.iter()
        .map(|row| {
            row.as_array()
                .cloned()
                .ok_or(AnswerError::Row("a row of ClickHouse's answer is not a list"))
        })
        .collect()
}

pub(super) fn counts(cells: &[Value]) -> Result<StatusCounts, AnswerError> {
    let mut counts = StatusCounts::default();
    for (&class, cell) in StatusClass::ALL.iter().zip(cells) {
        counts.add(class, count(cell)?);
    }
    Ok(counts)
}

/// [`Table::totals_sql`]'s answer.
pub fn parse_totals(answer: &[u8]) -> Result<StatusCounts, AnswerError> {
    let rows = rows_of(answer)?;
    counts(rows.first().map_or(&[][..], |r| r.as_slice()))
}

/// [`Table::breakdown_sql`]'s answer: each value's text (a row's `data-key`) and counts.
pub fn parse_breakdown(answer: &[u8]) -> Result<Vec<(String, StatusCounts)>, AnswerError> {
    rows_of(answer)?
        .iter()
        .map(|row| {
            let key = row
                .first()
                .and_then(Value::as_str)
                .ok_or(AnswerError::Row("a breakdown row has no key"))?
                .to_owned();
            Ok((key, counts(&row[1..])?))
        })
        .collect()
}

/// [`Table::latency_sql`]'s answer, as `dimension`'s percentiles over `window`, each value's key
/// as `key` gives it (a store's id, or a position in a list of texts); a value without one is
/// left out (it has no requests there to show).
pub fn read_latency(
    answer: &[u8],
    key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
    dimension: Dimension,
    window: Window,
) -> Result<crate::latency::KeyPercentiles, AnswerError> {
    let mut rows = Vec::new();
    let key_of = key;
    for row in rows_of(answer)? {
        let (Some(text), Some(Value::Array(p))) = (row.first().and_then(Value::as_str), row.get(1)) else {
            return Err(AnswerError::Row("a latency row is not (value, percentiles)"));
        };
        let [p50, p95, p99] = match p.as_slice() {
            [a, b, c] => [count(a)?, count(b)?, count(c)?],
            _ => return Err(AnswerError::Row("a latency row has not three percentiles")),
        };
        if let Some(id) = key_of(dimension, text) {
            rows.push((
                id,
                crate::query::Percentiles {
                    p50_us: p50,
                    p95_us: p95,
                    p99_us: p99,
                },
            ));
        }
    }
    rows.sort_by_key(|&(id, _)| id);
    Ok(crate::latency::KeyPercentiles {
        dimension,
        window,
        rows,
    })
}

/// [`Table::latency_series_sql`]'s answer, as `dimension`'s p95 per bucket of `granularity` over
/// `window`, keyed as [`read_latency`] keys.
pub fn read_latency_series(
    answer: &[u8],
    key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
    dimension: Dimension,
    granularity: Granularity,
    window: Window,
) -> Result<crate::latency::BucketP95, AnswerError> {
    let mut points = Vec::new();
    for row in rows_of(answer)? {
        let [bucket, value, p95] = row.as_slice() else {
            return Err(AnswerError::Row("a latency row is not (bucket, value, p95)"));
        };
        let text = value
            .as_str()
            .ok_or(AnswerError::Row("a latency row's value is not text"))?;
        if let Some(id) = key(dimension, text) {
            points.push((id, count(bucket)? as i64, count(p95)?));
        }
    }
    Ok(crate::latency::BucketP95 {
        dimension,
        window,
        granularity,
        points,
    })
}

/// [`Table::series_sql`]'s answer: (bucket start, requests), buckets without requests absent.
pub fn parse_series(answer: &[u8]) -> Result<Vec<(i64, u64)>, AnswerError> {
    rows_of(answer)?
        .iter()
        .map(|row| match row.as_slice() {
            [bucket, requests] => Ok((count(bucket)? as i64, count(requests)?)),
            _ => Err(AnswerError::Row("a series row is not (bucket, requests)")),
        })
        .collect()
}
