//! Readers of usage exports. Each turns bytes into records in a [`StoreBuilder`]
//! and reports the rows it had to skip, with their line numbers.
//!
//! [`StoreBuilder`]: crate::StoreBuilder

pub mod callboard_csv;
pub mod time;

use thiserror::Error;

/// How many skipped rows are kept with their line number and reason.
pub const KEPT_PROBLEMS: usize = 10;

/// One row that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line number in the file.
    pub line: usize,
    pub reason: String,
}

/// What a reader did with a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Rows read into the store.
    pub rows: usize,
    /// Rows skipped because they were malformed.
    pub skipped: usize,
    /// The first [`KEPT_PROBLEMS`] skipped rows.
    pub problems: Vec<RowProblem>,
}

impl ReadReport {
    pub(crate) fn skip(&mut self, line: usize, reason: impl Into<String>) {
        self.skipped += 1;
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(RowProblem { line, reason: reason.into() });
        }
    }
}

/// Why a whole file could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the header has no “{0}” column")]
    MissingColumn(&'static str),
    #[error("the file is not UTF-8 text")]
    NotText,
}
