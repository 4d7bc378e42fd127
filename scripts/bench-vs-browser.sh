#!/usr/bin/env bash
# Passerelle side by side with headless Chromium showing an equivalent static page, on this
# machine, several runs each: time to the first complete frame at 1920x1080 (PNG written) and
# memory (Passerelle: peak RSS over a whole visit; Chromium: peak PSS summed over its processes).
# Also: replay throughput, and CPU of an idle kiosk over a minute (needs Xvfb).
# Usage: scripts/bench-vs-browser.sh [RUNS]      (Debian: apt-get install chromium xvfb)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
cargo build --release --quiet
BIN=$PWD/target/release/passerelle
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
now() { date +%s.%N; }

# The equivalent static page: the attract screen's texts, font, colours and two big buttons.
FONT=$PWD/assets/fonts/AtkinsonHyperlegible_400Regular.ttf
BOLD=$PWD/assets/fonts/AtkinsonHyperlegible_700Bold.ttf
cat > "$WORK/attract.html" <<HTML
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Passerelle</title><style>
@font-face{font-family:A;src:url(file://$FONT)} @font-face{font-family:A;font-weight:700;src:url(file://$BOLD)}
body{margin:0;height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;background:#f4f1ea;color:#1b1b1b;font-family:A,sans-serif}
h1{font-size:78px;margin:.3em} p{font-size:36px;margin:.4em} .s{color:#3d3d3d}
.row{display:flex;gap:44px;margin-top:40px} button{font:inherit;width:670px;height:200px;border-radius:27px;border:5px solid #0a3d6b;background:#0a3d6b;color:#fff;font-size:60px;font-weight:700}
button small{display:block;font-size:36px;font-weight:400}
</style></head><body>
<p class="s">Centre social Nelly Roussel</p><h1>Bienvenue · Welcome</h1>
<p>Répondez à quelques questions sur le numérique.</p><p>C'est anonyme. Cela prend 5 minutes environ.</p>
<p>Answer a few questions about digital tools.</p><p>It is anonymous. It takes about 5 minutes.</p>
<div class="row"><button>Commencer<small>Français</small></button><button>Start<small>English</small></button></div>
<p class="s" style="font-size:28px">Touchez votre langue pour commencer. · Touch your language to start.</p>
</body></html>
HTML

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); $(date -u +%Y-%m-%d)"
echo "Passerelle $($BIN --version | awk '{print $2}'), release build; $RUNS runs each"
echo

# 1. Start to first frame.
: > "$WORK/p_time"; : > "$WORK/p_rss"
for i in $(seq "$RUNS"); do
  t0=$(now)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" --data-dir "$WORK/data" screenshot --screen attract --size 1920x1080 --out "$WORK/p.png" 2>/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc >> "$WORK/p_time"
done
# Memory over a whole visit: the end screen is reached by playing a complete visit through the UI.
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" --data-dir "$WORK/data" screenshot --screen end --size 1920x1080 --out "$WORK/e.png" 2>/dev/null
  cat "$WORK/rss" >> "$WORK/p_rss"
done
P_TIME=$(median < "$WORK/p_time"); P_RSS=$(awk '{print $1/1024}' "$WORK/p_rss" | median)
echo "Passerelle: first frame ${P_TIME} s (median); peak RSS over a whole visit ${P_RSS} MB (median)"

if [ -n "$CHROMIUM" ]; then
  : > "$WORK/c_time"; : > "$WORK/c_pss"
  for i in $(seq "$RUNS"); do
    UD=$(mktemp -d)
    t0=$(now)
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
      --disable-component-update --disable-sync --user-data-dir="$UD" --window-size=1920,1080 \
      --screenshot="$WORK/c.png" "file://$WORK/attract.html" >/dev/null 2>&1 &
    CPID=$!
    peak=0
    while kill -0 "$CPID" 2>/dev/null; do
      sum=0
      for p in $(pgrep -f -- "--user-data-dir=$UD" || true); do
        v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        sum=$((sum + ${v:-0}))
      done
      [ "$sum" -gt "$peak" ] && peak=$sum
      sleep 0.01
    done
    t1=$(now)
    wait "$CPID" || true
    echo "$t1 - $t0" | bc >> "$WORK/c_time"
    echo "$peak" >> "$WORK/c_pss"
    rm -rf "$UD"
  done
  C_TIME=$(median < "$WORK/c_time"); C_PSS=$(awk '{print $1/1024}' "$WORK/c_pss" | median)
  echo "Chromium:   first frame ${C_TIME} s (median); peak PSS ${C_PSS} MB (median, all processes)"
  echo "Ratios: time $(echo "scale=1; $C_TIME / $P_TIME" | bc)x faster; memory $(echo "scale=1; $C_PSS / $P_RSS" | bc)x smaller"
else
  echo "Chromium not installed: apt-get install chromium"
fi
echo

# 2. Stored visits per second (each one committed with synchronous=FULL).
t0=$(now)
"$BIN" --data-dir "$WORK/replay" replay --random 5000 --seed 1 >/dev/null 2>&1
t1=$(now)
echo "replay --random 5000: $(echo "scale=0; 5000 / ($t1 - $t0)" | bc) visits/s"

# 3. CPU of an idle kiosk over a minute (attract screen, real window under Xvfb).
if command -v Xvfb >/dev/null && [ "${IDLE:-1}" = 1 ]; then
  Xvfb :77 -screen 0 1920x1080x24 >/dev/null 2>&1 & XPID=$!
  sleep 1
  DISPLAY=:77 SLINT_BACKEND=winit-software "$BIN" --windowed --data-dir "$WORK/idle" >/dev/null 2>&1 & KPID=$!
  sleep 5
  ticks() { awk '{print $14 + $15}' "/proc/$KPID/stat"; }
  a=$(ticks); sleep 60; b=$(ticks)
  hz=$(getconf CLK_TCK)
  echo "idle kiosk on the attract screen: $(echo "scale=2; ($b - $a) * 100 / $hz / 60" | bc) % CPU over 60 s"
  kill "$KPID" "$XPID" 2>/dev/null || true
fi
