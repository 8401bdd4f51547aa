//! Fuzzes the log format parser and the lines read with it (see `usage_core::formats::log_format::fuzz_log_format`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usage_core::formats::log_format::fuzz_log_format(data));
