//! The core's layers, as lib.rs's module comment lists them: a module uses only modules of its
//! own layer or below (a leaf only other leaves), and no modules use each other in a circle.
//! The test reads the `crate::…` paths of every source file's code (its tests left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layers from lib.rs's table: `//! | 3 | store | …`, each module with its layer's number.
fn layers(lib: &str) -> BTreeMap<String, u32> {
    let mut layers = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("//! |")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells
            .first()
            .map(|c| c.split(',').next().unwrap_or_default().parse::<u32>())
        else {
            continue;
        };
        for module in cells.get(1).copied().unwrap_or_default().split(',') {
            layers.insert(module.trim().trim_matches('`').to_owned(), layer);
        }
    }
    layers
}

/// The names lib.rs re-exports, by the module they come from (`UsageStore` → `store`).
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.trim().strip_prefix("pub use ")) {
        let line = line.trim_end_matches(';');
        let module = line.split("::").next().unwrap_or_default().to_owned();
        let items = match line.split_once('{') {
            Some((_, items)) => items.trim_end_matches('}').to_owned(),
            None => line.rsplit("::").next().unwrap_or_default().to_owned(),
        };
        for item in items.split(',') {
            let name = item.split(" as ").last().unwrap_or_default().trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.clone());
            }
        }
    }
    names
}

/// The code of a file without its tests (everything from its first `#[cfg(test)]` on) and
/// without comments: a doc link is no use.
fn code(text: &str) -> String {
    let code = text.find("#[cfg(test)]").map_or(text, |at| &text[..at]);
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate's modules `code` uses: each `crate::name` path, and each name in `crate::{…}`.
fn used(code: &str, reexports: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut add = |name: &str| {
        let name = name.trim();
        let module = reexports.get(name).cloned().unwrap_or_else(|| name.to_owned());
        if !module.is_empty() {
            used.insert(module);
        }
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            group
                .split('}')
                .next()
                .unwrap_or_default()
                .split(',')
                .for_each(|item| add(item.split("::").next().unwrap_or_default()));
        } else {
            add(&rest[..rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())]);
        }
    }
    used
}

/// Every source file but lib.rs, by the top module it belongs to (`store/parts.rs` → `store`).
fn modules() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let mut folders = vec![source_dir()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "lib.rs") {
                let relative = path.strip_prefix(source_dir()).expect("inside src");
                let top = relative
                    .components()
                    .next()
                    .and_then(|c| c.as_os_str().to_str())
                    .unwrap_or_default()
                    .trim_end_matches(".rs")
                    .to_owned();
                files.push((top, path));
            }
        }
    }
    files.sort();
    files
}

/// Which top modules use which (a module's own files are one module).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(source_dir().join("lib.rs")).expect("lib.rs");
    let reexports = reexports(&lib);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (top, path) in modules() {
        let text = std::fs::read_to_string(&path).expect("a source file");
        let uses = graph.entry(top.clone()).or_default();
        uses.extend(used(&code(&text), &reexports).into_iter().filter(|m| *m != top));
    }
    graph
}

// Guards the direction of the core: a module that uses one above its layer, or a module that no
// layer lists, fails with its name. A new module goes into lib.rs's table.
#[test]
fn no_module_uses_one_above_it() {
    let lib = std::fs::read_to_string(source_dir().join("lib.rs")).expect("lib.rs");
    let layers = layers(&lib);
    assert!(layers.len() >= 20, "lib.rs's table of layers was not read: {layers:?}");
    let mut wrong = Vec::new();
    for (module, uses) in graph() {
        let Some(&layer) = layers.get(&module) else {
            wrong.push(format!("{module} is in no layer of lib.rs's table"));
            continue;
        };
        for used in uses {
            match layers.get(&used) {
                None => wrong.push(format!("{module} uses {used}, which is in no layer")),
                Some(&below) if below > layer || (layer == 0 && below != 0) => {
                    wrong.push(format!("{module} (layer {layer}) uses {used} (layer {below})"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// Guards against modules that use each other in a circle, within a layer as across layers.
#[test]
fn no_modules_use_each_other_in_a_circle() {
    let graph = graph();
    // Depth-first, a module on the current path reached again is a circle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            return Some(path[at..].iter().chain([&module]).map(|m| m.to_string()).collect());
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for used in graph.get(module).into_iter().flatten() {
            if let Some(circle) = visit(used, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(circle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("modules that use each other in a circle: {}", circle.join(" → "));
        }
    }
}

// Guards the test itself: it finds a use of a module above, through a path and through the
// crate root's re-exports alike, and neither a doc link nor a test counts.
#[test]
fn the_reader_finds_uses() {
    let reexports = reexports("pub use store::{StoreBuilder, UsageStore};\npub use model::UsageRecord;");
    let code = "use crate::query::Dimension;\n/// [`crate::zone`]\nuse crate::{UsageStore, format};\nfn f() { crate::view::write_query(&[]); }\n#[cfg(test)]\nmod tests { use crate::demo; }";
    let found: Vec<String> = used(&self::code(code), &reexports).into_iter().collect();
    assert_eq!(found, ["format", "query", "store", "view"]);
    assert_eq!(
        layers("//! | layer | modules |\n//! |---|---|\n//! | 0, leaves | `model`, `status` |\n//! | 2 | `range` |")
            .get("range"),
        Some(&2)
    );
}
