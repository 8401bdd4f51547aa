//! Callboard's own formats: the CSV and JSON it exports (read back exactly), and a document of
//! its usage API's answer (docs/api.md) opened as a file.

use super::{Description, Header, JsonHead, Reading, Recognise, json_records};
use crate::dimension::StatusDetail;

pub const CSV: Description = Description {
    name: "Callboard CSV",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Header(|header: &Header<'_>| {
        ["timestamp", "client_id", "status"]
            .iter()
            .all(|column| header.plain.iter().any(|h| h == column))
    }),
    reading: Reading::CallboardCsv,
    example: "timestamp,client_id,template,status\n2026-11-20T10:00:00Z,app-1,/v1/orders,200\n",
};

pub const JSON: Description = Description {
    name: "Callboard JSON",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| head.text.contains("\"callboard-usage\"")),
    reading: Reading::Json {
        record: json_records::callboard_record,
        epoch: None,
    },
    example: r#"{"format":"callboard-usage","version":1,"records":[{"timestamp":1795305600,"bucket":"Request","client_id":"app-1","client_name":"Billing","template":"/v1/orders","method":"GET","status":200,"requests":1,"module":"","user":"","ip":"","bytes":null,"latency_us":null}]}"#,
};

pub const API: Description = Description {
    name: "Callboard usage API (JSON)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| head.has("buckets") && head.has("granularity")),
    reading: Reading::Json {
        record: json_records::callboard_api_bucket,
        epoch: None,
    },
    example: r#"{"from":"2026-11-21","to":"2026-11-22","granularity":"day","timezone":"UTC","buckets":[{"start":"2026-11-21T00:00:00Z","client_id":"app-1","template":"/v2/users/{id}","method":"GET","status":{"2xx":90,"5xx":1}}]}"#,
};
