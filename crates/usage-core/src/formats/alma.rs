//! Ex Libris Alma's API usage report: requests per application, method and day, by API area,
//! with no status codes.

use super::{Description, Header, Reading, Recognise, tabular::TableKind};
use crate::dimension::StatusDetail;

pub const FORMAT: Description = Description {
    name: "Ex Libris Alma API usage report",
    status_detail: StatusDetail::Nothing,
    recognise: Recognise::Header(|header: &Header<'_>| {
        header.has("executiondate") && header.normalised.iter().any(|h| h.starts_with("apiusage"))
    }),
    reading: Reading::Table(TableKind::Alma),
    example: "Application Name,API Method,API URL,Execution Date,API Usage - Users\nDiscovery,GET,/almaws/v1/users/{user_id},11/21/2026,120\n",
};
