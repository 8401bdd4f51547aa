//! Fuzzes the GenericJson reader: any bytes, fed in uneven chunks, must give records or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usage_core::StoreBuilder;
use usage_core::formats::{FileReader, Format};

fuzz_target!(|data: &[u8]| {
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::new(Format::GenericJson);
    // Chunk sizes from the first byte, so chunk borders land everywhere.
    let size = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for chunk in data.chunks(size) {
        if reader.feed(chunk, &mut builder).is_err() {
            return;
        }
    }
    let _ = reader.finish(&mut builder);
    let _ = builder.finish();
});
