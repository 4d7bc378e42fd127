#!/usr/bin/env bash
# The browser desk's figures (issue 25 §5), in headless Chromium on this machine: the HTML file's
# size, opened to ready (5 loads from file://), payload to profile on screen (20 codes pasted: the
# module's decode and the DOM, then the next painted frame), one camera frame decoded (640x480
# from Chromium's fake capture device fed a .y4m of a kiosk's QR code).
# Usage: scripts/bench-desk.sh            (builds the release binary first)
#        PASSERELLE_BIN=target/debug/passerelle scripts/bench-desk.sh
#        (any build writes the same page: the module is always built with the desk-wasm profile)
# Needs: chromium, chromium-driver, ffmpeg (Debian), selenium in .venv (pip install selenium).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PASSERELLE_BIN:-}" ]; then
  BIN=$(realpath "$PASSERELLE_BIN")
else
  cargo build --release --quiet
  BIN=$PWD/target/release/passerelle
fi
PY=$PWD/.venv/bin/python
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" mediateur page --out "$WORK/desk.html" >/dev/null
PAYLOAD=$("$BIN" --data-dir "$WORK/borne" replay assets/demo-visit.json | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["payload"])')
"$BIN" qr "$PAYLOAD" --out "$WORK/qr.png" --scale 6
ffmpeg -loglevel error -y -loop 1 -i "$WORK/qr.png" -vf "scale=400:-1,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white" \
  -frames:v 15 -pix_fmt yuv420p -r 5 "$WORK/qr.y4m"
"$PY" tests/fixtures/desk_browser.py bench "$WORK/desk.html" "$PAYLOAD" "$WORK/qr.y4m" > "$WORK/bench.json"

SIZE=$(stat -c %s "$WORK/desk.html")
"$PY" - "$WORK/bench.json" "$SIZE" <<'PY'
import json, statistics, sys
b = json.load(open(sys.argv[1]))
size = int(sys.argv[2])
med = lambda v: statistics.median(v)
ready = b["ready_ms"]
decode = [d[0] for d in b["decode_ms"]]
painted = [d[1] for d in b["decode_ms"] if d[1] is not None]
frames = [f["ms"] for f in b["frames"]]
print(f"HTML file                      {size / 1024 / 1024:.2f} MB ({size} bytes)            target <= 2 MB")
print(f"opened to ready                median {med(ready):.0f} ms, max {max(ready):.0f} ms (5 loads)  target <= 1000 ms")
print(f"payload to profile on screen   median {med(decode):.1f} ms, max {max(decode):.1f} ms; painted median {med(painted):.1f} ms (20 codes)  target <= 50 ms")
print(f"one camera frame decoded       median {med(frames):.0f} ms, max {max(frames):.0f} ms ({len(frames)} frames of {b['frames'][0]['width']}x{b['frames'][0]['height']})  target <= 300 ms")
outside = [u for u in b["requests"] if not u.startswith(("file:", "data:", "blob:"))]
print(f"requests outside the page      {len(outside)}")
PY
