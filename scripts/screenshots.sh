#!/usr/bin/env bash
# Regenerate docs/screenshots: every screen at the four reference sizes (French and
# Arabic), and at 1280x800 in English. Uses the debug build; pass --release to use the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-}
cargo build ${profile} --quiet
bin=target/debug/passerelle
[ "${profile}" = "--release" ] && bin=target/release/passerelle
out=docs/screenshots
mkdir -p "$out"
# The kiosk's own fonts for characters a font lacks, as under `cargo run` (.cargo/config.toml).
export SLINT_FONT_PATH="$PWD/assets/fonts"
for size in 1920x1080 1280x800 1080x1920 800x600; do
  for lang in fr ar; do
    PASSERELLE_LOG=warn "$bin" screenshot --all --size "$size" --lang "$lang" --out-dir "$out" >/dev/null
  done
done
PASSERELLE_LOG=warn "$bin" screenshot --all --size 1280x800 --lang en --out-dir "$out" >/dev/null
ls "$out" | wc -l
# Optional: shrink the PNGs for the repository (64-colour palette) when Pillow is there.
py=python3; [ -x .venv/bin/python ] && py=.venv/bin/python
"$py" - "$out" <<'PY' 2>/dev/null || true
import glob, sys
from PIL import Image
for f in glob.glob(sys.argv[1] + "/*.png"):
    Image.open(f).convert("RGB").quantize(colors=64, dither=Image.Dither.NONE).save(f, optimize=True)
PY
