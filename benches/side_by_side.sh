#!/usr/bin/env bash
# rainv against FreeRDP 2, opening the same Windows-made invitation files (issue #12).
#
#   bash benches/side_by_side.sh
#   ROUNDS=7 TARGET_MS=300 bash benches/side_by_side.sh   # the defaults
#
# Both sides open each file from memory in a loop and report ns per file: rainv through
# benches/side_by_side.rs (a harness-free bench, built with the release settings), FreeRDP
# through ../shared/bench/freerdp-peer/run.sh (which installs Debian's freerdp2-dev with apt if
# missing, and builds its C program). Per kind of file (Windows 10, Windows 7, Windows XP as
# 8-bit text), ROUNDS interleaved rounds on one core, each round rainv, FreeRDP, then rainv's
# cipher work alone (the floor); each run is sized to take about TARGET_MS. The table gives
# each side's best round. Exits 1 when a budget is missed (ratio >= 4 on Windows 10 and 7,
# >= 3 on XP, rainv <= 1.5 x floor on XP), 2 when something could not be measured.
# Needs ../shared (or RAINV_SHARED_DIR). Not part of CI: it needs the package registry and the
# timings depend on the machine's load. Takes about a minute once built.
set -euo pipefail
# Failures inside $(...) stop the script too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

SHARED=${RAINV_SHARED_DIR:-../shared}
INTEROP=$SHARED/interop
PEER=$SHARED/bench/freerdp-peer/run.sh
ROUNDS=${ROUNDS:-7}
TARGET_MS=${TARGET_MS:-300}
for f in "$INTEROP/windows-xp.msrcincident" "$INTEROP/windows7.msrcincident" \
    "$INTEROP/windows10.msrcincident" "$PEER"; do
    [ -f "$f" ] || { echo "error: $f is missing (set RAINV_SHARED_DIR)" >&2; exit 2; }
done

# One core, so the two sides do not share one with their own threads' or each other's work.
PIN=()
if command -v taskset > /dev/null && taskset -c 1 true 2> /dev/null; then
    PIN=(taskset -c 1)
else
    echo "note: not pinned (taskset -c 1 is not available here)" >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# rainv's timing program; its path is in cargo's JSON messages.
RAINV=$(cargo bench --locked --quiet --bench side_by_side --no-run --message-format=json |
    grep -o '"executable":"[^"]*side_by_side[^"]*"' | tail -n 1 | cut -d'"' -f4)
[ -x "$RAINV" ] || { echo "error: could not build benches/side_by_side.rs" >&2; exit 2; }

# FreeRDP reads 8-bit text only: the XP file re-encoded, UTF-16LE without its BOM, its
# encoding="Unicode" declaration left as Windows wrote it.
tail -c +3 "$INTEROP/windows-xp.msrcincident" | iconv -f UTF-16LE -t UTF-8 > "$WORK/windows-xp-8bit.msrcincident"

password() { head -n 1 "$INTEROP/$1.password" | tr -d '\r\n'; }

# run SIDE PASSWORD ITERATIONS FILE: ns per file, or exit 2 if any open failed.
run() {
    local side=$1 out
    shift
    case $side in
        rainv) out=$(timeout 120 "${PIN[@]}" "$RAINV" "$@" < /dev/null) ;;
        floor) out=$(timeout 120 "${PIN[@]}" "$RAINV" --floor "$@" < /dev/null) ;;
        freerdp) out=$(timeout 600 "${PIN[@]}" bash "$PEER" "$@" < /dev/null) ;;
    esac
    # "opened N failed M ns_per_file X"
    read -r _ opened _ failed _ ns <<< "$out"
    if [ "$failed" != 0 ] || [ "$opened" = 0 ]; then
        echo "error: $side could not open ${*: -1}: $out" >&2
        exit 2
    fi
    echo "$ns"
}

# Iterations for about TARGET_MS, from a short run (which also warms up, and builds FreeRDP's
# program on the first call).
iterations() {
    local ns
    ns=$(run "$1" "$2" "$3" "$4")
    echo $(((TARGET_MS * 1000000 / ns) > 1000 ? TARGET_MS * 1000000 / ns : 1000))
}

echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "rustc:    $(rustc --version)"
bash "$PEER" "$(password windows10)" 1 "$INTEROP/windows10.msrcincident" > /dev/null
echo "FreeRDP:  $(pkg-config --modversion freerdp2 2> /dev/null || echo "version unknown")"
echo "rounds:   $ROUNDS interleaved (rainv, FreeRDP, floor), ~${TARGET_MS} ms each, best kept${PIN:+, pinned to CPU 1}"
# Other work on the core slows whichever side it lands on; a best of seven does not always
# undo that, and the ratios (and so the verdict) then move by tens of percent.
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l > 1) }'; then
    echo "warning:  the machine is busy (load above 1): these figures are less reliable; run again when it is quiet"
fi
echo

TABLE=$WORK/table
MISSED=()
# kind | password | file | least FreeRDP/rainv | most rainv/floor (empty: no budget)
while IFS='|' read -r kind name file min_ratio max_floor; do
    pw=$(password "$name")
    n_rainv=$(iterations rainv "$pw" 2000 "$file")
    n_freerdp=$(iterations freerdp "$pw" 200 "$file")
    n_floor=$(iterations floor "$pw" 2000 "$file")
    best_rainv='' best_freerdp='' best_floor=''
    for round in $(seq 1 "$ROUNDS"); do
        r=$(run rainv "$pw" "$n_rainv" "$file")
        f=$(run freerdp "$pw" "$n_freerdp" "$file")
        c=$(run floor "$pw" "$n_floor" "$file")
        echo "$kind round $round: rainv $r  FreeRDP $f  floor $c ns/file" >&2
        best_rainv=$(printf '%s\n' $best_rainv "$r" | sort -n | head -n 1)
        best_freerdp=$(printf '%s\n' $best_freerdp "$f" | sort -n | head -n 1)
        best_floor=$(printf '%s\n' $best_floor "$c" | sort -n | head -n 1)
    done
    ratio=$(awk -v a="$best_freerdp" -v b="$best_rainv" 'BEGIN { printf "%.2f", a / b }')
    over_floor=$(awk -v a="$best_rainv" -v b="$best_floor" 'BEGIN { printf "%.2f", a / b }')
    echo "| $kind | $best_rainv | $best_freerdp | ${ratio}x | $best_floor | ${over_floor}x |" >> "$TABLE"
    if awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { exit !(r < m) }'; then
        MISSED+=("$kind: FreeRDP/rainv is ${ratio}x, the budget at least ${min_ratio}x")
    fi
    if [ -n "$max_floor" ] && awk -v r="$over_floor" -v m="$max_floor" 'BEGIN { exit !(r > m) }'; then
        MISSED+=("$kind: rainv is ${over_floor}x its floor, the budget at most ${max_floor}x")
    fi
done << EOF
Windows 10|windows10|$INTEROP/windows10.msrcincident|4|
Windows 7|windows7|$INTEROP/windows7.msrcincident|4|
Windows XP (8-bit copy)|windows-xp|$WORK/windows-xp-8bit.msrcincident|3|1.5
EOF

echo
echo "| kind | rainv ns/file | FreeRDP ns/file | FreeRDP/rainv | floor ns/file | rainv/floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
cat "$TABLE"
echo
if [ ${#MISSED[@]} -gt 0 ]; then
    printf 'budget missed: %s\n' "${MISSED[@]}"
    exit 1
fi
echo "all budgets met"
