//! Fuzzes the CallboardApi reader (see `usage_core::formats::fuzz_read`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usage_core::formats::fuzz_read(usage_core::formats::Format::CallboardApi, data));
