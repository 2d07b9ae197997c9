#!/usr/bin/env bash
# Archive-scale benchmark (docs/BENCHMARKS.md, issue 21): for each count N, N small PNGs (16x16)
# in one flat folder are upscaled (bicubic x2, local mode, the whole JVM at -Xmx1g by default),
# then the run is repeated (resume: every output exists). Prints one Markdown row per N: wall
# time of each run (the whole process, JVM and Spark start included), ms per image, peak RSS, the
# heap retained after planning (after a full GC, -Dsparksr.log-heap; the driver and the executors
# share this one JVM), GC pause time of the first run, the size of the manifest.
#   deploy/profile/archive_bench.sh <work-folder> 10000 100000 1000000
# Inputs are generated once per N (deploy/profile/TinyPngs.java) and kept in the work folder.
# Environment: BENCH_XMX (default 1g), BENCH_ARGS (extra upscale options).
set -euo pipefail
SPARKSR_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mkdir -p "$1" && cd "$1" && pwd)
shift
XMX=${BENCH_XMX:-1g}
echo "| images | first run s | ms/image | resume s | peak RSS MB (first / resume) | heap retained after planning MB (first / resume) | GC pauses s (first run) | manifest.parquet MB |"
echo "|---|---|---|---|---|---|---|---|"
for n in "$@"; do
  in="$WORK/in-$n"
  out="$WORK/out-$n"
  if [ ! -f "$in/.complete" ]; then
    java "$SPARKSR_HOME/deploy/profile/TinyPngs.java" "$in" "$n"
    touch "$in/.complete"
  fi
  rm -rf "$out"
  for run in first resume; do
    SPARKSR_JAVA_OPTS="-Xmx$XMX -Dsparksr.log-heap=true -Xlog:gc:file=$WORK/gc-$n-$run.log::filecount=0" \
      /usr/bin/time -v -o "$WORK/time-$n-$run.txt" \
      "$SPARKSR_HOME/bin/sparksr" upscale --input "$in" --output "$out" --model bicubic \
      --scale 2 --progress-seconds 60 ${BENCH_ARGS:-} > "$WORK/log-$n-$run.txt" 2>&1 \
      || { echo "run $run of $n images failed: $WORK/log-$n-$run.txt" >&2; exit 1; }
  done
  python3 - "$WORK" "$n" "$out" <<'PY'
import re, sys, os
work, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def wall(run):
    t = open(f"{work}/time-{n}-{run}.txt").read()
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    h, mi, s = m.groups()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    return (int(h or 0) * 3600 + int(mi) * 60 + float(s)), rss
def heap(run):
    m = re.search(r"retained heap after planning: (\d+) MB", open(f"{work}/log-{n}-{run}.txt").read())
    return int(m.group(1)) if m else -1
def pauses(run):
    gc = open(f"{work}/gc-{n}-{run}.log").read()
    return sum(float(x) for x in re.findall(r"(\d+\.\d+)ms", gc)) / 1000
(w1, r1), (w2, r2) = wall("first"), wall("resume")
mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{out}/manifest.parquet")
         for f in fs) / 1e6
print(f"| {n:,} | {w1:.1f} | {w1 * 1000 / n:.3f} | {w2:.1f} | {r1:,.0f} / {r2:,.0f} | "
      f"{heap('first'):,} / {heap('resume'):,} | {pauses('first'):.1f} | {mb:.1f} |")
PY
done
