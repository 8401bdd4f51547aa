//! HTTP status classes and per-class request counts.
//!
//! This is the one place that defines how a status code is classified, and
//! every count in Callboard goes through [`StatusClass::of`]:
//!
//! | class   | codes                      |
//! |---------|----------------------------|
//! | `2xx`   | 200–299                    |
//! | `3xx`   | 300–399                    |
//! | `4xx`   | 400–499 **except 429**     |
//! | `429`   | 429 (rate limited)         |
//! | `5xx`   | 500–599                    |
//! | `other` | anything outside 200–599   |
//!
//! The classes are disjoint, so they always add up to the total. The error
//! rate is the share of `4xx`, `429` and `5xx` in all requests.

use serde::{Deserialize, Serialize};

/// One of the six disjoint status classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StatusClass {
    Success,
    Redirect,
    ClientError,
    RateLimited,
    ServerError,
    Other,
}

impl StatusClass {
    /// Every class, in display order (the order of table columns and stacks).
    pub const ALL: [StatusClass; 6] = [
        StatusClass::Success,
        StatusClass::Redirect,
        StatusClass::ClientError,
        StatusClass::RateLimited,
        StatusClass::ServerError,
        StatusClass::Other,
    ];

    /// The five named classes; `Other` is only part of totals.
    pub const NAMED: [StatusClass; 5] = [
        StatusClass::Success,
        StatusClass::Redirect,
        StatusClass::ClientError,
        StatusClass::RateLimited,
        StatusClass::ServerError,
    ];

    /// Classifies a status code.
    pub const fn of(code: u16) -> StatusClass {
        match code {
            429 => StatusClass::RateLimited,
            200..=299 => StatusClass::Success,
            300..=399 => StatusClass::Redirect,
            400..=499 => StatusClass::ClientError,
            500..=599 => StatusClass::ServerError,
            _ => StatusClass::Other,
        }
    }

    /// The short label used in tables, legends and CSS class names.
    pub const fn as_str(self) -> &'static str {
        match self {
            StatusClass::Success => "2xx",
            StatusClass::Redirect => "3xx",
            StatusClass::ClientError => "4xx",
            StatusClass::RateLimited => "429",
            StatusClass::ServerError => "5xx",
            StatusClass::Other => "other",
        }
    }

    /// Whether requests of this class count as errors.
    pub const fn is_error(self) -> bool {
        matches!(
            self,
            StatusClass::ClientError | StatusClass::RateLimited | StatusClass::ServerError
        )
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// Request counts per status class. The total is the sum of all six classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusCounts {
    counts: [u64; 6],
}

impl StatusCounts {
    /// Adds `requests` requests answered with `code`.
    #[inline]
    pub fn add_code(&mut self, code: u16, requests: u64) {
        self.add(StatusClass::of(code), requests);
    }

    /// Adds `requests` requests of class `class`.
    #[inline]
    pub fn add(&mut self, class: StatusClass, requests: u64) {
        self.counts[class.index()] += requests;
    }

    /// Adds every class of `other` to `self`.
    pub fn merge(&mut self, other: &StatusCounts) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
    }

    /// Takes `part` (counts included in `self`) away from every class.
    pub fn subtract(&mut self, part: &StatusCounts) {
        for (mine, theirs) in self.counts.iter_mut().zip(part.counts) {
            *mine = mine.saturating_sub(theirs);
        }
    }

    /// Requests of one class.
    pub fn get(&self, class: StatusClass) -> u64 {
        self.counts[class.index()]
    }

    /// All requests, whatever their class.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Requests answered with `4xx`, `429` or `5xx`.
    pub fn errors(&self) -> u64 {
        StatusClass::ALL
            .iter()
            .filter(|c| c.is_error())
            .map(|&c| self.get(c))
            .sum()
    }

    /// Errors as a fraction of all requests in `0.0..=1.0`; `None` when there are no requests.
    pub fn error_rate(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| self.errors() as f64 / total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the class boundaries, above all that 429 is its own class and not a 4xx.
    #[test]
    fn classifies_boundaries() {
        let cases = [
            (199, StatusClass::Other),
            (200, StatusClass::Success),
            (299, StatusClass::Success),
            (300, StatusClass::Redirect),
            (399, StatusClass::Redirect),
            (400, StatusClass::ClientError),
            (428, StatusClass::ClientError),
            (429, StatusClass::RateLimited),
            (430, StatusClass::ClientError),
            (499, StatusClass::ClientError),
            (500, StatusClass::ServerError),
            (599, StatusClass::ServerError),
            (600, StatusClass::Other),
            (0, StatusClass::Other),
            (101, StatusClass::Other),
        ];
        for (code, class) in cases {
            assert_eq!(StatusClass::of(code), class, "status {code}");
        }
    }

    // Guards that classes are disjoint: the total is their sum, and errors count 4xx + 429 + 5xx once each.
    #[test]
    fn totals_and_error_rate() {
        let mut counts = StatusCounts::default();
        for (code, n) in [(200, 70), (304, 5), (404, 10), (429, 5), (503, 8), (102, 2)] {
            counts.add_code(code, n);
        }
        assert_eq!(counts.total(), 100);
        assert_eq!(counts.errors(), 23);
        assert_eq!(counts.get(StatusClass::Other), 2);
        assert_eq!(counts.error_rate(), Some(0.23));
        assert_eq!(StatusCounts::default().error_rate(), None);
    }
}
