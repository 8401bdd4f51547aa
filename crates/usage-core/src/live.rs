//! What a live source can do, as data. The page reads these capabilities and never asks which
//! vendor a source is: a new kind of source says what it can do here, and every branch follows.

use crate::dimension::StatusDetail;
use crate::rest::SourceKind;

/// What a kind of live source can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// It counts its buckets and days on the view's zone's clock when asked to (else UTC days).
    pub counts_in_zone: bool,
    /// It is asked again for whatever buckets a chart shows, down to 10 minutes, so a chart may
    /// offer any granularity the range allows rather than only the data's own.
    pub any_bucket: bool,
    /// How exact its status codes are.
    pub status: StatusDetail,
    /// It is asked per view for what the view's widgets show ([`crate::widgets::view_groupings`]),
    /// the compared period included, rather than answering once with every dimension it has.
    pub per_widget: bool,
    /// It lists the callers (IPs, users) with most requests by the thousand and counts the rest
    /// together ([`crate::clickhouse::LISTED`]).
    pub lists_callers: bool,
    /// It counts latency percentiles over exactly the window a view shows, when asked.
    pub counts_latency: bool,
    /// It applies the link's filters itself, so it is asked again when they change (a usage API
    /// may say so in its /meta as well).
    pub applies_filters: bool,
}

impl SourceKind {
    /// What a source of this kind can do. `Auto` never takes a URL for a ClickHouse server, so it
    /// can do what the usage contract and the vendors' APIs do.
    pub const fn capabilities(self) -> Capabilities {
        match self {
            SourceKind::ClickHouse => Capabilities {
                counts_in_zone: true,
                any_bucket: true,
                status: StatusDetail::Codes,
                per_widget: true,
                lists_callers: true,
                counts_latency: true,
                applies_filters: true,
            },
            // Every other live endpoint counts per status class (docs/api.md), in UTC days.
            SourceKind::Auto | SourceKind::Callboard | SourceKind::ThreeScale | SourceKind::Genesys => Capabilities {
                counts_in_zone: false,
                any_bucket: false,
                status: StatusDetail::Classes,
                per_widget: false,
                lists_callers: false,
                counts_latency: false,
                applies_filters: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the one kind that is asked per widget: only ClickHouse counts exact codes, on the
    // view's clock, in any bucket; a link that lets the URL decide is never taken for it.
    #[test]
    fn only_clickhouse_is_asked_per_widget() {
        for kind in SourceKind::ALL {
            let can = kind.capabilities();
            let clickhouse = kind == SourceKind::ClickHouse;
            let all = [
                can.per_widget,
                can.counts_in_zone,
                can.any_bucket,
                can.lists_callers,
                can.counts_latency,
                can.applies_filters,
            ];
            assert_eq!(all, [clickhouse; 6], "{kind:?}");
            assert_eq!(can.status == StatusDetail::Codes, clickhouse, "{kind:?}");
        }
    }
}
