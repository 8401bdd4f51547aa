//! AWS API Gateway's JSON access logs (the console's preset and the usual custom fields).

use super::{Description, JsonHead, Reading, Recognise, json_records};
use crate::dimension::StatusDetail;

pub const FORMAT: Description = Description {
    name: "AWS API Gateway access log (JSON)",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| {
        head.has("httpMethod") && (head.has("requestTime") || head.has("requestTimeEpoch") || head.has("requestId"))
    }),
    reading: Reading::Json {
        record: json_records::aws_access_log,
        epoch: Some(json_records::aws_epoch),
    },
    example: r#"{"requestId":"a1","ip":"198.51.100.1","caller":"-","user":"-","requestTime":"22/Nov/2026:23:30:00 +0000","httpMethod":"GET","resourcePath":"/pets/{petId}","status":"200","protocol":"HTTP/1.1","responseLength":"120"}"#,
};
