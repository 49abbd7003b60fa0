"""The Python package on real files: the Windows-made invitations of ../shared/interop, the
bundled examples, and the hostile corpus, where every verdict and JSON line must be the
command line's. Run by .ci/python after building the wheel; RAINV_BIN names the `rainv`
binary to compare with (default: target/debug/rainv)."""

import concurrent.futures
import datetime
import json
import os
import pathlib
import subprocess

import pytest

import rainv

ROOT = pathlib.Path(__file__).resolve().parents[3]
TESTDATA = ROOT / "testdata"
HOSTILE = TESTDATA / "hostile"
INTEROP = ROOT.parent / "shared" / "interop"
NOW = "2026-11-22T10:00:00Z"
RAINV_BIN = os.environ.get("RAINV_BIN", str(ROOT / "target" / "debug" / "rainv"))

needs_shared = pytest.mark.skipif(
    not INTEROP.is_dir() and os.environ.get("CI") != "true",
    reason="needs ../shared (the Windows-made files)",
)


def example():
    data = (TESTDATA / "example.msrcincident").read_bytes()
    password = (TESTDATA / "example.password").read_text().strip()
    return data, password


def corpus(mail):
    names = sorted(p for p in HOSTILE.iterdir() if p.is_file())
    if mail:
        return [p for p in names if p.suffix == ".eml"]
    return [p for p in names if p.suffix not in (".eml", ".md", ".py", ".baseline")]


def cli_lines(*args):
    """The JSON lines the command line prints, grouped by their "file"."""
    out = subprocess.run([RAINV_BIN, *args], capture_output=True, text=True, check=False)
    lines = {}
    # Lines end at "\n" only: a value may hold U+2028, which splitlines() would split at.
    for line in filter(None, out.stdout.split("\n")):
        lines.setdefault(json.loads(line)["file"], []).append(line)
    return lines


def interop(name):
    data = (INTEROP / f"{name}.msrcincident").read_bytes()
    password = (INTEROP / f"{name}.password").read_text().splitlines()[0].strip()
    return data, password


@needs_shared
@pytest.mark.parametrize("name,kind", [("windows-xp", "xp"), ("windows7", "vista"), ("windows10", "vista")])
def test_windows_files_read_decrypt_and_prove(name, kind):
    data, password = interop(name)
    invitation = rainv.read(data)
    assert invitation.kind == kind
    assert invitation.username
    assert invitation.valid_until - invitation.valid_from == datetime.timedelta(
        minutes=invitation.length_minutes
    )
    # Valid at its own start, expired long since.
    assert invitation.status(invitation.valid_from) == "valid"
    assert invitation.status() == "expired"
    if kind == "vista":
        ticket = invitation.decrypt(password)
        assert ticket.listeners and all(l.address for l in ticket.listeners)
        with pytest.raises(rainv.WrongPasswordError) as wrong:
            invitation.decrypt(password + "x")
        assert wrong.value.code == "password.wrong"
        assert isinstance(wrong.value, rainv.Error)
    else:
        assert invitation.rc_ticket.addresses[0].port > 0
        with pytest.raises(ValueError):
            invitation.decrypt(password)
    proof = rainv.pass_stub.encrypt(password, invitation.pass_stub)
    assert rainv.pass_stub.verify(password, invitation.pass_stub, proof)
    assert not rainv.pass_stub.verify(password + "x", invitation.pass_stub, proof)
    # The open line is the command line's.
    line = rainv.open_json(data, password=password, now=NOW, file=str(INTEROP / f"{name}.msrcincident"))
    password_file = INTEROP / f"{name}.password"
    expected = cli_lines("open", "--json", "--now", NOW, "--password-file", str(password_file), str(INTEROP / f"{name}.msrcincident"))
    assert [line] == list(expected.values())[0]


def test_the_example_decrypts_and_a_wrong_password_is_refused():
    data, password = example()
    invitation = rainv.read(data)
    assert (invitation.kind, invitation.username) == ("vista", "helpdesk-demo")
    assert invitation.status(NOW) == "valid"
    assert invitation.status(datetime.datetime(2026, 11, 22, 10, tzinfo=datetime.timezone.utc)) == "valid"
    assert invitation.status(0) == "not-yet-valid"
    assert [l.port for l in invitation.decrypt(password).listeners] == [49228, 49230, 49230]
    with pytest.raises(rainv.WrongPasswordError):
        rainv.open_json(data, password="wrong", now=NOW)
    report = rainv.validate(data, now=NOW, password=password)
    assert report.accepted and report.verdict == "accept" and report.kind == "vista"


