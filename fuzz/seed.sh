#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seed inputs for every fuzz target.
#
# Sources: testdata/*.msrcincident and testdata/hostile/* (if any) from this repository,
# ../shared/interop (real Windows files, when present) and the Connection Strings 2 and
# passwords in ../shared/vectors/crypto.json. The corpus is git-ignored: rerun this script on a
# fresh clone. Files are named by their SHA-1, as libFuzzer names its own corpus entries, so
# rerunning adds nothing twice. Needs python3.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
SHARED="${RAINV_SHARED:-$ROOT/../shared}"

exec python3 - "$ROOT" "$SHARED" <<'PY'
import base64, glob, hashlib, json, os, re, sys

root, shared = sys.argv[1], sys.argv[2]
corpus = os.path.join(root, "fuzz", "corpus")
counts = {}

def add(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.join(corpus, target)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

def read(path):
    with open(path, "rb") as f:
        return f.read()

def decode(data):
    """The text of an invitation file, sniffed as rainv does (BOM, UTF-16 NULs, else 8-bit)."""
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", "replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if len(data) > 1 and data[1] == 0:
        return data.decode("utf-16-le", "replace")
    return data.decode("latin-1")

def attribute(text, name):
    m = re.search(r'\b%s="([^"]*)"' % name, text)
    return m.group(1).replace("&amp;", "&") if m else None

def password_for(path):
    """The password beside an invitation file (x.msrcincident -> x.password), if any."""
    if not path.endswith(".msrcincident"):
        return None
    candidate = path[: -len(".msrcincident")] + ".password"
    if os.path.isfile(candidate):
        return read(candidate).decode("utf-8", "replace").rstrip("\r\n")
    if os.sep + "hostile" + os.sep in path:
        return "HOSTILE12345"  # testdata/hostile/README.md: every LHTICKET there uses it
    return None

def decrypt_seed(password, rest):
    pw = password.encode("utf-8")[:255]
    return bytes([len(pw)]) + pw + (rest.encode("utf-8") if isinstance(rest, str) else rest)

# Invitation files, ours and Windows'.
files = sorted(glob.glob(os.path.join(root, "testdata", "*.msrcincident")))
files += sorted(p for p in glob.glob(os.path.join(root, "testdata", "hostile", "**", "*"),
                                      recursive=True) if os.path.isfile(p))
interop = os.path.join(shared, "interop")
if os.path.isdir(interop):
    files += sorted(glob.glob(os.path.join(interop, "*.msrcincident")))
else:
    print(f"note: {interop} not found; seeding without the Windows files", file=sys.stderr)

for path in files:
    data = read(path)
    add("read", data)
    add("token_sources", data)
    add("scan_mail", data)
    text = decode(data)
    rc = attribute(text, "RCTICKET")
    if rc:
        add("connection_string1", rc)
    lh = attribute(text, "LHTICKET")
    password = password_for(path)
    if lh:
        add("decrypt", decrypt_seed(password or "", lh))
    stub = attribute(text, "PassStub")
    if stub:
        add("blob", "%d;NAME=Expert%d;PASS=%s" % (len("NAME=Expert"), len("PASS=") + 64, "00" * 32))

# A decrypted Windows 7 ticket.
lhticket_txt = os.path.join(interop, "windows7.lhticket.txt")
if os.path.exists(lhticket_txt):
    cs2 = read(lhticket_txt)
    add("connection_string2", cs2)
    add("read", cs2)
    add("token_sources", cs2)

# Crypto vectors: Connection Strings 2 with passwords and their LHTICKETs.
vectors_path = os.path.join(shared, "vectors", "crypto.json")
if os.path.exists(vectors_path):
    with open(vectors_path, encoding="utf-8") as f:
        vectors = json.load(f)
    for v in vectors.get("lhticket", []):
        add("connection_string2", v["plaintext"])
        add("read", v["plaintext"])
        add("read", b"\xff\xfe" + v["plaintext"].encode("utf-16-le"))
        add("decrypt", decrypt_seed(v["password"], v["lhticket_hex"]))
        add("decrypt", decrypt_seed(v["password"], v["plaintext"]))
    for v in vectors.get("pass_stub_encrypt", []):
        name = "Expert"
        add("blob", "%d;NAME=%s%d;PASS=%s" % (len(name) + 5, name, len(v["encrypted_hex"]) + 5,
                                               v["encrypted_hex"]))
    for v in vectors.get("derive_aes_key", []):
        add("decrypt", decrypt_seed(v["password"], "<E/>\r\n"))
else:
    print(f"note: {vectors_path} not found; seeding without the crypto vectors", file=sys.stderr)

# The specification's examples (MS-RAI 2.2.1, 2.2.2) and the published blobs.
add("connection_string1", "65538,1,172.31.243.138:3389;MIKE_HOME:3389,*,"
    "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,RcfwecK8dpcT1fjZ6iQ5M0+q7iU=")
add("connection_string2", '<E>\n<A KH="YiKwWUY8Ioq5NB3wAQHSbs5kwrM=" '
    'KH2="sha256:wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=" '
    'ID="8rYm30RBW8/4dAWoUsWbFCF5jno/7jr5tNpHQc2goLbw4uuBBJvLsU02YYLlBMg5"/>\n<C>\n'
    '<T ID="1" SID="1440550163">\n<L P="49749" N="2001:4898:1a:5:79e2:3356:9b22:3470"/>\n'
    '<L P="49751" N="172.31.250.64"/>\n</T>\n</C>\n</E>')
add("blob", "20;NAME=Edgar Olougouna69;PASS=3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90")
add("blob", "13;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER")
add("blob", "8;NAME=Zoë7;PASS=00")

# Mail messages carrying the invitation files as attachments (for the scan_mail target).
for i, path in enumerate(files[:8]):
    data = read(path)
    body = base64.encodebytes(data).decode("ascii")
    name = os.path.basename(path)
    message = (
        "From: novice@example.org\r\nTo: helpdesk@example.org\r\n"
        "Subject: Remote Assistance invitation\r\nMessage-ID: <seed%d@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n"
        "--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease help.\r\n"
        "--BOUNDARY\r\nContent-Type: application/octet-stream; name=\"%s\"\r\n"
        "Content-Disposition: attachment; filename=\"%s\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BOUNDARY--\r\n" % (i, name, name, body.replace("\n", "\r\n")))
    add("scan_mail", message)
    # The same message forwarded inside another, and the file attached without a name.
    add("scan_mail",
        "From: helpdesk@example.org\r\nSubject: Fwd: invitation\r\n"
        "Message-ID: <fwd%d@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"OUTER\"\r\n\r\n"
        "--OUTER\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--OUTER\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--OUTER--\r\n" % (i, message))
    add("scan_mail", message.replace('; name="%s"' % name, "")
        .replace('Content-Disposition: attachment; filename="%s"' % name,
                 "Content-Disposition: attachment"))

# Messages forwarded 9 (one past rainv's limit), 200 and 20,000 levels deep: the last is
# over 1 MB, which -max_len=1048576 cuts to about 15,000 levels.
def nested(levels):
    inner = ("From: a@example.org\r\nMessage-ID: <inner@example.org>\r\n"
             "Content-Type: application/octet-stream; name=\"a.msrcincident\"\r\n\r\n"
             "<UPLOADINFO/>\r\n")
    for level in range(levels):
        inner = ("From: a@example.org\r\nMessage-ID: <n%d@example.org>\r\n"
                 "Content-Type: message/rfc822\r\n\r\n" % level) + inner
    return inner


for levels in (9, 200, 20000):
    add("scan_mail", nested(levels))

# The inspect target: its first byte picks the name (see fuzz_targets/inspect.rs); the
# corpus's archives under the name their extension gives, and every file as a plain attachment.
INSPECT_NAMES = [".bin", ".zip", ".7z", ".tar", ".tar.gz", ".msrcincident.gz", ".tar.bz2",
                 ".txz", ".tar.zst", ".msrcincident", ".rar", ".iso"]
for path in sorted(glob.glob(os.path.join(root, "testdata", "hostile", "*--*"))) + files:
    data = read(path)
    add("inspect", bytes([0]) + data)
    for index, ext in enumerate(INSPECT_NAMES):
        if index and path.endswith(ext):
            add("inspect", bytes([index]) + data)

for target in sorted(counts):
    print(f"{target}: {counts[target]} new seed(s)")
PY
