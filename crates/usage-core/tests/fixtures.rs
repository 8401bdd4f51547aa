//! Each reader on a small fixture written from the public format description
//! (../shared/formats.md), with totals per client and status class counted by
//! hand, today left out as the dashboard does, and malformed input.

mod common;
use common::today;

use usage_core::formats::{FileReader, Format, ReadError, ReadReport, detect};
use usage_core::query::DaySpan;
use usage_core::{DateRange, StoreBuilder, UsageStore};

/// Per client name: (total, 2xx, 3xx, 4xx, 429, 5xx, other) over the last 30 days before `today()`.
fn totals(store: &UsageStore) -> Vec<(String, [u64; 7])> {
    common::class_totals(store, DaySpan::from(&DateRange::default_for(today())))
}

/// Reads a fixture in 13-byte chunks.
fn read(text: &str) -> Result<(Format, UsageStore, ReadReport), ReadError> {
    common::read(text.as_bytes(), 13)
}

// Guards Genesys query results: status429 is taken out of status400, requests beyond the
// classes count as "other", templates get a leading slash, and an impossible row is skipped.
#[test]
fn genesys_query_results() {
    let text = r#"{"queryStatus":"Complete","results":[
      {"clientId":"c1","clientName":"Billing","templateUri":"api/v2/users/{userId}","httpMethod":"GET","status200":90,"status300":2,"status400":6,"status429":4,"status500":1,"requests":100,"date":"2026-11-20T00:00:00Z"},
      {"clientId":"c1","clientName":"Billing","templateUri":"/api/v2/users","httpMethod":"POST","status200":5,"status300":0,"status400":0,"status429":0,"status500":0,"requests":5,"date":"2026-11-23T00:00:00Z"},
      {"clientId":"","clientName":"","templateUri":"","httpMethod":"","status200":7,"status300":0,"status400":0,"status429":0,"status500":0,"requests":7,"date":"2026-11-21T00:00:00Z"},
      {"clientId":"c2","clientName":"Broken","status200":1,"status400":1,"status429":3,"date":"2026-11-21T00:00:00Z"}
    ]}"#;
    let (format, store, report) = read(text).expect("readable");
    assert_eq!(format, Format::Genesys);
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert!(
        report.problems[0]
            .reason
            .contains("record 4: status429 (3) is larger than status400 (1)"),
        "{:?}",
        report.problems
    );
    // Billing on 11-20: 90 + 2 + (6-4) + 4 + 1 + 1 other = 100; its 11-23 row is today's and left out.
    assert_eq!(
        totals(&store),
        [
            ("Billing".to_owned(), [100, 90, 2, 2, 4, 1, 1]),
            ("Unknown client".to_owned(), [7, 7, 0, 0, 0, 0, 0])
        ]
    );
    assert!(store.templates().contains("/api/v2/users/{userId}"));
}

// Guards Kong NDJSON: consumers by name, anonymous calls as "Unknown client", escaped
// slashes, today's request left out, and a broken line skipped by number.
#[test]
fn kong_ndjson() {
    let text = concat!(
        r#"{"request":{"method":"GET","uri":"\/users\/12?x=1"},"response":{"status":200,"size":10},"consumer":{"id":"u-1","username":"mobile"},"started_at":1795305600000,"client_ip":"203.0.113.5","latencies":{"request":12}}"#,
        "\n",
        r#"{"request":{"method":"GET","uri":"/users/13"},"response":{"status":429},"consumer":{"id":"u-1","username":"mobile"},"started_at":1795305601000}"#,
        "\n",
        r#"{"request":{"method":"POST","uri":"/orders"},"response":{"status":503},"started_at":1795305602000}"#,
        "\n",
        r#"{"request":{"method":"GET","uri":"/users/14"},"response":{"status":200},"consumer":{"id":"u-1","username":"mobile"},"started_at":1795392000000}"#,
        "\n",
        r#"{"request":{"method":"GET"},"response":{"status":200},"started_at":1795305603000}"#,
        "\n",
    );
    // 1795305600 = 2026-11-22T00:00:00Z (yesterday); 1795392000 = 2026-11-23 (today).
    let (format, store, report) = read(text).expect("readable");
    assert_eq!(format, Format::Kong);
    assert_eq!((report.rows, report.skipped), (4, 1));
    assert_eq!(report.problems[0].line, 5);
    assert_eq!(
        totals(&store),
        [
            ("mobile".to_owned(), [2, 1, 0, 0, 1, 0, 0]),
            ("Unknown client".to_owned(), [1, 0, 0, 0, 0, 1, 0])
        ]
    );
    assert!(store.templates().contains("/users/{id}"));
}

