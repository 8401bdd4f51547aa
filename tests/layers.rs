//! The app's layers, as lib.rs's module comment lists them: a module uses only modules of a
//! lower layer (charts only the core, the sources never the dashboard's state, a component
//! never a page), so `app → shell → pages → components → charts` holds, all over `state`.
//! The test reads the `crate::…` paths in every source file's code (its tests left out).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layers from lib.rs's table: `//! | 3 | `components` | …`.
fn layers(lib: &str) -> BTreeMap<String, u32> {
    let mut layers = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("//! |")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.first().map(|c| c.parse::<u32>()) else {
            continue;
        };
        for module in cells.get(1).copied().unwrap_or_default().split(',') {
            layers.insert(module.trim().trim_matches('`').to_owned(), layer);
        }
    }
    layers
}

/// The code of a file without its tests and comments.
fn code(text: &str) -> String {
    let code = text.find("#[cfg(test)]").map_or(text, |at| &text[..at]);
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `code` names: each `crate::name`, and each name in `crate::{…}`.
fn uses(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default().trim();
                if !name.is_empty() {
                    out.push(name.to_owned());
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
    }
    out
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn files(dir: &Path, module: Option<&str>, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let owner = module.map_or(name.clone(), str::to_owned);
        if path.is_dir() {
            files(&path, Some(&owner), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((owner, path));
        }
    }
}

// Guards the direction of the app's imports: a file that uses a module of its own layer or above
// fails, naming the file and the module.
#[test]
fn every_module_uses_only_lower_layers() {
    let lib = std::fs::read_to_string(source_dir().join("lib.rs")).expect("lib.rs");
    let layers = layers(&lib);
    assert!(layers.len() >= 10, "lib.rs's table lists the modules: {layers:?}");
    let mut all = Vec::new();
    files(&source_dir(), None, &mut all);
    let mut wrong = Vec::new();
    for (module, path) in &all {
        // The binaries and lib.rs stand above every layer.
        let Some(&own) = layers.get(module.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(path).expect("a source file");
        for used in uses(&code(&text)) {
            if used == *module {
                continue;
            }
            match layers.get(&used) {
                Some(&layer) if layer < own => {}
                Some(&layer) => wrong.push(format!(
                    "{} ({module}, layer {own}) uses {used} (layer {layer})",
                    path.display()
                )),
                None => wrong.push(format!(
                    "{} uses {used}, which lib.rs's table does not list",
                    path.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

// Guards the test itself: a use of a higher layer is seen in both spellings.
#[test]
fn uses_are_read_in_both_spellings() {
    let code = code("use crate::state::Dashboard;\nuse crate::{pages, sources::rest};\n// crate::shell\n");
    assert_eq!(uses(&code), ["state", "pages", "sources"]);
}
