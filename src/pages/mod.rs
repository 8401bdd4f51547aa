//! Pages of the dashboard, one file each.

pub mod overview;
