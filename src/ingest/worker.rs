//! The ingest worker's side: it waits for a job, reads the bytes (files from disk in 8 MiB slices,
//! gzip through the browser's own `DecompressionStream`, a live API's answers, the benchmark's
//! buffer), runs them through the core's [`Load`], and hands the finished store back to the page
//! as transferred typed arrays. Everything slow happens here, off the page's thread.

use js_sys::{Array, Function, Reflect, Uint8Array};
use usage_core::UsageStore;
use usage_core::load::{ContentHash, FileInfo, HEAD_BYTES, Load, LoadError, Loaded, Mappings};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::protocol::{
    Failure, Outcome, ReadFile, column_to_js, failure_to_js, get, header_to_js, kind_of, message, outcome_to_js,
};

/// Bytes read from disk and parsed per step.
const SLICE: f64 = 8.0 * 1024.0 * 1024.0;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &JsValue, transfer: Option<&Array>) {
    let _ = match transfer {
        Some(transfer) => scope().post_message_with_transfer(message, transfer),
        None => scope().post_message(message),
    };
}

/// Starts listening; the page waits for `ready` before it sends a job.
pub fn start() {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        wasm_bindgen_futures::spawn_local(run(event.data()));
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&message("ready", &[]), None);
}

async fn run(job: JsValue) {
    let result = match kind_of(&job).as_str() {
        "files" => load_files(&job).await,
        "buffer" => load_buffer(&job),
        "live" => fetch_live(&job).await,
        other => Err(Failure::Other(format!(
            "the reader was asked for “{other}”, which it does not do"
        ))),
    };
    match result {
        Ok((store, outcome)) => send_store(store, outcome),
        Err(failure) => post(&message("failed", &[("error", failure_to_js(&failure))]), None),
    }
}

/// Sends the store as transferred typed arrays, with what the load said.
fn send_store(store: UsageStore, outcome: Outcome) {
    let transfer = Array::new();
    let (header, columns) = store.into_parts();
    let header = header_to_js(header, &transfer);
    let js_columns = js_sys::Object::new();
    for column in &columns {
        super::protocol::set(&js_columns, column.name(), &column_to_js(column, &transfer));
    }
    drop(columns);
    let done = message(
        "done",
        &[
            ("header", header.into()),
            ("columns", js_columns.into()),
            ("outcome", outcome_to_js(&outcome)),
        ],
    );
    post(&done, Some(&transfer));
}

fn progress(file: &str, done: f64, total: f64) {
    post(
        &message(
            "progress",
            &[
                ("file", JsValue::from_str(file)),
                ("done", JsValue::from_f64(done)),
                ("total", JsValue::from_f64(total)),
            ],
        ),
        None,
    );
}

fn outcome_of(loaded: Loaded) -> (UsageStore, Outcome) {
    let Loaded {
        store,
        files,
        duplicates,
        mappings_used,
        log_formats_used,
    } = loaded;
    let files = files
        .into_iter()
        .map(|f| ReadFile {
            name: f.name,
            format: f.format.name().to_owned(),
            report: f.report,
        })
        .collect();
    let duplicates = duplicates.iter().map(|d| d.message()).collect();
    (
        store,
        Outcome {
            files,
            duplicates,
            mappings_used,
            log_formats_used,
            live: None,
        },
    )
}

async fn read_slice(file: &web_sys::File, start: f64, end: f64) -> Result<Vec<u8>, Failure> {
    let unreadable = || Failure::Other(format!("{} could not be read from disk", file.name()));
    let slice = file.slice_with_f64_and_f64(start, end).map_err(|_| unreadable())?;
    let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|_| unreadable())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The files of a job, with the names and sizes the page gave (its `File`s say them).
fn job_files(job: &JsValue) -> (Vec<web_sys::File>, Vec<FileInfo>) {
    let files: Vec<web_sys::File> = Array::from(&get(job, "files"))
        .iter()
        .filter_map(|f| f.dyn_into().ok())
        .collect();
    let sizes = Array::from(&get(job, "sizes"));
    let infos = files
        .iter()
        .enumerate()
        .map(|(i, f)| FileInfo {
            name: f.name(),
            size: sizes.get(i as u32).as_f64().unwrap_or(f.size()) as u64,
        })
        .collect();
    (files, infos)
}