// Guards Moesif weights: a sampled event stands for `weight` requests.
#[test]
fn moesif_weights() {
    let text = r#"[
      {"request":{"time":"2026-11-22T10:00:00.000","uri":"https://api.example.com/items/1","verb":"GET"},"response":{"status":200},"company_id":"acme","weight":10},
      {"request":{"time":"2026-11-22T11:00:00.000","uri":"https://api.example.com/items/2","verb":"GET"},"response":{"status":500},"company_id":"acme"},
      {"request":{"time":"2026-11-23T01:00:00.000","uri":"https://api.example.com/items/3","verb":"GET"},"response":{"status":200},"company_id":"acme","weight":100}
    ]"#;
    let (_, store, report) = read(text).expect("readable");
    assert_eq!(report.rows, 3);
    assert_eq!(totals(&store), [("acme".to_owned(), [11, 10, 0, 0, 0, 1, 0])]);
}

// Guards AWS API Gateway's console preset: CLF requestTime, status as a string, "-" for unset,
// resourcePath used as the template, the caller as client when there is no API key.
#[test]
fn aws_console_preset() {
    let text = concat!(
        r#"{"requestId":"a1","ip":"198.51.100.1","caller":"-","user":"-","requestTime":"22/Nov/2026:23:30:00 +0000","httpMethod":"GET","resourcePath":"/pets/{petId}","status":"200","protocol":"HTTP/1.1","responseLength":"120"}"#,
        "\n",
        r#"{"requestId":"a2","ip":"198.51.100.1","caller":"AIDAEXAMPLE","user":"-","requestTime":"23/Nov/2026:00:30:00 +0200","httpMethod":"POST","resourcePath":"/pets","status":"429","protocol":"HTTP/1.1","responseLength":"-"}"#,
        "\n",
        r#"{"requestId":"a3","ip":"198.51.100.2","apiKeyId":"key-9","requestTimeEpoch":1795306000000,"httpMethod":"GET","path":"/prod/pets/17","status":404}"#,
        "\n",
        r#"{"requestId":"a4","ip":"198.51.100.2","requestTime":"23/Nov/2026:09:00:00 +0000","httpMethod":"GET","resourcePath":"/pets","status":"200"}"#,
        "\n",
    );
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows, report.skipped), (Format::AwsApiGateway, 4, 0));
    // a2 is 22 Nov 22:30 UTC (its +0200 offset): yesterday. a4 is today's.
    assert_eq!(
        totals(&store),
        [
            ("AIDAEXAMPLE".to_owned(), [1, 0, 0, 0, 1, 0, 0]),
            ("Unknown client".to_owned(), [1, 1, 0, 0, 0, 0, 0]),
            ("key-9".to_owned(), [1, 0, 0, 1, 0, 0, 0])
        ]
    );
    assert!(store.templates().contains("/prod/pets/{id}") && store.templates().contains("/pets/{petId}"));
}

// Guards an access log with an authenticated user and today's line left out. The TLS handshake
// got a 400 from the server, so it is a request too, under the malformed template.
#[test]
fn access_log_users_and_today() {
    let text = "203.0.113.9 - ann [22/Nov/2026:10:00:00 +0000] \"GET /api/users/5 HTTP/1.1\" 200 10 \"-\" \"curl\"\n\
                203.0.113.9 - - [22/Nov/2026:10:00:01 +0000] \"GET /api/users/6 HTTP/1.1\" 500 10 \"-\" \"curl\"\n\
                203.0.113.9 - ann [23/Nov/2026:00:00:01 +0000] \"GET /api/users/7 HTTP/1.1\" 200 10 \"-\" \"curl\"\n\
                \\x16\\x03\\x01 - - [22/Nov/2026:10:00:02 +0000] \"\\x16\\x03\\x01\\x02\\x00\" 400 0 \"-\" \"-\"\n";
    let (_, store, report) = read(text).expect("readable");
    assert_eq!((report.rows, report.skipped), (4, 0));
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(
        report.notes[0].starts_with("1 line had no HTTP request line"),
        "{:?}",
        report.notes
    );
    assert_eq!(
        totals(&store),
        [
            ("Unknown client".to_owned(), [2, 0, 0, 1, 0, 1, 0]),
            ("ann".to_owned(), [1, 1, 0, 0, 0, 0, 0])
        ]
    );
    assert!(store.templates().contains("(malformed request line)"));
}

