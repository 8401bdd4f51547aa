//! The ingest Web Worker: reads export files and live answers into a store, off the page's
//! thread. Everything lives in `callboard::ingest::worker`.

fn main() {
    console_error_panic_hook::set_once();
    callboard::ingest::worker::start();
}