@pytest.mark.parametrize("path", corpus(mail=False), ids=lambda p: p.name)
def test_check_gives_the_command_lines_verdicts_and_json(path, cli_check):
    data = path.read_bytes()
    reports = rainv.check(data, name=str(path), now=NOW)
    assert [r.to_json(str(path)) for r in reports] == cli_check[str(path)]
    if len(reports) == 1 and not reports[0].inside and path.suffix == ".msrcincident":
        # A file that is not an archive: validate is check's one report.
        assert rainv.validate(data, now=NOW).to_json(str(path)) == cli_check[str(path)][0]


@pytest.mark.parametrize("path", corpus(mail=True), ids=lambda p: p.name)
def test_scan_mail_gives_the_command_lines_verdicts_and_json(path, cli_scan):
    data = path.read_bytes()
    expected = cli_scan.get(str(path), [])
    try:
        reports = rainv.scan_mail(data, now=NOW)
    except rainv.MailError as e:
        # The command line reports it not inspected, with the same message.
        assert [json.loads(l)["error"] for l in expected] == [str(e)]
        return
    assert [r.to_json(str(path)) for r in reports] == expected


@pytest.mark.parametrize("path", [p for p in corpus(mail=False) if p.suffix == ".msrcincident"], ids=lambda p: p.name)
def test_open_json_is_the_command_lines(path, cli_open):
    data = path.read_bytes()
    (expected,) = cli_open[str(path)]
    try:
        line = rainv.open_json(data, now=NOW, file=str(path))
    except rainv.FormatError as e:
        # The command line's line for a file it cannot read carries the same error.
        assert json.loads(expected)["error"] == str(e)
        assert e.code
        return
    assert line == expected


@pytest.fixture(scope="module")
def cli_check():
    return cli_lines("check", "--json", "--jobs", "1", "--now", NOW, *map(str, corpus(mail=False)))


@pytest.fixture(scope="module")
def cli_scan():
    return cli_lines("scan-mail", "--json", "--jobs", "1", "--now", NOW, *map(str, corpus(mail=True)))


@pytest.fixture(scope="module")
def cli_open():
    files = [p for p in corpus(mail=False) if p.suffix == ".msrcincident"]
    return cli_lines("open", "--json", "--no-decrypt", "--now", NOW, *map(str, files))


def test_errors_form_a_hierarchy_with_codes():
    with pytest.raises(rainv.FormatError) as e:
        rainv.read(b"<html/>")
    assert e.value.code == "format.structure" and e.value.hint
    with pytest.raises(rainv.LimitError) as e:
        rainv.read(b" " * 300_000)
    assert isinstance(e.value, rainv.FormatError) and e.value.code == "size.too-large"
    with pytest.raises(rainv.PolicyError) as e:
        rainv.Policy("max_size_bytes = 'big'")
    assert "line 1" in str(e.value)
    with pytest.raises(rainv.FormatError):
        rainv.pass_stub.verify("p", "stub", "not hex")
    with pytest.raises(ValueError):
        rainv.validate(b"", now="yesterday")
    with pytest.raises(TypeError):
        rainv.validate(b"", now=datetime.datetime(2026, 1, 1))  # naive: no time zone
    with pytest.raises(TypeError):
        rainv.validate(b"", policy=42)


def test_a_policy_changes_the_verdict():
    xp = (TESTDATA / "ms-rai-sample-xp.msrcincident").read_bytes()
    assert not rainv.validate(xp).accepted
    assert [f.code for f in rainv.validate(xp).findings][0] == "validity.expired"
    lenient = rainv.Policy("allow_expired = true\nmax_validity_minutes = 0\n")
    assert rainv.validate(xp, policy=lenient).accepted
    assert rainv.validate(xp, policy="allow_expired = true\nmax_validity_minutes = 0\n").accepted


def test_threads_judge_at_once_with_the_same_results():
    files = [p.read_bytes() for p in corpus(mail=False)]
    policy = rainv.Policy()
    alone = [[r.to_json() for r in rainv.check(d, policy=policy, now=NOW)] for d in files]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda d: [r.to_json() for r in rainv.check(d, policy=policy, now=NOW)], files))
    assert together == alone


def test_a_bare_ticket_has_its_listeners_without_a_password():
    bare = next(p for p in corpus(mail=False) if rainv_kind(p) == "connection-string")
    invitation = rainv.read(bare.read_bytes())
    assert invitation.username is None and invitation.status() is None
    assert invitation.ticket is not None
    assert [l.address for l in invitation.listeners] == [l.address for l in invitation.ticket.listeners]


def rainv_kind(path):
    try:
        return rainv.read(path.read_bytes()).kind
    except rainv.Error:
        return None