async fn load_files(job: &JsValue) -> Result<(UsageStore, Outcome), Failure> {
    let (files, infos) = job_files(job);
    let mappings: Mappings = super::protocol::mappings_from_js(&get(job, "mappings"));
    // The teams' own log formats; one that no longer parses is passed over.
    let log_formats = super::protocol::strings_from_js(&get(job, "log_formats"))
        .iter()
        .filter_map(|text| usage_core::formats::log_format::LogFormat::parse(text).ok())
        .collect();
    let mut load = Load::new(infos, mappings)?.with_log_formats(log_formats);
    let sizes: Vec<f64> = files.iter().map(|f| f.size()).collect();
    let to_hash = load.to_hash();
    let total = sizes.iter().sum::<f64>() + to_hash.iter().map(|&i| sizes[i]).sum::<f64>();
    let mut done = 0.0;

    // Files that may be the same file twice are hashed first, so a copy is never read into the store.
    for &i in &to_hash {
        let mut hash = ContentHash::new();
        let mut offset = 0.0;
        while offset < sizes[i] {
            let end = (offset + SLICE).min(sizes[i]);
            hash.update(&read_slice(&files[i], offset, end).await?);
            offset = end;
            progress(
                &format!("{} (checking for copies)", files[i].name()),
                done + offset,
                total,
            );
        }
        done += sizes[i];
        load.set_hash(i, hash.finish());
    }

    for (i, file) in files.iter().enumerate() {
        if load.duplicate_of(i).is_some() {
            load.skip_duplicate(i);
            done += sizes[i];
            continue;
        }
        let head = read_slice(file, 0.0, sizes[i].min(HEAD_BYTES as f64)).await?;
        if head.starts_with(b"\x1f\x8b") {
            read_gzip(&mut load, i, file, sizes[i], done, total).await?;
        } else {
            // The encoding and format come from the content, not the file name.
            load.begin(i, &head)?;
            let mut offset = 0.0;
            while offset < sizes[i] {
                let end = (offset + SLICE).min(sizes[i]);
                load.feed(&read_slice(file, offset, end).await?)?;
                offset = end;
                // Too big for the tab? Judged from the size and the first rows, before it is too late.
                load.check_size(offset as u64)?;
                progress(&file.name(), done + offset, total);
            }
        }
        done += sizes[i];
        load.end()?;
    }
    Ok(outcome_of(load.finish()))
}

/// A gzip file, decompressed as it streams by the browser (`DecompressionStream`), so it costs no
/// wasm. Progress and the size estimate follow the compressed bytes read.
async fn read_gzip(
    load: &mut Load,
    i: usize,
    file: &web_sys::File,
    size: f64,
    done: f64,
    total: f64,
) -> Result<(), Failure> {
    let name = file.name();
    let broken = |what: &str| Failure::Other(format!("{name}: the gzip data is broken ({what})"));
    let stream = decompression_stream().map_err(|_| {
        Failure::Other("this browser cannot decompress gzip (no DecompressionStream); decompress the file first".into())
    })?;
    let writable: web_sys::WritableStream = Reflect::get(&stream, &"writable".into())
        .ok()
        .and_then(|w| w.dyn_into().ok())
        .ok_or_else(|| broken("no writable side"))?;
    let readable: web_sys::ReadableStream = Reflect::get(&stream, &"readable".into())
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or_else(|| broken("no readable side"))?;
    let writer = writable.get_writer().map_err(|_| broken("no writer"))?;
    let consumed = std::rc::Rc::new(std::cell::Cell::new(0.0));
    // Compressed slices go in on their own task, so that reading the output never waits on input.
    {
        let (file, consumed) = (file.clone(), consumed.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let mut offset = 0.0;
            while offset < size {
                let end = (offset + SLICE).min(size);
                let Ok(bytes) = read_slice(&file, offset, end).await else {
                    break;
                };
                if JsFuture::from(writer.write_with_chunk(&Uint8Array::from(bytes.as_slice())))
                    .await
                    .is_err()
                {
                    return;
                }
                offset = end;
                consumed.set(offset);
            }
            let _ = JsFuture::from(writer.close()).await;
        });
    }
    let reader = web_sys::ReadableStreamDefaultReader::new(&readable).map_err(|_| broken("no reader"))?;
    let mut head: Vec<u8> = Vec::new();
    let mut begun = false;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| broken(&e.as_string().unwrap_or_else(|| "corrupt or cut off".into())))?;
        let finished = Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if !finished {
            let chunk = Reflect::get(&step, &"value".into())
                .map(|v| Uint8Array::new(&v).to_vec())
                .unwrap_or_default();
            if begun {
                load.feed(&chunk)?;
            } else {
                head.extend_from_slice(&chunk);
            }
        }
        // The decompressed head (64 KiB) says what the file is.
        if !begun && (head.len() as u64 >= HEAD_BYTES || finished) {
            if head.is_empty() {
                return Err(LoadError::EmptyFile { name }.into());
            }
            load.begin(i, &head[..head.len().min(HEAD_BYTES as usize)])?;
            load.feed(&head)?;
            head = Vec::new();
            begun = true;
        }
        // Judged against the compressed bytes taken so far; none yet means nothing to judge by.
        if begun && consumed.get() > 0.0 {
            load.check_size(consumed.get() as u64)?;
        }
        progress(&name, done + consumed.get(), total);
        if finished {
            return Ok(());
        }
    }
}

fn decompression_stream() -> Result<JsValue, JsValue> {
    let constructor: Function = Reflect::get(&js_sys::global(), &"DecompressionStream".into())?.dyn_into()?;
    Reflect::construct(&constructor, &Array::of1(&"gzip".into()))
}

