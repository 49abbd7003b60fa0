#!/usr/bin/env bash
# Archive bombs against `rainv check`: builds each (in a temporary directory, about 35 MB in
# all), runs the release binary on it, and prints the verdict, the time and the peak memory.
# docs/security.md (Archives) records a run. Needs python3 and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rainv-cli
bin="${RAINV_BIN:-$PWD/target/release/rainv}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" testdata/hostile/xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident <<'PY'
import gzip, io, lzma, os, sys, tarfile, zipfile
work, invitation = sys.argv[1], open(sys.argv[2], "rb").read()
os.chdir(work)
GIB = 1 << 30

class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k

def tar_stream(fileobj, entries):
    with tarfile.open(fileobj=fileobj, mode="w|", format=tarfile.USTAR_FORMAT) as t:
        for name, size, data in entries:
            info = tarfile.TarInfo(name); info.size = size
            t.addfile(info, data)

with open("gig.tar.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as g:
    tar_stream(g, [("zeros.bin", GIB, io.BufferedReader(Zeros(GIB))),
                   ("RA.msrcincident", len(invitation), io.BytesIO(invitation))])
with lzma.open("gig.tar.xz", "wb", preset=0) as x:
    tar_stream(x, [("zeros.bin", GIB, io.BufferedReader(Zeros(GIB)))])
with zipfile.ZipFile("gig-inner.zip", "w") as z:
    info = zipfile.ZipInfo("inner.zip"); info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w", force_zip64=True) as f:
        for _ in range(1024): f.write(bytes(1 << 20))

def zstd_raw(data):
    out = b"\x28\xb5\x2f\xfd\xa0" + len(data).to_bytes(4, "little")
    blocks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for i, block in enumerate(blocks):
        out += ((len(block) << 3) | (i == len(blocks) - 1)).to_bytes(3, "little") + block
    return out
deep = invitation
for _ in range(10000): deep = zstd_raw(deep)
open("deep.zst", "wb").write(deep)
with zipfile.ZipFile("many.zip", "w") as z:
    for i in range(300000): z.writestr(zipfile.ZipInfo(str(i)), b"")
PY
printf '| input | size | verdict | time | peak memory |\n| --- | ---: | --- | ---: | ---: |\n'
for f in gig.tar.gz gig.tar.xz gig-inner.zip deep.zst many.zip; do
    size=$(stat -c %s "$work/$f")
    /usr/bin/time -o "$work/time" -f '%e %M' "$bin" check --json "$work/$f" > "$work/out" 2> /dev/null || true
    code=$(grep -o '"code":"[^"]*"' "$work/out" | head -n1 | cut -d'"' -f4)
    read -r seconds kb <<< "$(tail -n1 "$work/time")"
    printf '| %s | %s | %s | %s s | %s MB |\n' "$f" "$size" "$code" "$seconds" "$(( kb / 1000 ))"
done
