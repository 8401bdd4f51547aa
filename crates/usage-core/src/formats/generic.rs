//! Any CSV or JSON records with a time and a status, their columns or fields matched by name (a
//! CSV's columns can be confirmed or changed by the user). Listed last: the formats that name
//! their vendor come first.

use super::tabular::{Field, TableKind};
use super::{Description, Header, JsonHead, Reading, Recognise, json_records};
use crate::dimension::StatusDetail;

pub const CSV: Description = Description {
    name: "CSV (columns matched by name)",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Header(|header: &Header<'_>| {
        Field::Time.names().iter().any(|t| header.has(t)) && Field::Status.names().iter().any(|s| header.has(s))
    }),
    reading: Reading::Table(TableKind::Generic(None)),
    example: "date,app,path,code,count\n2026-11-21,reports,/r/1,2xx,40\n",
};

pub const JSON: Description = Description {
    name: "JSON records (fields matched by name)",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Json(|head: &JsonHead<'_>| {
        ["timestamp", "time", "date"].iter().any(|k| head.has(k))
            && ["status", "status_code", "code"].iter().any(|k| head.has(k))
    }),
    reading: Reading::Json {
        record: json_records::generic_record,
        epoch: Some(json_records::generic_epoch),
    },
    example: "{\"time\":\"2026-11-22T10:00:00Z\",\"consumer\":\"ann\",\"path\":\"/a/1\",\"status\":200,\"count\":3}\n",
};
