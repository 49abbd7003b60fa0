#!/usr/bin/env bash
# Validating a Windows 10 file from C and from Python against the same call in Rust, in one
# run: `bash benches/bindings.sh [FILE]` (default ../shared/interop/windows10.msrcincident, or
# the bundled example without ../shared). Builds the release C library, a release wheel into a
# temporary virtual environment (maturin from PyPI), and prints each side's best ns per call
# over interleaved rounds, and the ratios. Pinned to one CPU (taskset) when it can be. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

file=${1:-../shared/interop/windows10.msrcincident}
[ -f "$file" ] || file=testdata/example.msrcincident
rounds=${ROUNDS:-7}
calls=${CALLS:-20000}
pin=()
command -v taskset > /dev/null && pin=(taskset -c 1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --locked --quiet --release -p rainv-capi
cargo bench --locked --quiet --bench bindings --no-run 2> /dev/null
rust_bench=$(find target/release/deps -maxdepth 1 -type f -executable -name 'bindings-*' | head -1)
cc -O2 -std=c11 -D_POSIX_C_SOURCE=199309L -I crates/rainv-capi/include benches/bindings/check.c \
    -o "$work/check" -L target/release -Wl,-rpath,"$PWD/target/release" -lrainv
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "maturin==1.16.0"
"$work/venv/bin/maturin" build --quiet --release --locked -m crates/rainv-python/Cargo.toml -o "$work/wheels" > /dev/null
"$work/venv/bin/pip" install --quiet "$work"/wheels/rainv-*.whl

echo "file: $file ($(wc -c < "$file") bytes); $rounds interleaved rounds of $calls calls, each side's best; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# The sides take turns, a round each, so that a busy moment slows all of them alike.
for _ in $(seq "$rounds"); do
    "${pin[@]}" "$rust_bench" 1 "$calls" "$file" >> "$work/rust"
    "${pin[@]}" "$work/check" 1 "$calls" "$file" >> "$work/c"
    "${pin[@]}" "$work/venv/bin/python" benches/bindings/validate.py 1 "$calls" "$file" >> "$work/python"
done
ns() { awk -v what="$2" '$1 == what && (best == "" || $3 < best) { best = $3 } END { print best }' "$work/$1"; }
awk -v rv="$(ns rust validate)" -v rj="$(ns rust validate_json)" -v c="$(ns c check)" \
    -v pv="$(ns python validate)" -v pj="$(ns python check_json)" 'BEGIN {
    printf "\n| call | ns | against Rust |\n| --- | ---: | ---: |\n"
    printf "| Rust: validate | %d | 1.00x |\n", rv
    printf "| Python: rainv.validate | %d | %.2fx |\n", pv, pv / rv
    printf "| Rust: inspect_file + JSON lines | %d | 1.00x |\n", rj
    printf "| C: rainv_check | %d | %.2fx |\n", c, c / rj
    printf "| Python: rainv.check + to_json | %d | %.2fx |\n", pj, pj / rj
}'
