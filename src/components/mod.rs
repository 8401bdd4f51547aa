//! Dashboard building blocks, one file each.

pub mod breakdown_card;
pub mod cards;
pub mod connect_dialog;
pub mod data_table;
pub mod date_range;
pub mod export;
pub mod file_open;
pub mod filter_pills;
pub mod kpi_tiles;
pub mod legend;
pub mod live_details;
pub mod log_format_dialog;
pub mod mapping_dialog;
pub mod misbehaving;
pub mod notices;
pub mod selection_dialog;
pub mod shortcuts;
pub mod source_banner;
pub mod theme;
