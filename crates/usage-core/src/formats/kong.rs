//! Kong's http-log and file-log plugins: one JSON entry per request, the consumer as client.

use super::{Description, JsonHead, Reading, Recognise, json_records};
use crate::dimension::StatusDetail;

pub const FORMAT: Description = Description {
    name: "Kong http-log / file-log",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| {
        head.has("started_at") && head.has("request") && head.has("response")
    }),
    reading: Reading::Json {
        record: json_records::kong_entry,
        epoch: None,
    },
    example: r#"{"request":{"method":"GET","uri":"/users/12"},"response":{"status":200,"size":10},"consumer":{"id":"u-1","username":"mobile"},"started_at":1795305600000,"client_ip":"203.0.113.5","latencies":{"request":12}}"#,
};
