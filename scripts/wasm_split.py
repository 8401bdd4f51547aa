"""Splits the page's WebAssembly in two, so the first download holds only what the demo dashboard
needs to show (issue 11: at most 300 KiB gzip). Trunk cannot split a wasm module
(trunk-rs/trunk#1022); binaryen's wasm-split can.

- The *first-paint* module keeps every function named in scripts/first-paint.txt: the functions
  the page ran while it showed the demo overview, recorded by scripts/first-paint.sh.
- The *deferred* module holds every other function (the other views, dialogs, live sources, …).
  The page fetches it as soon as the app has started, and holds the user's input meanwhile (then
  replays it). Any other call that reaches it before then goes through a placeholder, which loads
  it at once (a synchronous request) and then makes the call.

The first-paint module's imports get short names (2,000 placeholders and wasm-bindgen's hashed
names were 11.6 KiB of gzip), and the glue is minified with esbuild.

wasm-split is binaryen 108's, from Debian's package, unpacked into tools/binaryen-108 by
scripts/setup.sh (npm's binaryen 132 lacks the tool). It only moves functions; every optimisation
is done before, by trunk's wasm-opt 132 (108's wasm-opt emits wasm that crashes at load).
108 has one bug that matters here, corrected by `fix_externref_export`.

Used by post_build.py (`split_page`), and by first-paint.sh:
  python3 scripts/wasm_split.py instrument IN.wasm OUT.wasm
  python3 scripts/wasm_split.py names-called NAMES.wasm PROFILE... > scripts/first-paint.txt
"""
import base64
import hashlib
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
KEEP_LIST = ROOT / "scripts" / "first-paint.txt"
WASM_SPLIT = ROOT / "tools" / "binaryen-108" / "usr" / "bin" / "wasm-split"
ESBUILD = ROOT / "tools" / "esbuild" / "node_modules" / ".bin" / "esbuild"
# libbinaryen.so, under the package's multiarch folder (x86_64-linux-gnu, aarch64-linux-gnu, …).
WASM_SPLIT_LIBS = next((ROOT / "tools" / "binaryen-108" / "usr" / "lib").glob("*/libbinaryen.so"), pathlib.Path("/nonexistent")).parent


