//! Red Hat 3scale's analytics: a metric's usage over a period (JSON), the top applications of a
//! period (JSON), and the usage CSV. Hits count as requests; other metrics are measures.

use super::{Description, Header, JsonHead, Reading, Recognise, json_records, tabular::TableKind};
use crate::dimension::StatusDetail;

pub const USAGE: Description = Description {
    name: "3scale analytics usage (JSON)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| {
        head.has("values") && head.has("period") && (head.has("metric") || head.has("response_code"))
    }),
    reading: Reading::Json {
        record: json_records::threescale_usage,
        epoch: None,
    },
    example: r#"{"metric":{"id":1,"name":"Hits","system_name":"hits","unit":"hit"},"period":{"name":null,"since":"2026-11-20T00:00:00+00:00","until":"2026-11-21T23:59:59+00:00","timezone":"Etc/UTC","granularity":"day"},"total":17,"values":[10,7],"application":{"id":42,"name":"Partner Portal","state":"live"}}"#,
};

pub const TOP_APPLICATIONS: Description = Description {
    name: "3scale top applications (JSON)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| head.has("applications") && head.has("period")),
    reading: Reading::Json {
        record: json_records::threescale_application,
        epoch: None,
    },
    example: r#"{"applications":[{"name":"Mobile","id":7,"value":"2","account":{"id":1,"name":"Acme"}}],"metric":{"system_name":"hits"},"period":{"name":"month","since":"2026-11-01T00:00:00Z","until":"2026-11-30T23:59:59Z"}}"#,
};

pub const CSV: Description = Description {
    name: "3scale usage (CSV)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Header(|header: &Header<'_>| {
        header.has("metricsystemname") && header.has("date") && header.has("value")
    }),
    reading: Reading::Table(TableKind::ThreeScale),
    example: "Metric System Name,Metric Name,Date,Value\nhits,Hits,2026-11-21,12\n",
};
