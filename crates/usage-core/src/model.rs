//! The usage model: one record is one bucket of API traffic.
//!
//! A per-request log line is a record with [`BucketWidth::Request`] and one
//! request; a pre-aggregated report row (a Genesys daily row, an hourly
//! rollup) is a record with a wider bucket and a request count. Both live in
//! the same store and are counted the same way.

use serde::{Deserialize, Serialize};

/// Seconds in one UTC day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// The client of records that name none (no consumer, key or client id).
pub const UNKNOWN_CLIENT_ID: &str = "";

/// How much time one record covers, starting at its timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BucketWidth {
    /// A single request at an instant.
    #[default]
    Request,
    TenMinutes,
    Hour,
    Day,
}

impl BucketWidth {
    /// The bucket's length in seconds (0 for a single request).
    pub const ALL: [BucketWidth; 4] = [
        BucketWidth::Request,
        BucketWidth::TenMinutes,
        BucketWidth::Hour,
        BucketWidth::Day,
    ];

    pub const fn seconds(self) -> i64 {
        match self {
            BucketWidth::Request => 0,
            BucketWidth::TenMinutes => 600,
            BucketWidth::Hour => 3_600,
            BucketWidth::Day => SECONDS_PER_DAY,
        }
    }
}

/// One bucket of traffic, as a parser or the demo generator produces it.
///
/// The store keeps these columnar and dictionary-encoded; this struct is the
/// readable form used at the edges and by the tests' naive reference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRecord {
    /// Start of the bucket, in Unix seconds (UTC).
    pub timestamp: i64,
    pub bucket: BucketWidth,
    /// Stable identifier of the calling application (OAuth client id, API key, consumer id).
    pub client_id: String,
    /// What people call the application; shown in the UI, falls back to the id.
    pub client_name: String,
    /// HTTP method, upper case.
    pub method: String,
    /// URL template such as `/api/v2/users/{id}`.
    pub template: String,
    /// HTTP status code of the responses in this bucket.
    pub status: u16,
    /// Number of requests in the bucket (the weight of the record).
    pub requests: u64,
    /// API area or module (Alma's "API Area", the bench's `module`); empty when unknown.
    pub module: String,
    /// The calling user; empty when unknown.
    pub user: String,
    /// The caller's IP address; empty when unknown.
    pub ip: String,
    /// Response bytes, summed over the bucket.
    pub bytes: Option<u64>,
    /// Latency in microseconds, summed over the bucket (divide by `requests` for the mean).
    pub latency_us: Option<u64>,
}

/// Days since 1970-01-01 of a Unix timestamp, counting UTC days.
#[inline]
pub const fn day_of(timestamp: i64) -> i64 {
    timestamp.div_euclid(SECONDS_PER_DAY)
}