// Guards whole-file failures: each gets its own clear error rather than a partial or silent result.
#[test]
fn unreadable_files_say_why() {
    assert_eq!(detect(b"").unwrap_err(), ReadError::Empty);
    assert_eq!(detect(b"  \n\t").unwrap_err(), ReadError::Empty);
    assert_eq!(
        detect(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err(),
        ReadError::Binary("a PNG image")
    );
    assert_eq!(
        detect(b"PK\x03\x04\x14\0").unwrap_err(),
        ReadError::Binary("a ZIP archive (unzip it first)")
    );
    assert_eq!(detect(b"abc\0def").unwrap_err(), ReadError::Binary("binary data"));
    assert_eq!(detect(b"name,age\nann,3\n").unwrap_err(), ReadError::Unrecognised);
    assert_eq!(detect(br#"{"hello":"world"}"#).unwrap_err(), ReadError::Unrecognised);
    assert_eq!(detect(b"\xff\xfe\xfd not text").unwrap_err(), ReadError::NotText);
    // Truncated JSON: nothing complete before the cut.
    let cut = r#"{"queryStatus":"Complete","results":[{"clientId":"c1","status200":3,"date":"2026-11-20T00:00:00Z"},{"clientId":"c2","sta"#;
    assert!(
        matches!(read(cut), Err(ReadError::BadJson { line: 1, .. })),
        "{:?}",
        read(cut).err()
    );
    // NDJSON cut inside its last line keeps the complete lines and reports the cut one.
    let ndjson = "{\"clientId\":\"c1\",\"status200\":3,\"requests\":3,\"date\":\"2026-11-20T00:00:00Z\"}\n{\"clientId\":\"c2\",\"status2";
    let (_, store, report) = read(ndjson).expect("the complete line is kept");
    assert_eq!((report.rows, report.skipped, store.len()), (1, 1, 1));
    assert_eq!(report.problems[0].line, 2);
}

// Guards Callboard's own export: CSV and JSON read back into exactly the records written,
// with weights, bucket widths, quoting, non-ASCII, and absent and present measures.
#[test]
fn exports_round_trip_exactly() {
    use usage_core::formats::callboard_csv::{write, write_json};
    use usage_core::{BucketWidth, UsageRecord};
    let base = UsageRecord {
        method: "GET".into(),
        template: "/a/{id}".into(),
        status: 200,
        requests: 1,
        ..UsageRecord::default()
    };
    let with_measures = vec![
        UsageRecord {
            timestamp: 1_795_305_600,
            client_id: "c1".into(),
            client_name: "Smith, Bell & \"Partners\"".into(),
            ip: "2001:db8::1".into(),
            user: "ann".into(),
            module: "users".into(),
            bytes: Some(10),
            latency_us: Some(12_345),
            ..base.clone()
        },
        UsageRecord {
            timestamp: 1_795_305_660,
            client_id: "c2".into(),
            client_name: "Zürich\nOffice".into(),
            bucket: BucketWidth::Hour,
            requests: 4_000,
            status: 429,
            bytes: Some(0),
            latency_us: Some(7),
            ..base.clone()
        },
        UsageRecord {
            timestamp: 1_795_219_200,
            client_id: "".into(),
            client_name: "Unknown client".into(),
            bucket: BucketWidth::Day,
            requests: 9,
            status: 0,
            bytes: Some(5_000_000_000),
            latency_us: Some(0),
            ..base.clone()
        },
    ];
    let without_measures = vec![UsageRecord {
        timestamp: 1_795_305_600,
        client_id: "c3".into(),
        client_name: "Plain".into(),
        bucket: BucketWidth::TenMinutes,
        ..base.clone()
    }];
    for records in [with_measures, without_measures] {
        let store = UsageStore::from_records(&records).expect("a store");
        let span = DaySpan { start: 0, end: 30_000 };
        let all = usage_core::RecordFilter::all();
        for (text, format) in [
            (write(&store, span.into(), &all), Format::CallboardCsv),
            (write_json(&store, span.into(), &all), Format::CallboardJson),
        ] {
            let (read_format, reread, report) = read(&text).expect("its own export");
            assert_eq!((read_format, report.skipped), (format, 0), "{text}");
            assert_eq!(
                reread.records().collect::<Vec<_>>(),
                store.records().collect::<Vec<_>>(),
                "{format:?}"
            );
        }
    }
}

// Guards that an export under filters holds exactly the records the dashboard counts for them.
#[test]
fn filtered_exports_hold_the_filtered_records() {
    use usage_core::formats::callboard_csv::write;
    use usage_core::{Dimension, Filter, RecordFilter, UsageRecord};
    let base = UsageRecord {
        timestamp: 1_795_305_600,
        method: "GET".into(),
        template: "/a".into(),
        status: 200,
        requests: 1,
        ..UsageRecord::default()
    };
    let store = UsageStore::from_records(&[
        UsageRecord {
            client_id: "a".into(),
            client_name: "A".into(),
            requests: 3,
            ..base.clone()
        },
        UsageRecord {
            client_id: "a".into(),
            client_name: "A".into(),
            status: 503,
            requests: 4,
            ..base.clone()
        },
        UsageRecord {
            client_id: "b".into(),
            client_name: "B".into(),
            status: 503,
            requests: 5,
            ..base.clone()
        },
    ])
    .expect("a store");
    let span = DaySpan { start: 0, end: 30_000 };
    let filter = RecordFilter::new(
        &store,
        &[
            Filter {
                dimension: Dimension::Client,
                key: "a".into(),
            },
            Filter {
                dimension: Dimension::Class,
                key: "5xx".into(),
            },
        ],
    );
    let (_, reread, _) = read(&write(&store, span.into(), &filter)).expect("its own export");
    assert_eq!(reread.totals(span, &RecordFilter::all()), store.totals(span, &filter));
    assert_eq!(reread.totals(span, &RecordFilter::all()).total(), 4);
}

// Guards Genesys rows exported as CSV: headers matched loosely, the same class arithmetic as the JSON.
#[test]
fn genesys_csv_with_loose_headers() {
    let text = "Client ID,Client Name,Template URI,HTTP Method,Status 200,Status 300,Status 400,Status 429,Status 500,Requests,Date\n\
                c1,Billing,api/v2/users,GET,90,2,6,4,1,100,2026-11-20T00:00:00Z\n\
                c1,Billing,api/v2/users,GET,5,0,0,0,0,5,2026-11-23T00:00:00Z\n\
                c2,Broken,api/v2/users,GET,x,0,0,0,0,1,2026-11-20T00:00:00Z\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!(format, Format::GenesysCsv);
    assert_eq!((report.rows, report.skipped), (2, 1));
    assert_eq!(report.problems[0].line, 4);
    assert_eq!(totals(&store), [("Billing".to_owned(), [100, 90, 2, 2, 4, 1, 1])]);
}

// Guards Tyk pump CSV: Go timestamps with offsets, aliases or keys as clients, TrackPath templates.
#[test]
fn tyk_pump_csv() {
    let text = "Method,Host,Path,RawPath,ContentLength,UserAgent,Day,Month,Year,Hour,ResponseCode,APIKey,TimeStamp,APIVersion,APIName,APIID,OrgID,OauthID,RequestTime,IPAddress,Latency.Total,Latency.Upstream,Tags,Alias,TrackPath,ExpireAt\n\
                GET,api.example.com,/users/{id},/users/17,0,curl,22,November,2026,10,200,hashed-key-1,2026-11-22 10:00:00.5 +0000 UTC,v1,Users,a1,o1,,12,203.0.113.1,12,10,,mobile,true,2026-12-22 10:00:00 +0000 UTC\n\
                GET,api.example.com,/users/18,/users/18,0,curl,22,November,2026,23,500,hashed-key-2,2026-11-23 01:00:00 +0200 EET,v1,Users,a1,o1,,12,203.0.113.2,12,10,,,false,2026-12-22 10:00:00 +0000 UTC\n\
                GET,api.example.com,/users/19,/users/19,0,curl,23,November,2026,9,200,hashed-key-1,2026-11-23 09:00:00 +0000 UTC,v1,Users,a1,o1,,12,203.0.113.1,12,10,,mobile,false,2026-12-22 10:00:00 +0000 UTC\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows), (Format::TykCsv, 3));
    // The second row is 22 Nov 23:00 UTC (yesterday); the third is today's.
    assert_eq!(
        totals(&store),
        [
            ("hashed-key-2".to_owned(), [1, 0, 0, 0, 0, 1, 0]),
            ("mobile".to_owned(), [1, 1, 0, 0, 0, 0, 0])
        ]
    );
    assert!(store.templates().contains("/users/{id}"));
}

// Guards an Alma report saved from Windows: BOM, CRLF, MM/DD/YYYY, per-area measures, no status codes.
#[test]
fn alma_report_from_windows() {
    let text = "\u{feff}Application Name,API Method,API URL,Execution Date,API Usage - Users,API Usage - Physical Items\r\n\
                Discovery,GET,/almaws/v1/users/{user_id},11/21/2026,120,30\r\n\
                Discovery,GET,/almaws/v1/users/{user_id},11/23/2026,5,0\r\n\
                ,GET,/almaws/v1/items,11/22/2026,0,\"1,000\"\r\n\
                Broken,GET,/x,21.11.2026,1,1\r\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!(format, Format::AlmaCsv);
    assert_eq!((report.rows, report.skipped), (3, 1));
    assert_eq!(report.problems[0].line, 5, "{:?}", report.problems);
    // Alma gives no status codes, so every request counts as "other".
    assert_eq!(
        totals(&store),
        [
            ("Unknown client".to_owned(), [1000, 0, 0, 0, 0, 0, 1000]),
            ("Discovery".to_owned(), [150, 0, 0, 0, 0, 0, 150])
        ]
    );
    let modules: Vec<&str> = store.modules().iter().collect();
    assert_eq!(modules, ["", "Users", "Physical Items"]);
}

// Guards a generic CSV matched by column names: dates, epochs, status classes written as text.
#[test]
fn generic_csv_by_column_names() {
    let text = "date,app,path,code,count\n\
                2026-11-21,reports,/r/1,2xx,40\n\
                2026-11-22,reports,/r/2,5xx,2\n\
                1795306000,other,/r/3,404,1\n\
                2026-11-23,reports,/r/4,200,99\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows, report.skipped), (Format::GenericCsv, 4, 0));
    assert_eq!(
        totals(&store),
        [
            ("reports".to_owned(), [42, 40, 0, 0, 0, 2, 0]),
            ("other".to_owned(), [1, 0, 0, 1, 0, 0, 0])
        ]
    );
}

// Guards 3scale usage.json: buckets from period.since with its offset, per application; hits have no
// status code (so count as "other"); the response-code variant counts its class.
#[test]
fn threescale_usage_json() {
    let usage = r#"{"metric":{"id":1,"name":"Hits","system_name":"hits","unit":"hit"},
        "period":{"name":null,"since":"2026-11-20T00:00:00+00:00","until":"2026-11-23T23:59:59+00:00","timezone":"Etc/UTC","granularity":"day"},
        "total":27,"values":[10,0,7,10],"application":{"id":42,"name":"Partner Portal","state":"live"}}"#;
    let (format, store, report) = read(usage).expect("readable");
    assert_eq!((format, report.rows), (Format::ThreeScaleUsage, 1));
    // 11-20: 10, 11-22: 7, 11-23 (today): left out.
    assert_eq!(totals(&store), [("Partner Portal".to_owned(), [17, 0, 0, 0, 0, 0, 17])]);

    // A method counts in hits; a metric in another unit is a measure of its own, never requests.
    let method = usage.replace(
        r#""name":"Hits","system_name":"hits""#,
        r#""name":"Search","system_name":"search""#,
    );
    let (_, store, _) = read(&method).expect("a method is read");
    assert_eq!(totals(&store), [("Partner Portal".to_owned(), [17, 0, 0, 0, 0, 0, 17])]);
    let transfer = usage.replace(
        r#""name":"Hits","system_name":"hits","unit":"hit""#,
        r#""name":"Data transfer","system_name":"data_transfer","unit":"MB""#,
    );
    let (_, store, report) = read(&transfer).expect("a metric in MB is read");
    assert_eq!((store.total_requests(), report.rows, report.skipped), (0, 1, 0));
    let measure = &store.measures()[0];
    assert_eq!(
        (measure.system_name.as_str(), measure.label()),
        ("data_transfer", "Data transfer (MB)".to_owned())
    );
    let per_day: Vec<(String, u64)> = measure
        .points
        .iter()
        .map(|p| (usage_core::format::describe_timestamp(p.timestamp), p.amount))
        .collect();
    assert_eq!(
        per_day.iter().map(|(_, a)| *a).collect::<Vec<_>>(),
        [10, 0, 7, 10],
        "{per_day:?}"
    );
    assert_eq!(measure.points[1].timestamp - measure.points[0].timestamp, 86_400);
    // Hits and data transfer together: requests count hits only, and the measure stays apart.
    let (_, both, _) = read(&format!("[{usage},{transfer}]")).expect("both documents are read");
    assert_eq!((both.total_requests(), both.measures().len()), (27, 1));
    // The same metric in another unit cannot be added up: the second document is refused.
    let other_unit = transfer.replace(r#""unit":"MB""#, r#""unit":"GB""#);
    let (_, mixed, report) = read(&format!("[{transfer},{other_unit}]")).expect("the first is read");
    assert_eq!((mixed.measures()[0].points.len(), report.skipped), (4, 1));
    assert!(
        report.problems[0]
            .reason
            .contains("in “GB”, but earlier rows count it in “MB”"),
        "{:?}",
        report.problems
    );

    let codes = r#"{"response_code":{"code":"5XX"},"period":{"since":"2026-11-22T00:00:00+01:00","granularity":"hour","timezone":"Europe/Madrid"},"total":3,"values":[1,2]}"#;
    let (_, store, _) = read(codes).expect("readable");
    // 00:00+01:00 is 23:00Z on the 21st: both hours are before today.
    assert_eq!(totals(&store), [("Unknown client".to_owned(), [3, 0, 0, 0, 0, 3, 0])]);
}

// Guards 3scale top_applications.json: string values, a null name, and an unreadable value.
#[test]
fn threescale_top_applications() {
    let text = r#"{"applications":[{"name":"Mobile","id":7,"value":"2","account":{"id":1,"name":"Acme"}},{"name":null,"id":8,"value":"5"}],
        "metric":{"system_name":"hits"},"period":{"name":"month","since":"2026-11-01T00:00:00Z","until":"2026-11-30T23:59:59Z"}}"#;
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows), (Format::ThreeScaleTopApplications, 2));
    assert_eq!(
        totals(&store),
        [
            ("8".to_owned(), [5, 0, 0, 0, 0, 0, 5]),
            ("Mobile".to_owned(), [2, 0, 0, 0, 0, 0, 2])
        ]
    );
    // One unreadable application is skipped; the other stays.
    let broken = text.replace("\"value\":\"2\"", "\"value\":\"two\"");
    let (_, store, report) = read(&broken).expect("readable");
    assert_eq!((report.rows, report.skipped), (1, 1));
    assert!(
        report.problems[0].reason.starts_with("record 1:"),
        "{:?}",
        report.problems
    );
    assert_eq!(totals(&store), [("8".to_owned(), [5, 0, 0, 0, 0, 0, 5])]);
}

