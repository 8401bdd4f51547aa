//! Moesif's events: one request each, weighted where Moesif sampled them.

use super::{Description, JsonHead, Reading, Recognise, json_records};
use crate::dimension::StatusDetail;

pub const FORMAT: Description = Description {
    name: "Moesif events",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| head.has("verb") && head.has("request") && head.has("response")),
    reading: Reading::Json {
        record: json_records::moesif_event,
        epoch: None,
    },
    example: r#"[{"request":{"time":"2026-11-22T10:00:00.000","uri":"https://api.example.com/items/1","verb":"GET"},"response":{"status":200},"company_id":"acme","weight":10}]"#,
};