def leb(data: bytes, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 at `pos`: (value, position after it)."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def sections(data: bytes):
    """(id, start, end) of each section's contents."""
    if data[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    pos = 8
    while pos < len(data):
        size, start = leb(data, pos + 1)
        yield data[pos], start, start + size
        pos = start + size


def name_at(data: bytes, pos: int) -> tuple[str, int]:
    length, pos = leb(data, pos)
    return data[pos : pos + length].decode("utf-8", "replace"), pos + length


def import_entries(data: bytes):
    """(module, field, kind, description's start, its end) of each import."""
    for sid, start, _ in sections(data):
        if sid != 2:
            continue
        count, pos = leb(data, start)
        for _ in range(count):
            module, pos = name_at(data, pos)
            field, pos = name_at(data, pos)
            described = pos
            kind = data[pos]
            pos += 1
            if kind == 0:  # function: type index
                _, pos = leb(data, pos)
            elif kind == 1:  # table: reftype, limits
                pos = limits_end(data, pos + 1)
            elif kind == 2:  # memory: limits
                pos = limits_end(data, pos)
            elif kind == 3:  # global: valtype, mutability
                pos += 2
            else:
                raise ValueError(f"import kind {kind} is not one this script reads")
            yield module, field, kind, described, pos


def imports(data: bytes) -> tuple[int, int]:
    """How many functions and tables the module imports (they come first in their index spaces)."""
    kinds = [kind for _, _, kind, _, _ in import_entries(data)]
    return kinds.count(0), kinds.count(1)


def defined_functions(data: bytes) -> int:
    """How many functions the module defines (its function section's count)."""
    return next(leb(data, start)[0] for sid, start, _ in sections(data) if sid == 3)


def short_hash(*parts: bytes) -> str:
    """16 hex digits of the SHA-256 of `parts`: the hash in a file name."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:16]


def limits_end(data: bytes, pos: int) -> int:
    flags = data[pos]
    _, pos = leb(data, pos + 1)
    if flags & 1:
        _, pos = leb(data, pos)
    return pos


def function_names(data: bytes) -> dict[int, str]:
    """Function index → name, from the "name" custom section (empty if there is none)."""
    names: dict[int, str] = {}
    for sid, start, end in sections(data):
        if sid != 0:
            continue
        section, pos = name_at(data, start)
        if section != "name":
            continue
        while pos < end:
            sub = data[pos]
            size, pos = leb(data, pos + 1)
            if sub == 1:
                count, p = leb(data, pos)
                for _ in range(count):
                    index, p = leb(data, p)
                    names[index], p = name_at(data, p)
            pos += size
    return names


def normal(name: str) -> str:
    """A function's name without the `.N` that wasm-opt appends to tell apart copies of one function
    (their numbers follow the build's function order). Rust's own symbol hashes stay: they tell
    generic instances and closures apart, and do not change when unrelated code does."""
    return re.sub(r"\.[0-9]+$", "", name)


ID_CHARS = set(b"!#$%&'*+-./:<=>?@^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def binaryen_name(name: str) -> str:
    """The name binaryen 108 gives a function named `name` in the name section: a byte that the
    text format does not allow in an identifier becomes `\\xx` (lowercase hex)."""
    raw = name.encode()
    if all(b in ID_CHARS for b in raw):
        return name
    return "".join(chr(b) if b in ID_CHARS else f"\\{b:02x}" for b in raw)


def fix_externref_export(data: bytes) -> bytes:
    """wasm-split 108 rewrites every table export to table 0, so wasm-bindgen's
    `__wbindgen_externrefs` (table 1, of externref) would name the function table, and the page
    stops at its first `Table.set`. Point it back at the module's externref table."""
    _, imported_tables = imports(data)
    externref = None
    out = bytearray(data)
    for sid, start, _ in sections(data):
        if sid == 4:
            count, pos = leb(data, start)
            for i in range(count):
                if data[pos] == 0x6F:
                    externref = imported_tables + i
                pos = limits_end(data, pos + 1)
        if sid == 7:
            if externref is None:
                raise ValueError("no externref table before the exports")
            count, pos = leb(data, start)
            for _ in range(count):
                name, pos = name_at(data, pos)
                kind = data[pos]
                index, after = leb(data, pos + 1)
                if kind == 1 and name == "__wbindgen_externrefs" and index != externref:
                    if after - pos != 2 or externref > 0x7F:
                        raise ValueError("the externref table's export cannot be patched in place")
                    out[pos + 1] = externref
                pos = after
    return bytes(out)


def uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def short_names():
    """a, b, …, Z, aa, ab, …: import names for the first download."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for length in (1, 2, 3):
        for i in range(len(letters) ** length):
            name, n = "", i
            for _ in range(length):
                name, n = letters[n % len(letters)] + name, n // len(letters)
            yield name


def shorten_imports(data: bytes) -> tuple[bytes, dict[str, str]]:
    """The module with short import names: wasm-bindgen's "./callboard_bg.js" module becomes "w"
    and its 288 `__wbg_…_<hash>` names one to three letters; wasm-split's "placeholder" module
    becomes "p" (its names are table slots). With 2,000 placeholders, 6 KiB less to download.
    Gives the renaming of wasm-bindgen's names, for the glue."""
    renamed: dict[str, str] = {}
    short = short_names()
    out = bytearray(data[:8])
    for sid, start, end in sections(data):
        body = data[start:end]
        if sid == 2:
            entries = list(import_entries(data))
            new = bytearray(uleb(len(entries)))
            for module, field, _, described, end_of_entry in entries:
                if module == "placeholder":
                    module = "p"
                elif module == "./callboard_bg.js":
                    module, field = "w", renamed.setdefault(field, next(short))
                for text in (module, field):
                    new += uleb(len(text.encode())) + text.encode()
                new += data[described:end_of_entry]
            body = bytes(new)
        out += bytes([sid]) + uleb(len(body)) + body
    return bytes(out), renamed


def wasm_split(*args: str) -> None:
    if not WASM_SPLIT.exists():
        raise FileNotFoundError(f"{WASM_SPLIT} is missing: run `source scripts/setup.sh`")
    env = {"LD_LIBRARY_PATH": str(WASM_SPLIT_LIBS), "PATH": "/usr/bin:/bin"}
    subprocess.run([str(WASM_SPLIT), "--all-features", "--quiet", *args], check=True, env=env)


def integrity(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


# Appended to wasm-bindgen's JS glue (an ES module; `wasm` is its primary module's exports).
LOADER = """
// Added by scripts/wasm_split.py: the deferred part of the page's WebAssembly.
const __callboard_deferred = { url: new URL('./__NAME__', import.meta.url), module: null, instance: null, fetching: null, early: 0, failed: null };
function __callboard_deferred_ready() {
    if (__callboard_deferred.instance) return;
    try {
        if (!__callboard_deferred.module) {
            // Needed before the fetch begun at start-up finished: load it now. A synchronous request
            // cannot ask for an ArrayBuffer on a page, so the bytes come as "user-defined" charset
            // text (each char's low byte is the file's byte).
            __callboard_deferred.early += 1;
            const request = new XMLHttpRequest();
            request.open('GET', __callboard_deferred.url, false);
            request.overrideMimeType('text/plain; charset=x-user-defined');
            request.send();
            if (request.status !== 200) throw new Error('HTTP ' + request.status);
            const text = request.responseText, bytes = new Uint8Array(text.length);
            for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
            __callboard_deferred.module = new WebAssembly.Module(bytes);
        }
        __callboard_deferred.instance = new WebAssembly.Instance(__callboard_deferred.module, { primary: wasm });
    } catch (error) {
        if (!__callboard_deferred.failed) {
            __callboard_deferred.failed = String(error);
            const message = document.createElement('p');
            message.className = 'startup-failure';
            message.setAttribute('data-testid', 'startup-failure');
            message.setAttribute('role', 'alert');
            message.textContent = 'Part of Callboard could not load (' + error + '). Check the connection and reload the page.';
            document.body.append(message);
        }
        throw error;
    }
}
const __callboard_placeholders = new Proxy({}, {
    get: (_, index) => (...args) => { __callboard_deferred_ready(); return wasm.table.get(Number(index))(...args); },
});
// While the deferred module is on its way, the user's input is held, then replayed once it is
// linked: a click in the first moments then neither waits on a synchronous request nor fails
// offline (no service worker sees a synchronous request, crbug.com/602051).
// Pointer movement meanwhile is dropped (a tooltip follows the next move).
const __callboard_held_types = ['click', 'input', 'change', 'submit', 'keydown', 'drop'];
const __callboard_dropped_types = ['mousemove', 'mouseover', 'mouseout', 'mouseenter', 'mouseleave', 'pointermove', 'dragenter', 'dragover', 'dragleave', 'keyup'];
const __callboard_held = [];
function __callboard_hold(event) {
    if (!event.isTrusted) return;
    event.stopImmediatePropagation();
    if (!__callboard_held_types.includes(event.type)) return;
    if (event.type === 'click' || event.type === 'submit' || event.type === 'drop') event.preventDefault();
    // A drop's files are readable only during the event.
    __callboard_held.push([event, event.type === 'drop' ? [...(event.dataTransfer?.files ?? [])] : null]);
}
function __callboard_replay() {
    for (const type of [...__callboard_held_types, ...__callboard_dropped_types]) removeEventListener(type, __callboard_hold, true);
    for (const [event, files] of __callboard_held.splice(0)) {
        const target = event.target;
        if (event.type === 'click') target.click?.();
        else if (event.type === 'submit') target.requestSubmit?.();
        else if (event.type === 'keydown') target.dispatchEvent(new KeyboardEvent('keydown', event));
        else if (event.type === 'drop') {
            const transfer = new DataTransfer();
            for (const file of files) transfer.items.add(file);
            target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        } else target.dispatchEvent(new Event(event.type, { bubbles: true }));
    }
}
/** Fetches, compiles and links the deferred module; the start-up script calls it once the app runs. */
export function callboard_prefetch_deferred() {
    if (__callboard_deferred.fetching || __callboard_deferred.instance) return __callboard_deferred.fetching;
    for (const type of [...__callboard_held_types, ...__callboard_dropped_types]) addEventListener(type, __callboard_hold, true);
    __callboard_deferred.fetching = fetch(__callboard_deferred.url)
        .then((response) => { if (!response.ok) throw new Error('HTTP ' + response.status); return response.arrayBuffer(); })
        .then((buffer) => WebAssembly.compile(buffer))
        .then((module) => { __callboard_deferred.module ??= module; __callboard_deferred_ready(); })
        .catch(() => {}) // The first call that needs it tries again, and says what failed.
        .finally(__callboard_replay);
    return __callboard_deferred.fetching;
}
/** For the tests and benchmarks: whether the deferred module is linked, and how often it was needed early. */
export function callboard_deferred_state() {
    return { loaded: !!__callboard_deferred.instance, early: __callboard_deferred.early, failed: __callboard_deferred.failed, held: __callboard_held.length };
}
"""


def split_page(out: pathlib.Path, html: str) -> str:
    """Splits dist's page wasm (built with names: index.html passes wasm-opt `-g`) into the
    first-paint module and a deferred one, with short import names; patches the JS glue to match
    and to load the latter, and minifies it; names the files from their contents; and returns
    index.html with the new names and integrity."""
    (glue,) = out.glob("callboard-*.js")
    (page,) = out.glob("callboard-*_bg.wasm")
    data = page.read_bytes()
    names = function_names(data)
    if not names:
        raise ValueError(f"{page.name} has no function names; index.html must pass wasm-opt -g")
    wanted = {line for line in KEEP_LIST.read_text().splitlines() if line and not line.startswith("#")}
    imported, _ = imports(data)
    defined = defined_functions(data)
    # Functions without a name (wasm-bindgen's glue shims, placed last) are all kept: they are small,
    # most run at start-up, and binaryen names them by their index among defined functions, which no list
    # can follow across builds.
    keep = [
        binaryen_name(names[index]) if index in names else str(index - imported)
        for index in range(imported, imported + defined)
        if index not in names or normal(names[index]) in wanted
    ]
    with tempfile.TemporaryDirectory() as tmp:
        listed, first, deferred = (pathlib.Path(tmp) / n for n in ("keep.txt", "first.wasm", "deferred.wasm"))
        listed.write_text("".join(name + "\n" for name in keep))
        wasm_split(f"--keep-funcs=@{listed}", str(page), "-o1", str(first), "-o2", str(deferred))
        first_bytes, renamed = shorten_imports(fix_externref_export(first.read_bytes()))
        deferred_bytes = deferred.read_bytes()
    deferred_name = f"callboard-{short_hash(deferred_bytes)}_deferred.wasm"
    (out / deferred_name).write_bytes(deferred_bytes)
    page.write_bytes(first_bytes)

    js = glue.read_text()
    table = '        "./callboard_bg.js": import0,\n    };'
    if js.count(table) != 1:
        raise ValueError("wasm-bindgen's import object is not where this script expects it")
    js = js.replace(table, '        w: import0,\n        p: __callboard_placeholders,\n    };')
    for long, short in renamed.items():
        key = re.compile(r"\b" + re.escape(long) + r"\b")
        if len(key.findall(js)) != 1:
            raise ValueError(f"the glue does not name the import {long} once")
        js = key.sub(short, js)
    js += LOADER.replace("__NAME__", deferred_name)
    glue.write_text(js)
    # Minified: wasm-bindgen writes readable glue (10 KiB gzip here, 7 minified).
    if not ESBUILD.exists():
        raise FileNotFoundError(f"{ESBUILD} is missing: run `source scripts/setup.sh`")
    subprocess.run([str(ESBUILD), str(glue), "--minify", "--format=esm", "--log-level=warning", f"--outfile={glue}", "--allow-overwrite"], check=True)

    # New names from the new contents: trunk's hash is of the whole module, and the split also
    # depends on first-paint.txt, so a host that caches hashed files for ever needs new ones.
    base = f"callboard-{short_hash(glue.read_bytes(), page.read_bytes())}"
    for path, name in ((glue, f"{base}.js"), (page, f"{base}_bg.wasm")):
        if html.count(f"./{path.name}") != 2:
            raise ValueError(f"index.html does not name {path.name} twice (its preload and the start-up script)")
        html = html.replace(f"./{path.name}", f"./{name}")
        path = path.rename(out / name)
        tag = re.compile(r'(href="\./' + re.escape(name) + r'"[^>]*integrity=")[^"]*(")')
        if len(tag.findall(html)) != 1:
            raise ValueError(f"index.html has no single preload of {name}")
        html = tag.sub(lambda m, p=path: m.group(1) + integrity(p.read_bytes()) + m.group(2), html)
    print(
        f"post-build: split the page's wasm into {base}_bg.wasm and {deferred_name}: {len(keep)} of {defined} "
        f"functions kept for the first paint, {len(first_bytes)} + {len(deferred_bytes)} bytes"
    )
    return html


def instrument(source: pathlib.Path, target: pathlib.Path) -> None:
    """A copy of `source` that records which functions run (`__write_profile`), for first-paint.sh."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = pathlib.Path(tmp) / "instrumented.wasm"
        wasm_split("--instrument", str(source), "-o", str(raw))
        target.write_bytes(fix_externref_export(raw.read_bytes()))


def names_called(module: pathlib.Path, profiles: list[pathlib.Path]) -> list[str]:
    """The normal names of the functions that ran in any of the profiles of the module's
    instrumented copy. A profile is an 8-byte module hash, then a u32 per defined function, 0 if it
    never ran."""
    data = module.read_bytes()
    names = function_names(data)
    imported, _ = imports(data)
    defined = defined_functions(data)
    called = set()
    for profile in profiles:
        raw = profile.read_bytes()
        times = struct.unpack(f"<{(len(raw) - 8) // 4}I", raw[8:])
        if len(times) != defined:
            raise ValueError(f"{profile} has {len(times)} functions and the module {defined}: not its profile")
        called |= {normal(names[imported + i]) for i, t in enumerate(times) if t and imported + i in names}
    return sorted(called)


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or [""]
    if command == "instrument" and len(rest) == 2:
        instrument(pathlib.Path(rest[0]), pathlib.Path(rest[1]))
    elif command == "names-called" and len(rest) >= 2:
        print("\n".join(names_called(pathlib.Path(rest[0]), [pathlib.Path(p) for p in rest[1:]])))
    else:
        sys.exit(__doc__)
