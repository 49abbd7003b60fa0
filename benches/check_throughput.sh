#!/usr/bin/env bash
# Throughput and peak memory of `rainv check` over a directory of invitation files.
#
#   bash benches/check_throughput.sh              # 2,000 then 20,000 files
#   bash benches/check_throughput.sh 20000 200000 # any counts
#   RUNS=9 JOBS=2 RAINV_BIN=/tmp/old/rainv bash benches/check_throughput.sh
#
# Builds the release binary, generates each directory of files in a temporary directory
# (copies and variants of real-shaped invitations: the Windows XP, 7 and 10 files of
# ../shared/interop when present, else files of the same shapes made with `rainv create` and
# `rainv encrypt`), warms the page cache, then times `rainv check --json DIR > /dev/null` with
# two worker threads under /usr/bin/time -v. Prints files/s (best of RUNS runs, default 5) and
# peak RSS, so runs with different counts show whether memory grows with the number of files.
# The budget: at least 50,000 files/s on two cores, and a peak RSS that does not grow.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(2000 20000)
RUNS=${RUNS:-5}
JOBS=${JOBS:-2}

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (apt-get install time)" >&2
    apt-get install -y -qq time > /dev/null 2>&1 ||
        { apt-get update -qq > /dev/null && apt-get install -y -qq time > /dev/null; }
fi

# RAINV_BIN=path/to/rainv measures another build (an older one, to compare) instead.
if [ -n "${RAINV_BIN:-}" ]; then
    RAINV=$(realpath "$RAINV_BIN")
else
    cargo build --release --quiet
    RAINV=$PWD/target/release/rainv
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The base files.
BASE=$WORK/base
mkdir -p "$BASE"
SHARED=${SHARED_INTEROP:-../shared/interop}
if [ -d "$SHARED" ]; then
    cp "$SHARED/windows-xp.msrcincident" "$BASE/xp.msrcincident"
    cp "$SHARED/windows7.msrcincident" "$BASE/win7.msrcincident"
    cp "$SHARED/windows10.msrcincident" "$BASE/win10.msrcincident"
    echo "base files: ../shared/interop (Windows XP, 7 and 10)"
else
    echo "base files: generated (no ../shared): XP, Windows 7 and Windows 10 shapes"
    printf '4X638PTVZTKZ\n' > "$BASE/password"
    KH=$(head -c 20 /dev/urandom | base64)
    "$RAINV" create --format xp --user helpdesk --kh "$KH" --address 10.0.3.105:3389 \
        --address winxpsp3.contoso.example:3389 -o "$BASE/xp.msrcincident"
    "$RAINV" create --format win7 --user helpdesk --kh "$KH" \
        --address '[fe80::1032:53d9:5a01:909b%3]:49228' --address 192.168.1.200:49230 \
        --address 169.254.6.170:49231 --password-file "$BASE/password" -o "$BASE/win7.msrcincident"
    # Windows 10: a certificate (CE) of 744 bytes (992 base64 characters, a line break every
    # 64 characters, as in the real file): a 6 KB file, a 2.9 KB ticket.
    CE=$(head -c 744 /dev/urandom | base64 -w 64 | awk 'BEGIN{ORS=""} NR>1{print "&#xA;"} {print}')
    printf '<E><A KH="%s" KH2="sha256:%s" CE="%s" ID="%s"/><C><T ID="1" SID="0"><L P="64730" N="fe80::b31a:3308:6b91:8831%%3"/><L P="64731" N="fe80::28e3:b9b:c19c:4d04%%9"/><L P="64732" N="2001:0:284a:364:28e3:b9b:c19c:4d04"/><L P="64733" N="10.0.1.174"/></T></C></E>\r\n' \
        "$KH" "$(head -c 32 /dev/urandom | base64)" "$CE" "$(head -c 48 /dev/urandom | base64 -w 0)" \
        > "$BASE/ticket.xml"
    "$RAINV" encrypt "$BASE/ticket.xml" --user helpdesk --password-file "$BASE/password" \
        -o "$BASE/win10.msrcincident"
fi
# A bare Connection String 2, as Windows Desktop Sharing gives them.
printf '<E><A KH="BNRjdu97DyczQSRuMRrDWoue+HA=" ID="+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL"/><C><T ID="1" SID="0"><L P="49230" N="192.168.1.200"/></T></C></E>\r\n' \
    > "$BASE/bare.msrcincident"
ls -l "$BASE"/*.msrcincident | awk '{print "  " $5 " bytes  " $NF}'

# COUNT files in DIR, spread over subdirectories of 1,000: 40% Windows 10, 30% Windows 7,
# 20% XP, 10% bare tickets; Vista-style ones get a varied USERNAME so they are not all equal.
generate() {
    local dir=$1 count=$2
    python3 - "$BASE" "$dir" "$count" <<'EOF'
import os, sys
base, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
read = lambda n: open(os.path.join(base, n), "rb").read()
kinds = [("win10", read("win10.msrcincident"))] * 4 + [("win7", read("win7.msrcincident"))] * 3 \
    + [("xp", read("xp.msrcincident"))] * 2 + [("bare", read("bare.msrcincident"))]
for i in range(count):
    name, data = kinds[i % len(kinds)]
    if name in ("win10", "win7"):
        start = data.index(b'USERNAME="') + 10
        end = data.index(b'"', start)
        data = data[:start] + b"user%06d" % i + data[end:]
    sub = os.path.join(out, "%03d" % (i // 1000))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "%s-%06d.msrcincident" % (name, i)), "wb") as f:
        f.write(data)
EOF
}

echo
printf '%8s  %12s  %12s  %14s\n' files 'best time s' 'files/s' 'peak RSS KiB'
for count in "${COUNTS[@]}"; do
    dir=$WORK/files-$count
    mkdir -p "$dir"
    generate "$dir" "$count"
    # Warm the page cache (and the binary), then measure.
    find "$dir" -type f -exec cat {} + > /dev/null
    "$RAINV" check --json --jobs "$JOBS" "$dir" > /dev/null 2>&1 || true
    best=""
    rss_max=0
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N)
        # Exit status 1 means "some file was rejected", which is expected here.
        /usr/bin/time -v -o "$WORK/time.txt" "$RAINV" check --json --jobs "$JOBS" "$dir" > /dev/null 2> "$WORK/stderr.txt" || true
        end=$(date +%s%N)
        ns=$((end - start))
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
        [ "$rss" -gt "$rss_max" ] && rss_max=$rss
        if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
    done
    lines=$("$RAINV" check --json --jobs "$JOBS" "$dir" 2> /dev/null | wc -l || true)
    [ "$lines" -eq "$count" ] || { echo "expected $count results, got $lines" >&2; exit 1; }
    awk -v n="$count" -v ns="$best" -v rss="$rss_max" \
        'BEGIN { printf "%8d  %12.4f  %12.0f  %14d\n", n, ns / 1e9, n / (ns / 1e9), rss }'
    rm -rf "$dir"
done