/// The benchmark's file, already in memory (in JS): the same load as a file from disk, a slice
/// at a time, so the file is never copied whole into this module's memory (173 MB at 1M rows,
/// which a WebAssembly memory keeps until the worker ends).
fn load_buffer(job: &JsValue) -> Result<(UsageStore, Outcome), Failure> {
    let bytes = Uint8Array::new(&get(job, "buffer"));
    let size = bytes.length();
    let name = get(job, "name").as_string().unwrap_or_else(|| "data".into());
    let mut load = Load::new(
        vec![FileInfo {
            name,
            size: u64::from(size),
        }],
        Mappings::new(),
    )?;
    let mut slice = vec![0u8; (SLICE as u32).min(size) as usize];
    let read = |slice: &mut Vec<u8>, start: u32, end: u32| {
        slice.resize((end - start) as usize, 0);
        bytes.subarray(start, end).copy_to(slice);
    };
    read(&mut slice, 0, size.min(HEAD_BYTES as u32));
    load.begin(0, &slice)?;
    let mut offset = 0;
    while offset < size {
        let end = offset.saturating_add(SLICE as u32).min(size);
        read(&mut slice, offset, end);
        load.feed(&slice)?;
        load.check_size(u64::from(end))?;
        offset = end;
    }
    load.end()?;
    Ok(outcome_of(load.finish()))
}

/// A live API: fetched and read here, so none of it blocks the page; progress is the bytes received.
async fn fetch_live(job: &JsValue) -> Result<(UsageStore, Outcome), Failure> {
    let text = |key: &str| get(job, key).as_string().unwrap_or_default();
    let day = |key: &str| usage_core::format::parse_iso_date(&text(key));
    let (Some(from), Some(to), Some(today)) = (day("from"), day("to"), day("today")) else {
        return Err(Failure::Other(
            "the live source was asked for a range that is not one".into(),
        ));
    };
    let range = usage_core::DateRange::new(from, to, today);
    let on_progress: super::live::OnProgress = std::rc::Rc::new(|bytes| progress("", bytes as f64, 0.0));
    // The link's filters, as `dimension:key`: a server that applies filters itself gets them.
    let filters: Vec<usage_core::Filter> = super::protocol::strings_from_js(&get(job, "filters"))
        .iter()
        .filter_map(|f| {
            f.split_once(':').and_then(|(d, key)| {
                Some(usage_core::Filter {
                    dimension: usage_core::Dimension::parse(d)?,
                    key: key.to_owned(),
                })
            })
        })
        .collect();
    let granularity = usage_core::Granularity::parse(&text("granularity"));
    let kind = usage_core::rest::SourceKind::parse(&text("source_kind")).unwrap_or_default();
    // What the view's widgets show (ClickHouse answers each grouping that no other holds in a
    // query of its own).
    let groupings: Vec<usage_core::query::Grouping> = js_sys::Array::from(&get(job, "groupings"))
        .iter()
        .filter_map(|g| g.as_f64())
        .filter_map(|g| u8::try_from(g as u32).ok())
        .filter_map(usage_core::query::Grouping::from_bits)
        .collect();
    // The zone ClickHouse counts on, and its offsets as [instant, offset, …] (UTC when absent).
    let zone = get(job, "zone").as_string();
    let offsets = get(job, "offsets");
    let numbers: Vec<f64> = if js_sys::Array::is_array(&offsets) {
        js_sys::Array::from(&offsets)
            .iter()
            .filter_map(|n| n.as_f64())
            .collect()
    } else {
        Vec::new()
    };
    let offsets = match numbers.as_slice() {
        [] => usage_core::zone::Offsets::utc(),
        numbers => usage_core::zone::Offsets::from_changes(
            numbers
                .chunks_exact(2)
                .map(|pair| (pair[0] as i64, pair[1] as i32))
                .collect(),
        ),
    };
    let before = match (day("before_from"), day("before_to")) {
        (Some(from), Some(to)) => Some(usage_core::DateRange::new(from, to, today)),
        _ => None,
    };
    // The latencies the view's widgets show (ClickHouse).
    let latency = usage_core::clickhouse::LatencyAsk::parse(&text("latency"));
    let window = text("window").split_once(' ').and_then(|(start, end)| {
        Some(usage_core::zone::Window {
            start: start.parse().ok()?,
            end: end.parse().ok()?,
        })
    });
    let asked = super::live::Asked {
        source: &text("source"),
        kind,
        range: &range,
        granularity,
        filters: &filters,
        groupings: &groupings,
        zone: zone.as_deref(),
        offsets: &offsets,
        before,
        latency,
        window,
        session: &text("session"),
        fetch: get(job, "fetch").as_f64().unwrap_or(0.0) as u32,
        latency_only: get(job, "latency_only").as_bool().unwrap_or(false),
    };
    let (store, live) = super::live::fetch(&asked, get(job, "token").as_string(), on_progress)
        .await
        .map_err(|e| Failure::Other(e.message()))?;
    Ok((
        store,
        Outcome {
            live: Some(live),
            ..Outcome::default()
        },
    ))
}
