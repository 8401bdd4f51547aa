#!/usr/bin/env bash
# Trunk post-build hook: move trunk's inline start-up <script type="module"> into
# a hashed file, so the page runs under a strict Content-Security-Policy
# (script-src 'self' 'wasm-unsafe-eval'; no 'unsafe-inline'). See trunk-rs/trunk#288.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
html="$dir/index.html"
python3 - "$html" "$dir" <<'PY'
import hashlib, pathlib, re, sys
html_path, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
html = html_path.read_text()
pattern = re.compile(r'<script type="module"(?: nonce="[^"]*")?>(.*?)</script>', re.S)
scripts = pattern.findall(html)
if len(scripts) != 1:
    sys.exit(f"extract-init: expected one inline module script in index.html, found {len(scripts)}")
body = scripts[0].strip() + "\n"
name = f"init-{hashlib.sha256(body.encode()).hexdigest()[:16]}.js"
(out_dir / name).write_text(body)
html = pattern.sub(f'<script type="module" src="./{name}"></script>', html, count=1)
# A nonce baked in at build time is the same for every visitor, so it is no protection; drop them.
html = re.sub(r' nonce="[^"]*"', "", html)
html_path.write_text(html)
print(f"extract-init: moved the start-up script to {name}")
PY