// Guards 3scale's usage CSV: only hits count as requests; other metrics are measures of their own.
#[test]
fn threescale_usage_csv() {
    let text = "Metric System Name,Metric Name,Date,Value\nhits,Hits,2026-11-21,12\nget_users,Get users,2026-11-21,9\nhits,Hits,2026-11-23,4\nhits,Hits,2026-11-22,x\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows, report.skipped), (Format::ThreeScaleCsv, 3, 1));
    assert_eq!(report.problems[0].line, 5);
    assert_eq!(totals(&store), [("Unknown client".to_owned(), [12, 0, 0, 0, 0, 0, 12])]);
    // The method is a measure of its own, named as the export names it, never requests.
    let measure = &store.measures()[0];
    assert_eq!(
        (
            measure.system_name.as_str(),
            measure.label(),
            measure.points.iter().map(|p| p.amount).collect::<Vec<_>>()
        ),
        ("get_users", "Get users".to_owned(), vec![9])
    );
}

// Guards malformed records of the remaining readers: each bad one is skipped with its line, the good ones stay.
#[test]
fn malformed_records_are_skipped_by_line() {
    let aws = "{\"httpMethod\":\"GET\",\"requestTime\":\"22/Nov/2026:10:00:00 +0000\",\"resourcePath\":\"/a\",\"status\":\"200\",\"requestId\":\"1\"}\n\
               {\"httpMethod\":\"GET\",\"requestTime\":\"yesterday\",\"resourcePath\":\"/a\",\"status\":\"200\",\"requestId\":\"2\"}\n\
               {\"httpMethod\":\"GET\",\"requestTime\":\"22/Nov/2026:10:00:00 +0000\",\"resourcePath\":\"/a\",\"status\":\"OK\",\"requestId\":\"3\"}\n";
    let moesif = "{\"request\":{\"time\":\"2026-11-22T10:00:00.000\",\"uri\":\"/a\",\"verb\":\"GET\"},\"response\":{\"status\":200}}\n\
                  {\"request\":{\"time\":\"2026-11-22T10:00:00.000\",\"uri\":\"/a\",\"verb\":\"GET\"},\"response\":{\"status\":200},\"weight\":2.5}\n";
    let tyk = "Method,Path,ResponseCode,TimeStamp,APIKey\nGET,/a,200,2026-11-22 10:00:00 +0000 UTC,k\nGET,/a,200,22 Nov 2026,k\nGET,/a,two hundred,2026-11-22 10:00:00 +0000 UTC,k\n";
    let generic = "time,status,client\n2026-11-22T10:00:00Z,200,a\nsoon,200,a\n2026-11-22T10:00:00Z,fine,a\n";
    for (name, text, lines) in [
        ("aws", aws, vec![2, 3]),
        ("moesif", moesif, vec![2]),
        ("tyk", tyk, vec![3, 4]),
        ("generic", generic, vec![3, 4]),
    ] {
        let (_, store, report) = read(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((report.rows, store.len()), (1, 1), "{name}: {:?}", report.problems);
        assert_eq!(
            report.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            lines,
            "{name}: {:?}",
            report.problems
        );
    }
}

// Guards the generic mapping: a header with two candidate time columns is ambiguous, the proposal
// takes the likelier, and a confirmed mapping reads the column the user chose.
#[test]
fn generic_csv_ambiguous_columns() {
    use usage_core::formats::tabular::{ColumnMapping, Field, propose};
    let header: Vec<String> = ["Day", "Time", "App", "Consumer", "Code"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let proposal = propose(&header);
    assert_eq!(proposal.ambiguous, [Field::Time, Field::Client]);
    assert_eq!(
        (
            proposal.mapping.column(Field::Time),
            proposal.mapping.column(Field::Client)
        ),
        (Some(1), Some(2))
    );
    assert_eq!(proposal.header_key(), "day,time,app,consumer,code");

    let text = "Day,Time,App,Consumer,Code\n2026-11-22,2026-11-21T10:00:00Z,web,ann,200\n";
    // The proposal reads "Time" (21 Nov) and "App"; a confirmed mapping reads "Day" (22 Nov) and "Consumer".
    let (_, store, _) = read(text).expect("readable");
    assert_eq!(
        store.records().next().map(|r| (r.timestamp, r.client_id)),
        Some((1_795_255_200, "web".to_owned()))
    );
    let mut chosen = proposal.mapping.clone();
    chosen
        .columns
        .retain(|(f, _)| !matches!(f, Field::Time | Field::Client));
    chosen.columns.extend([(Field::Time, 0), (Field::Client, 3)]);
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::with_mapping(chosen);
    reader.feed(text.as_bytes(), &mut builder).expect("feed");
    reader.finish(&mut builder).expect("finish");
    let store = builder.finish();
    assert_eq!(
        store.records().next().map(|r| (r.timestamp, r.client_id, r.bucket)),
        Some((1_795_305_600, "ann".to_owned(), usage_core::BucketWidth::Day))
    );
    // A mapping without a time column cannot read anything, and says so.
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::with_mapping(ColumnMapping {
        columns: vec![(Field::Status, 4)],
    });
    reader.feed(text.as_bytes(), &mut builder).expect("feed");
    assert_eq!(
        reader.finish(&mut builder).unwrap_err(),
        ReadError::MissingColumn("Time or date")
    );
}

// Guards generic NDJSON: fields matched by name, numbers or strings, a record without a status skipped.
#[test]
fn generic_ndjson_by_field_names() {
    let text = "{\"time\":\"2026-11-22T10:00:00Z\",\"consumer\":\"ann\",\"path\":\"/a/1\",\"status\":200,\"count\":3}\n\
                {\"time\":\"2026-11-22T11:00:00Z\",\"consumer\":\"ann\",\"path\":\"/a/2\",\"status\":\"503\"}\n\
                {\"time\":\"2026-11-22T12:00:00Z\",\"consumer\":\"ann\",\"path\":\"/a/3\"}\n\
                {\"time\":\"2026-11-23T01:00:00Z\",\"consumer\":\"ann\",\"path\":\"/a/4\",\"status\":200}\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows, report.skipped), (Format::GenericJson, 3, 1));
    assert_eq!(report.problems[0].line, 3);
    assert_eq!(totals(&store), [("ann".to_owned(), [4, 3, 0, 0, 0, 1, 0])]);
    assert_eq!(store.templates(), ["/a/{id}"]);
}

// Guards Callboard's REST contract read as a file (a static export of /usage): buckets per
// status class with 4xx and 429 disjoint, the granularity as bucket width, and a bucket that
// breaks the contract skipped with the field named.
#[test]
fn callboard_api_usage_document() {
    let text = r#"{"from":"2026-11-21","to":"2026-11-24","granularity":"day","timezone":"UTC","buckets":[
        {"start":"2026-11-21T00:00:00Z","client_id":"app-1","client_name":"Billing","template":"/v2/users/{id}","method":"GET","status":{"2xx":90,"3xx":2,"4xx":2,"429":4,"5xx":1,"other":1}},
        {"start":"2026-11-23T00:00:00Z","client_id":"app-1","client_name":"Billing","template":"/v2/users/{id}","method":"GET","status":{"2xx":500}},
        {"start":"2026-11-22T00:00:00Z","client_id":"app-2","template":"v2/orders","method":"post","status":{"2xx":"seven"}},
        {"start":"2026-11-22T00:00:00Z","status":{"2xx":3,"418":1}}
    ]}"#;
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows, report.skipped), (Format::CallboardApi, 2, 2));
    assert!(
        report.problems[0]
            .reason
            .contains("record 3: status.2xx is not a whole number"),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[1].reason.contains("status.418 is not a status class"),
        "{:?}",
        report.problems
    );
    assert_eq!(totals(&store), [("Billing".to_owned(), [100, 90, 2, 2, 4, 1, 1])]);
    assert!(store.records().all(|r| r.bucket == usage_core::BucketWidth::Day));
}

// Guards a generic CSV's module column: its values become the Module dimension, and
// rows without one count as unknown.
#[test]
fn generic_csv_modules() {
    use usage_core::query::{DaySpan, Dimension, RecordFilter};
    let text = "Time,Application,Method,Path,Status,Module,IP\n\
                2026-11-20T10:00:00Z,billing,GET,/users/1,200,users,192.0.2.1\n\
                2026-11-20T10:00:01Z,billing,GET,/fees/2,500,fees,192.0.2.1\n\
                2026-11-20T10:00:02Z,payroll,GET,/fees/3,200,,192.0.2.9\n";
    let (format, store, report) = read(text).expect("readable");
    assert_eq!((format, report.rows), (Format::GenericCsv, 3));
    let modules: Vec<(String, u64)> = store
        .breakdown(
            DaySpan { start: 0, end: 30_000 },
            Dimension::Module,
            &RecordFilter::all(),
            false,
        )
        .rows
        .iter()
        .map(|r| (store.label(Dimension::Module, r.key), r.counts.total()))
        .collect();
    assert_eq!(
        modules,
        [
            ("Unknown".to_owned(), 1),
            ("fees".to_owned(), 1),
            ("users".to_owned(), 1)
        ]
    );
}
