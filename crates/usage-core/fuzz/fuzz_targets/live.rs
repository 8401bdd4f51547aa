//! Fuzzes the pure steps of a live source: URL kinds, plans, Genesys polling answers and /meta (see `usage_core::rest::fuzz_live`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usage_core::rest::fuzz_live(data));
