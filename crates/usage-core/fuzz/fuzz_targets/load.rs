//! Fuzzes a whole load (see `usage_core::load::fuzz_load`): sniffing, decoding, every reader and
//! duplicate detection, over several files.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usage_core::load::fuzz_load(data));
