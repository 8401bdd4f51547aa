//! Everything the dashboard has to tell the user, in one list: what a load could not do, what a
//! link asked for that could not be read, and what the saved selection fell back to.
//!
//! Each notice is a value of one enum, so a new kind of problem is one more variant with its
//! message, its test id and whether it is an error; the list (`components::notices`) shows them
//! all the same way.

use thiserror::Error;
use usage_core::SelectionNotice;
use usage_core::formats::tabular::MappingProposal;

/// A notice that stays until something replaces or clears it.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum Notice {
    /// A file could not be opened; with a CSV read by column names, the columns to change.
    #[error("Could not open the file: {message}. The data on screen is unchanged.")]
    FileFailed {
        message: String,
        change_columns: Option<(String, MappingProposal)>,
    },
    /// A file of lines in no known format: "Log format…" asks for the one it was written with.
    #[error("Could not open the file: {message}. The data on screen is unchanged.")]
    NeedsLogFormat {
        message: String,
        /// The file's name, its first line, and why the format given does not read it.
        pending: (String, String, Option<String>),
    },
    #[error("Your column choice is used but {0}.")]
    MappingNotSaved(String),
    #[error("The log format is used but {0}.")]
    LogFormatNotSaved(String),
    #[error(
        "The file has no usage before today. Callboard leaves out today, whose usage is not complete yet, and later days."
    )]
    NothingBeforeToday,
    /// A live source failed before any of its data arrived (once it has, the banner says it).
    #[error("{0}")]
    LiveFailed(String),
    #[error("Your selection is shown but {0}.")]
    SelectionNotSaved(String),
    #[error("{}", .0.message())]
    StoredSelection(SelectionNotice),
    #[error("The demo data could not be built: {0}")]
    DemoFailed(String),
}

impl Notice {
    /// What kind it is: a new notice replaces the one of its kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::FileFailed { .. }
            | Notice::NeedsLogFormat { .. }
            | Notice::MappingNotSaved(_)
            | Notice::LogFormatNotSaved(_)
            | Notice::DemoFailed(_) => "load-error",
            Notice::NothingBeforeToday => "empty-notice",
            Notice::LiveFailed(_) => "live-failure",
            Notice::SelectionNotSaved(_) => "selection-not-saved",
            Notice::StoredSelection(_) => "stored-selection",
        }
    }

    /// The `data-testid` of its line.
    pub fn testid(&self) -> &'static str {
        match self {
            Notice::SelectionNotSaved(_) | Notice::StoredSelection(_) => "selection-notice",
            _ => self.kind(),
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Notice::FileFailed { .. }
                | Notice::NeedsLogFormat { .. }
                | Notice::MappingNotSaved(_)
                | Notice::LogFormatNotSaved(_)
                | Notice::LiveFailed(_)
                | Notice::DemoFailed(_)
        )
    }
}
