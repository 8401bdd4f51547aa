"""The work of scripts/post-build.sh (see there), on the staged dist/ folder given as argv[1]."""
import hashlib
import json
import pathlib
import re
import sys


def short_hash(*parts: bytes) -> str:
    """16 hex digits of SHA-256 over `parts`: names that change whenever the contents do."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:16]


out = pathlib.Path(sys.argv[1])
html_path = out / "index.html"
html = html_path.read_text()

# 1. The inline start-up script, into a hashed file.
pattern = re.compile(r'<script type="module"(?: nonce="[^"]*")?>(.*?)</script>', re.S)
scripts = pattern.findall(html)
if len(scripts) != 1:
    sys.exit(f"post-build: expected one inline module script in index.html, found {len(scripts)}")
body = scripts[0].strip() + "\n"
# A browser that cannot compile the app (no WebAssembly, or none with SIMD, which the build uses)
# gets a sentence instead of a blank page; the text goes in as text, never as HTML.
start = re.compile(r"^const wasm = await init\((\{[^\n]*\})\);$", re.M)
if len(start.findall(body)) != 1:
    sys.exit("post-build: the start-up script does not start the app as expected")
body = start.sub(
    lambda m: "let wasm;\ntry {\n  wasm = await init(" + m.group(1) + ");\n} catch (error) {\n"
    "  const message = document.createElement('p');\n"
    "  message.className = 'startup-failure';\n"
    "  message.setAttribute('data-testid', 'startup-failure');\n"
    "  message.textContent = 'Callboard could not start (' + error + '). Its files must load, and the browser must run "
    "WebAssembly with SIMD: Chrome or Edge 91, Firefox 89, Safari 16.4 or later.';\n"
    "  if (!document.querySelector('.startup-failure')) document.body.append(message);\n  throw error;\n}",
    body,
)
init_name = f"init-{short_hash(body.encode())}.js"
(out / init_name).write_text(body)
html = pattern.sub(f'<script type="module" src="./{init_name}"></script>', html, count=1)
# A nonce baked in at build time is the same for every visitor, so it is no protection; drop them.
html = re.sub(r' nonce="[^"]*"', "", html)

# 2. The ingest worker's files, hashed, and the loader's name for the page.
js, wasm, loader = out / "ingest.js", out / "ingest_bg.wasm", out / "ingest_loader.js"
if not (js.exists() and wasm.exists() and loader.exists()):
    sys.exit("post-build: the ingest worker's files (ingest.js, ingest_bg.wasm, ingest_loader.js) are missing")
h = short_hash(js.read_bytes(), wasm.read_bytes())
base = f"ingest-{h}"
js.rename(out / f"{base}.js")
wasm.rename(out / f"{base}_bg.wasm")
loader.unlink()
(out / f"{base}_loader.js").write_text(f'importScripts("./{base}.js");wasm_bindgen({{ module_or_path: "./{base}_bg.wasm" }});\n')
html = html.replace("</head>", f'<meta name="callboard-ingest" content="{base}_loader.js">\n</head>', 1)
html_path.write_text(html)

# 3. The service worker: every file of this build, cached together under one version.
shell = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != "sw.js" and not p.name.endswith(".map"))
version = short_hash(*[(out / name).read_bytes() for name in shell])
template = (pathlib.Path(__file__).parent.parent / "public" / "sw.js").read_text()
(out / "sw.js").write_text(template.replace("__VERSION__", version).replace("__FILES__", json.dumps(["./"] + shell)))
print(f"post-build: {init_name}, {base}_loader.js, sw.js version {version} caching {len(shell) + 1} files")
