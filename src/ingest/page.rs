//! The page's side of the ingest worker: start it (its module is fetched on first use, or
//! prefetched when the page is idle), send it a job, follow its progress, and put the store it
//! hands back together one column at a time, giving the page a turn between columns.
//!
//! Cancel terminates the worker at once. A worker that dies (out of memory, a panic) ends the job
//! with a message, and the data on screen stays as it was.

use std::cell::RefCell;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Array, Object};
use usage_core::UsageStore;
use usage_core::parts::{Assembler, Column};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::protocol::{
    Failure, Outcome, column_from_js, failure_from_js, get, header_from_js, kind_of, outcome_from_js,
};

/// What the page hears from a worker.
enum Event {
    Message(JsValue),
    Crashed(String),
    Cancelled,
}

/// How far a job has got.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub file: String,
    pub done: f64,
    pub total: f64,
}

/// The worker of a running job, and where to say that it was cancelled.
type Running = Option<(Worker, mpsc::UnboundedSender<Event>)>;

/// Stops a running job: the worker is terminated at once.
#[derive(Clone, Default)]
pub struct Cancel(Rc<RefCell<Running>>);

impl Cancel {
    pub fn cancel(&self) {
        if let Some((worker, events)) = self.0.borrow_mut().take() {
            worker.terminate();
            let _ = events.unbounded_send(Event::Cancelled);
        }
    }
}

/// The address of the worker's loader script: the build writes its hashed name into a
/// `<meta name="callboard-ingest">`; without one (a debug build) it has trunk's name.
pub fn worker_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=callboard-ingest]").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .filter(|name| !name.is_empty() && !name.contains(':') && !name.starts_with('/'))
        .unwrap_or_else(|| "ingest_loader.js".to_owned())
}

/// Fetches the worker's files while the page is idle, so the first file opens without waiting
/// for them (and an offline visit has them cached).
pub fn prefetch() {
    let Some(window) = web_sys::window() else { return };
    let fetch = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let loader = worker_url();
            for url in [
                loader.clone(),
                loader.replace("_loader.js", ".js"),
                loader.replace("_loader.js", "_bg.wasm"),
            ] {
                let _ = window.fetch_with_str(&url);
            }
        }
    });
    // requestIdleCallback where there is one, else a little after load.
    let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(request) => {
            let _ = request.call1(&window, &fetch);
        }
        None => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(fetch.unchecked_ref(), 2_000);
        }
    }
}

/// Gives the page a turn, so it can paint and handle input between two pieces of work:
/// `scheduler.yield()` where the browser has it (no timer clamping), else a zero-delay timeout.
pub async fn yield_to_page() {
    let global = js_sys::global();
    let scheduler = js_sys::Reflect::get(&global, &JsValue::from_str("scheduler")).unwrap_or(JsValue::UNDEFINED);
    let yield_fn = js_sys::Reflect::get(&scheduler, &JsValue::from_str("yield"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let promise = match yield_fn
        .and_then(|f| f.call0(&scheduler).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    {
        Some(promise) => promise,
        None => js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(&resolve);
            }
        }),
    };
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs one job in a new worker: `job` is posted with `transfer`'s buffers moved, not copied.
/// The worker is terminated when the job ends, which frees all of its memory.
pub async fn run(
    job: Object,
    transfer: Array,
    on_progress: impl Fn(Progress),
    cancel: &Cancel,
) -> Result<(UsageStore, Outcome), Failure> {
    let worker =
        Worker::new(&worker_url()).map_err(|_| Failure::Other("the file reader could not be started".into()))?;
    let (sender, mut events) = mpsc::unbounded::<Event>();
    let on_message = {
        let sender = sender.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let _ = sender.unbounded_send(Event::Message(event.data()));
        })
    };
    let on_error = {
        let sender = sender.clone();
        Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let _ = sender.unbounded_send(Event::Crashed(event.message()));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    *cancel.0.borrow_mut() = Some((worker.clone(), sender));
    let outcome = follow(&worker, job, transfer, &mut events, &on_progress).await;
    worker.terminate();
    cancel.0.borrow_mut().take();
    // The handlers may only go once the worker can no longer call them.
    worker.set_onmessage(None);
    worker.set_onerror(None);
    drop((on_message, on_error));
    outcome
}

async fn follow(
    worker: &Worker,
    job: Object,
    transfer: Array,
    events: &mut mpsc::UnboundedReceiver<Event>,
    on_progress: &impl Fn(Progress),
) -> Result<(UsageStore, Outcome), Failure> {
    let mut job = Some((job, transfer));
    while let Some(event) = events.next().await {
        let data = match event {
            Event::Message(data) => data,
            Event::Cancelled => return Err(Failure::Other("the load was cancelled".into())),
            Event::Crashed(reason) => {
                return Err(Failure::Other(format!(
                    "the file reader stopped unexpectedly ({}); the file may be too large for this tab's memory",
                    if reason.is_empty() {
                        "no reason given".to_owned()
                    } else {
                        reason
                    }
                )));
            }
        };
        match kind_of(&data).as_str() {
            // The worker listens now: hand it the job.
            "ready" => {
                if let Some((job, transfer)) = job.take() {
                    worker
                        .post_message_with_transfer(&job, &transfer)
                        .map_err(|_| Failure::Other("the job could not be handed to the file reader".into()))?;
                }
            }
            "progress" => on_progress(Progress {
                file: get(&data, "file").as_string().unwrap_or_default(),
                done: get(&data, "done").as_f64().unwrap_or(0.0),
                total: get(&data, "total").as_f64().unwrap_or(0.0),
            }),
            "failed" => return Err(failure_from_js(&get(&data, "error"))),
            "done" => {
                // The worker's memory can go before the page copies the columns in.
                worker.terminate();
                return assemble(&data).await;
            }
            _ => {}
        }
    }
    Err(Failure::Other("the file reader went away".into()))
}

/// Puts the store back together from a `done` message, one column per turn of the page.
async fn assemble(data: &JsValue) -> Result<(UsageStore, Outcome), Failure> {
    let broken =
        |e: usage_core::parts::PartsError| Failure::Other(format!("the file reader handed back a broken store ({e})"));
    let header = header_from_js(&get(data, "header")).map_err(broken)?;
    let mut assembler = Assembler::new(header).map_err(broken)?;
    let columns = get(data, "columns");
    for name in Column::NAMES {
        yield_to_page().await;
        let column = column_from_js(name, &get(&columns, name))
            .ok_or_else(|| broken(usage_core::parts::PartsError::Missing(name)))?;
        assembler.add(column).map_err(broken)?;
    }
    let store = assembler.finish().map_err(broken)?;
    let outcome = outcome_from_js(&get(data, "outcome"));
    Ok((store, outcome))
}
