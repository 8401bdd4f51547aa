//! Genesys Cloud's API usage: the query's results as JSON, and the same rows saved as CSV.
//! Counts per status class only (`status429` is part of `status400`).

use super::{Description, Header, JsonHead, Reading, Recognise, json_records, tabular::TableKind};
use crate::dimension::StatusDetail;

pub const JSON: Description = Description {
    name: "Genesys Cloud API usage (JSON)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| {
        head.has("status200") || head.has("templateUri") || (head.has("results") && head.has("clientId"))
    }),
    reading: Reading::Json {
        record: json_records::genesys_row,
        epoch: None,
    },
    example: r#"{"queryStatus":"Complete","results":[{"clientId":"c1","clientName":"Billing","templateUri":"api/v2/users/{userId}","httpMethod":"GET","status200":90,"status400":6,"status429":4,"requests":100,"date":"2026-11-20T00:00:00Z"}]}"#,
};

pub const CSV: Description = Description {
    name: "Genesys Cloud API usage (CSV)",
    status_detail: StatusDetail::Classes,
    recognise: Recognise::Header(|header: &Header<'_>| {
        header.has("clientid") && header.has("date") && (header.has("status200") || header.has("requests"))
    }),
    reading: Reading::Table(TableKind::Genesys),
    example: "Client ID,Client Name,Template URI,HTTP Method,Status 200,Status 300,Status 400,Status 429,Status 500,Requests,Date\nc1,Billing,api/v2/users,GET,90,2,6,4,1,100,2026-11-20T00:00:00Z\n",
};
