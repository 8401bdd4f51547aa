//! Tyk's pump CSV: one request per row, the alias or hashed key as client.

use super::{Description, Header, Reading, Recognise, tabular::TableKind};
use crate::dimension::StatusDetail;

pub const FORMAT: Description = Description {
    name: "Tyk pump CSV",
    status_detail: StatusDetail::Codes,
    recognise: Recognise::Header(|header: &Header<'_>| {
        header.has("method") && header.has("path") && header.has("responsecode") && header.has("timestamp")
    }),
    reading: Reading::Table(TableKind::Tyk),
    example: "Method,Host,Path,RawPath,ContentLength,UserAgent,Day,Month,Year,Hour,ResponseCode,APIKey,TimeStamp,APIVersion,APIName,APIID,OrgID,OauthID,RequestTime,IPAddress,Latency.Total,Latency.Upstream,Tags,Alias,TrackPath,ExpireAt\nGET,api.example.com,/users/{id},/users/17,0,curl,22,November,2026,10,200,hashed-key-1,2026-11-22 10:00:00.5 +0000 UTC,v1,Users,a1,o1,,12,203.0.113.1,12,10,,mobile,true,2026-12-22 10:00:00 +0000 UTC\n",
};
