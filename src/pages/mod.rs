//! Pages of the dashboard, one file each, chosen by the link's `view=`.

pub mod clients;
pub mod explore;
pub mod overview;
pub mod today;
pub mod urls;
