//! Reading files and answers into a store in a Web Worker, off the page's thread.
//!
//! The worker is its own WebAssembly module (`src/bin/ingest.rs`, built by trunk as a
//! `data-type="worker"` binary). It holds every export reader, so the page's first download
//! holds none: the demo dashboard never pays for them. See `protocol` for the messages.

pub mod live;
pub mod page;
pub mod protocol;
pub mod worker;
