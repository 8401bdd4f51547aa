//! What a hostile or unlucky file does to the readers: every good record is kept,
//! every bad one is skipped with its line number and a reason in words, and nothing wraps.

mod common;
use common::total;

use proptest::prelude::*;
use usage_core::formats::encoding::TextEncoding;
use usage_core::formats::{Format, ReadError, ReadReport, detect, read_file, read_in_chunks};
use usage_core::query::{DaySpan, Dimension, RecordFilter};
use usage_core::store::{Row, RowError};
use usage_core::{StatusClass, StoreBuilder, UsageStore};

/// Reads a file in 7-byte chunks.
fn read(text: &str) -> (Format, UsageStore, ReadReport) {
    common::read(text.as_bytes(), 7).expect("a known, readable format")
}

fn lines(report: &ReadReport) -> Vec<usize> {
    report.problems.iter().map(|p| p.line).collect()
}

fn ndjson_record(i: usize) -> String {
    format!(
        r#"{{"timestamp":"2026-11-2{}T10:00:00Z","client":"app-{i}","status":200,"path":"/a"}}"#,
        i % 3
    )
}

// Guards NDJSON: a truncated record after the fourth is skipped with its line, and the five good
// lines after it are still read (before the fix, reading stopped at the break: 4 rows).
#[test]
fn ndjson_keeps_every_good_line_after_a_broken_one() {
    let mut text: Vec<String> = (0..4).map(ndjson_record).collect();
    text.push(r#"{"timestamp":"2026-11-21T10:00:00Z","client":"app-x","sta"#.to_owned());
    text.extend((4..9).map(ndjson_record));
    let (format, store, report) = read(&(text.join("\n") + "\n"));
    assert_eq!(format, Format::GenericJson);
    assert_eq!((report.rows, report.skipped), (9, 1));
    assert_eq!(lines(&report), [5]);
    assert!(
        report.problems[0].reason.starts_with("broken JSON: EOF while parsing"),
        "{:?}",
        report.problems
    );
    assert_eq!(total(&store), 9);
}

// Guards a broken first line and a plain garbage line: neither refuses the file.
#[test]
fn ndjson_with_a_broken_first_line_and_garbage_is_still_read() {
    let text = format!(
        "{{\"timestamp\":\"2026-11-21T1\n{}\nthis is not json\n{}\n{}\n",
        ndjson_record(1),
        ndjson_record(2),
        ndjson_record(3)
    );
    let (_, store, report) = read(&text);
    assert_eq!((report.rows, report.skipped), (3, 2));
    assert_eq!(lines(&report), [1, 3]);
    assert_eq!(total(&store), 3);
}

// Guards Kong NDJSON the same way: one entry per line, a cut one in the middle.
#[test]
fn kong_ndjson_skips_only_the_cut_entry() {
    let entry = |ms: u64, status: u16| {
        format!(
            r#"{{"started_at":{ms},"request":{{"method":"GET","uri":"/orders/7"}},"response":{{"status":{status}}},"consumer":{{"id":"c1","username":"shop"}},"client_ip":"192.0.2.7"}}"#
        )
    };
    let text = [
        entry(1_795_000_000_000, 200),
        entry(1_795_000_001_000, 500)[..60].to_owned(),
        entry(1_795_000_002_000, 503),
        entry(1_795_000_003_000, 200),
    ]
    .join("\n");
    let (format, store, report) = read(&text);
    assert_eq!(format, Format::Kong);
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert_eq!(lines(&report), [2]);
    let counts = store
        .breakdown(
            DaySpan { start: 0, end: 50_000 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        )
        .rows[0]
        .counts;
    assert_eq!((counts.total(), counts.get(StatusClass::ServerError)), (3, 1));
}

// Guards that a pretty-printed document cut off half-way still says it is broken JSON
// instead of being read line by line.
#[test]
fn a_cut_pretty_document_is_refused_as_broken_json() {
    let text = "[\n  {\n    \"timestamp\": \"2026-11-21T10:00:00Z\",\n    \"status\": 200\n  },\n  {\n    \"timestamp\": \"2026-11";
    let format = detect(text.as_bytes()).expect("detected");
    let error = read_in_chunks(format, text.as_bytes(), 5).expect_err("broken");
    assert!(error.to_string().contains("cut off or broken"), "{error}");
}

// Guards the wrap-around the issue found: u64::MAX requests and then 1 showed a total of 0.
// Now the second row is refused with its line number and the total is exact.
#[test]
fn counts_that_would_wrap_the_total_are_refused_with_their_line() {
    let header = "timestamp,client_id,template,status,requests\n";
    let (_, store, report) = read(&format!(
        "{header}2026-11-20T10:00:00Z,a,/x,200,18446744073709551615\n2026-11-20T11:00:00Z,a,/x,200,1\n"
    ));
    assert_eq!((report.rows, report.skipped), (1, 1));
    assert_eq!(lines(&report), [3]);
    assert!(
        report.problems[0]
            .reason
            .contains("would take the total past 18,446,744,073,709,551,615"),
        "{:?}",
        report.problems
    );
    assert_eq!(total(&store), u64::MAX);

    // Two rows of 2^63, a 200 and a 500: the 500 cannot be counted, so the error rate is 0 %, not "–".
    let (_, store, report) = read(&format!(
        "{header}2026-11-20T10:00:00Z,a,/x,200,9223372036854775808\n2026-11-20T11:00:00Z,a,/x,500,9223372036854775808\n"
    ));
    assert_eq!((report.rows, report.skipped), (1, 1));
    let counts = store
        .breakdown(
            DaySpan { start: 0, end: 50_000 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        )
        .rows[0]
        .counts;
    assert_eq!((counts.total(), counts.error_rate()), (1 << 63, Some(0.0)));
}

// Guards out-of-range times: a year-9999 row and a 1969 row are each skipped with the date in
// words, and the good rows of the same file stay (before, the whole file was refused).
#[test]
fn out_of_range_times_are_skipped_one_by_one() {
    let text = "timestamp,client_id,template,status\n\
                2026-11-20T10:00:00Z,a,/x,200\n\
                9999-12-31T23:59:59Z,a,/x,200\n\
                1969-12-31T23:59:59Z,a,/x,200\n\
                2026-11-21T10:00:00Z,a,/x,500\n";
    let (_, store, report) = read(text);
    assert_eq!((report.rows, report.skipped), (2, 2));
    assert_eq!(lines(&report), [3, 4]);
    assert!(
        report.problems[0].reason.contains("9999-12-31 23:59:59 UTC is outside"),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[1].reason.contains("1969-12-31 23:59:59 UTC is outside"),
        "{:?}",
        report.problems
    );
    assert_eq!(total(&store), 2);
}

// Guards seconds versus milliseconds in a generic CSV: decided from the whole column, so a
// year-9999 epoch among seconds is a time in 9999 (refused, in words), not one in 1978.
#[test]
fn epoch_unit_is_decided_from_the_whole_column() {
    let text = "time,status,client\n1795356192,200,a\n1795356193,500,a\n253402300799,200,a\n1795356194,200,a\n";
    let (format, store, report) = read(text);
    assert_eq!(format, Format::GenericCsv);
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert_eq!(lines(&report), [4]);
    assert!(
        report.problems[0].reason.contains("9999-12-31"),
        "{:?}",
        report.problems
    );
    assert_eq!(
        report.notes,
        ["4 whole-number times were read as seconds since 1970 (decided from the whole column)"]
    );
    assert_eq!(
        store.day_span().map(|(a, _)| a),
        Some(1_795_356_192 / 86_400),
        "not in 1978"
    );

    let millis = "time,status,client\n1795356192000,200,a\n1795356193500,200,a\n";
    let (_, store, report) = read(millis);
    assert_eq!(
        report.notes,
        ["2 whole-number times were read as milliseconds since 1970 (decided from the whole column)"]
    );
    assert_eq!(
        store.records().map(|r| r.timestamp).collect::<Vec<_>>(),
        [1_795_356_192, 1_795_356_193]
    );
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for unit in text.encode_utf16() {
        out.extend(if little { unit.to_le_bytes() } else { unit.to_be_bytes() });
    }
    out
}

// Guards UTF-16 CSVs with a byte-order mark (Excel's "Unicode text"): read, not called "binary data",
// with non-ASCII names intact, whatever the byte order and however the chunks fall.
#[test]
fn utf16_csv_with_a_mark_is_read() {
    let text = "timestamp,client_id,client_name,template,status\r\n2026-11-20T10:00:00Z,z1,Zürich wallboard 🚀,/a,200\r\n2026-11-20T11:00:00Z,z1,Zürich wallboard 🚀,/a,503\r\n";
    for little in [true, false] {
        for chunk in [1, 3, 4096] {
            let (sniffed, store, report) = read_file(&utf16(text, little), chunk).expect("readable");
            assert_eq!(sniffed.format, Format::CallboardCsv);
            assert_eq!(
                sniffed.encoding,
                if little {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                }
            );
            assert_eq!((report.rows, report.skipped), (2, 0), "{:?}", report.problems);
            assert_eq!(store.client_name(0), "Zürich wallboard 🚀");
            assert!(
                report.notes.iter().any(|n| n.starts_with("UTF-16")),
                "{:?}",
                report.notes
            );
        }
    }
    let mut no_mark = utf16(text, true);
    no_mark.drain(..2);
    assert_eq!(read_file(&no_mark, 64).err(), Some(ReadError::Utf16WithoutBom));
    assert!(ReadError::Utf16WithoutBom.to_string().contains("save it as UTF-8"));
}

// Guards CR-only line ends: the lines are read one by one (before, the file failed with no reason),
// and a skipped line keeps its right number.
#[test]
fn cr_only_line_ends_are_read() {
    let text =
        "timestamp,client_id,template,status\r2026-11-20T10:00:00Z,a,/x,200\rbroken\r2026-11-20T12:00:00Z,b,/x,404\r";
    let (sniffed, store, report) = read_file(text.as_bytes(), 5).expect("readable");
    assert_eq!(sniffed.encoding, TextEncoding::Utf8CrLines);
    assert_eq!((report.rows, report.skipped), (2, 1));
    assert_eq!(lines(&report), [3]);
    assert_eq!(total(&store), 2);
    // An access log saved with CR line ends too.
    let log = "203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 1\r203.0.113.9 - - [20/Nov/2026:10:00:01 +0000] \"GET /b HTTP/1.1\" 500 1\r";
    let (sniffed, store, _) = read_file(log.as_bytes(), 7).expect("readable");
    assert_eq!(sniffed.format, Format::AccessLog);
    assert_eq!(total(&store), 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    // Guards the overflow rule on any mix of huge and small counts: a record is refused exactly
    // when the exact (u128) running total would pass u64::MAX, and every sum the store gives
    // (by client, by status, the grand total) equals the exact sum of what it kept.
    #[test]
    fn large_counts_never_wrap(counts in prop::collection::vec(prop_oneof![
        2 => 0u64..1_000,
        1 => (1u64 << 62)..u64::MAX,
        1 => Just(u64::MAX),
    ], 0..40)) {
        let mut builder = StoreBuilder::new();
        let clients = [builder.client("a", ""), builder.client("b", "")];
        let endpoint = builder.endpoint("GET", "/x");
        let mut exact: u128 = 0;
        let mut kept_500: u128 = 0;
        for (i, &requests) in counts.iter().enumerate() {
            let status = if i % 3 == 0 { 500 } else { 200 };
            let row = Row { timestamp: 1_795_356_192 + i as i64, client: clients[i % 2], endpoint, status, requests, ..Row::default() };
            let fits = exact + u128::from(requests) <= u128::from(u64::MAX);
            match builder.push_row(row) {
                Ok(()) => {
                    prop_assert!(fits);
                    exact += u128::from(requests);
                    if status == 500 { kept_500 += u128::from(requests); }
                }
                Err(error) => {
                    prop_assert!(!fits);
                    prop_assert_eq!(error, RowError::CountOverflow(requests));
                }
            }
        }
        let store = builder.finish();
        prop_assert_eq!(u128::from(store.total_requests()), exact);
        prop_assert_eq!(u128::from(total(&store)), exact);
        let by_status: u128 = store.breakdown(DaySpan { start: 0, end: 50_000 }, Dimension::Status, &RecordFilter::all(), false).rows.iter().map(|g| u128::from(g.counts.total())).sum();
        prop_assert_eq!(by_status, exact);
        let errors: u128 = store.breakdown(DaySpan { start: 0, end: 50_000 }, Dimension::Client, &RecordFilter::all(), false).rows.iter().map(|u| u128::from(u.counts.errors())).sum();
        prop_assert_eq!(errors, kept_500);
    }
}
