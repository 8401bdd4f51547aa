//! The live adapters from request to store, natively: each plan's requests are answered
//! with fixtures written from the vendors' docs (../shared/formats.md), and the totals are
//! counted by hand. The browser side only moves these bytes.

mod common;
use common::{class_totals, today};

use chrono::NaiveDate;
use usage_core::DateRange;
use usage_core::query::{DaySpan, Granularity};
use usage_core::rest::{Endpoint, QueryStatus, genesys_query_status, genesys_results_url, read_answers};

/// The last 7 days before today, as the dashboard asks.
fn last_week() -> DaySpan {
    DaySpan::from(&DateRange::new(
        NaiveDate::from_ymd_opt(2026, 11, 16).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date"),
        today(),
    ))
}

/// What porta answers for one response-code class of application 7 over the week (views/usage.rb's shape).
fn threescale_answer(url: &str) -> String {
    let code = url
        .split("response_code=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap_or("");
    let values = match code {
        "2XX" => "[10,20,0,0,5,5,60]",
        "4XX" => "[1,0,0,0,0,0,2]",
        "5XX" => "[0,0,0,3,0,0,0]",
        _ => "[]",
    };
    format!(
        r#"{{"response_code":{{"code":"{code}"}},"period":{{"name":null,"since":"2026-11-16T00:00:00Z","until":"2026-11-22T23:59:59Z","timezone":"Etc/UTC","granularity":"day"}},
            "total":0,"values":{values},"application":{{"id":7,"name":"Partner \u003cPortal\u003e","state":"live","plan":{{"id":1,"name":"Basic"}},"account":{{"id":2,"name":"Acme"}},"service":{{"id":42}}}}}}"#
    )
}

// Guards the 3scale adapter end to end: three class series for the week merge into one client, split by status.
#[test]
fn threescale_response_codes_merge_by_class() {
    let endpoint = Endpoint::parse("https://acme-admin.3scale.net/stats/applications/7/usage_response_code.json")
        .expect("a 3scale route");
    let plan = endpoint.plan(last_week(), Granularity::Day);
    assert_eq!(plan.requests.len(), 3);
    let answers: Vec<_> = plan
        .requests
        .iter()
        .map(|r| (r.format, threescale_answer(&r.url)))
        .collect();
    let (store, report) = read_answers(answers.iter().map(|(f, a)| (*f, a.as_bytes()))).expect("readable");
    assert_eq!(report.rows, 3);
    // 2xx: 10+20+5+5+60 = 100; 4XX: 3 (429s are not told apart by 3scale); 5XX: 3.
    assert_eq!(
        class_totals(&store, last_week()),
        [("Partner <Portal>".to_owned(), [106, 100, 0, 3, 0, 3, 0])]
    );
    // The last bucket is the 22nd, not today.
    let yesterday = DaySpan {
        start: last_week().end - 1,
        end: last_week().end,
    };
    assert_eq!(
        class_totals(&store, yesterday),
        [("Partner <Portal>".to_owned(), [62, 60, 0, 2, 0, 0, 0])]
    );
}

// Guards the Genesys adapter end to end: POST, poll while Running, read when Complete; status429 comes out of status400.
#[test]
fn genesys_query_is_polled_then_read() {
    let endpoint = Endpoint::parse("https://api.mypurecloud.com/api/v2/usage/query").expect("a Genesys route");
    let plan = endpoint.plan(last_week(), Granularity::Day);
    let query = &plan.requests[0];
    assert!(
        query
            .body
            .as_deref()
            .is_some_and(|b| b.contains("2026-11-16T00:00:00.000Z/2026-11-23T00:00:00.000Z"))
    );
    // UsageExecutionResult, then ApiUsageQueryResult while running and when complete (platform-client-sdk docs).
    let results = genesys_results_url(
        &query.url,
        br#"{"executionId":"4b8e-11","resultsUri":"/api/v2/usage/query/4b8e-11/results"}"#,
    )
    .expect("a results URL");
    assert_eq!(
        results,
        "https://api.mypurecloud.com/api/v2/usage/query/4b8e-11/results"
    );
    assert_eq!(
        genesys_query_status(br#"{"results":[],"queryStatus":"Running"}"#),
        Ok(QueryStatus::Running)
    );
    let complete = br#"{"results":[
        {"clientId":"c-1","clientName":"Sample Client Credentials","organizationId":"","userId":"","templateUri":"api/v2/users/{userId}","httpMethod":"GET","status200":3,"status300":0,"status400":5,"status500":1,"status429":2,"requests":9,"date":"2026-11-16T00:00:00Z"},
        {"clientId":"c-2","clientName":"Another OAUth Client","organizationId":"","userId":"","templateUri":"api/v2/analytics/conversations/details/query","httpMethod":"POST","status200":16,"status300":0,"status400":0,"status500":0,"status429":0,"requests":16,"date":"2026-11-22T00:00:00Z"}
    ],"queryStatus":"Complete"}"#;
    assert_eq!(genesys_query_status(complete), Ok(QueryStatus::Complete));
    let (store, _) = read_answers([(query.format, &complete[..])]).expect("readable");
    assert_eq!(
        class_totals(&store, last_week()),
        [
            ("Another OAUth Client".to_owned(), [16, 16, 0, 0, 0, 0, 0]),
            ("Sample Client Credentials".to_owned(), [9, 3, 0, 3, 2, 1, 0])
        ]
    );
    assert!(
        store
            .templates()
            .contains("/api/v2/analytics/conversations/details/query")
    );
}

// Guards the strict reading of live answers: one broken record fails the whole answer, naming it.
#[test]
fn a_broken_answer_names_the_record() {
    let broken = br#"{"results":[{"clientId":"c-1","status200":1,"status400":1,"status429":3,"requests":5,"date":"2026-11-16T00:00:00Z"}],"queryStatus":"Complete"}"#;
    let error = read_answers([(usage_core::formats::Format::Genesys, &broken[..])])
        .expect_err("broken")
        .to_string();
    assert!(error.contains("record 1") && error.contains("status429"), "{error}");
    let contract = br#"{"granularity":"day","buckets":[{"start":"2026-11-20T00:00:00Z","status":{"2xx":1}},{"start":"2026-11-20T00:00:00Z","status":{"2xx":-1}}]}"#;
    let error = read_answers([(usage_core::formats::Format::CallboardApi, &contract[..])])
        .expect_err("broken")
        .to_string();
    assert!(error.contains("record 2: status.2xx is not a whole number"), "{error}");
}
