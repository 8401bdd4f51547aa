//! Fuzzes format detection: any first bytes give a format or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = usage_core::formats::detect(data);
});
