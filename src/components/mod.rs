//! Dashboard building blocks, one file each.

pub mod clients_table;
pub mod connect_dialog;
pub mod date_range;
pub mod export;
pub mod file_open;
pub mod kpi_tiles;
pub mod legend;
pub mod live_details;
pub mod mapping_dialog;
pub mod selection_dialog;
