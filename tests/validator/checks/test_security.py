"""The security family: OJ701–OJ704 on shell interpolations, OJ705 secrets, OJ706 webhooks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.api import CheckReport, check
from ojlang.validator.checker import CheckOptions
from ojlang.validator.checks.security import find_secret, is_loopback, secretish_key
from ojlang.validator.diagnostic import Applicability
from ojlang.validator.explanations import EXPLANATIONS
from ojlang.validator.render import render

CODES = ("OJ701", "OJ702", "OJ703", "OJ704", "OJ705", "OJ706")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def run(root: Path, text: str) -> CheckReport:
    (root / "runbooks" / "r.toml").write_text(text, encoding="utf-8")
    return check(cwd=root, options=CheckOptions(shellcheck=False))


def found(report: CheckReport) -> list[tuple[str, int, int, int]]:
    return [
        (d.code, d.span.line, d.span.col, d.span.end_col)
        for d in report.diagnostics
        if d.code in CODES
    ]


def command(run_text: str) -> str:
    return f'[command.c]\nargs = "<a> <b>"\nrun = """\n{run_text}"""\n'


# -- OJ701–OJ704 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run_text, expected",
    [
        ("make {a | raw}", [("OJ701", 4, 6, 15)]),
        ("echo {a | default('x') | raw}", [("OJ701", 4, 6, 30)]),
        ("cat <<'EOF'\n{a}\nEOF", [("OJ702", 5, 1, 4)]),
        ("cat <<EOF\n{a}\nEOF", []),
        ("bash -c 'make {a}'", [("OJ703", 4, 15, 18)]),
        ("bash -c 'echo \"$1\"' _ {a}", []),
        ("ssh host ls {a}", [("OJ703", 4, 13, 16)]),
        ("eval {a}", [("OJ703", 4, 6, 9)]),
        ("{a} check .", [("OJ704", 4, 1, 4)]),
        ("make lint TOOL={a}", []),
        ("X={a} make", []),
        ("# run {a} later\necho", []),
        ('echo {a}; "{b}" --x', [("OJ704", 4, 12, 15)]),
        # One diagnostic per interpolation: `raw` wins.
        ("{a | raw} x", [("OJ701", 4, 1, 10)]),
        ("cat <<'EOF'\n{a | raw}\nEOF", [("OJ701", 5, 1, 10)]),
        ("bash <<EOF\necho {a}\nEOF", [("OJ703", 5, 6, 9)]),
    ],
)
def test_shell_interpolations(
    root: Path, run_text: str, expected: list[tuple[str, int, int, int]]
) -> None:
    assert found(run(root, command(run_text))) == expected


def test_messages_and_help(root: Path, snapshot: SnapshotAssertion) -> None:
    text = command(
        "make {a | raw}\ncat > f <<'END'\n{a}\nEND\nbash -c \"x {a}\"\nssh h {b}\neval {b}\n"
        "{b} x\nbash <<EOF\n{a}\nEOF\n"
    )
    report = run(root, text)
    out = render(report.diagnostics, "full", sources=report.sources, runbooks=1, color=False)
    assert out.stdout == snapshot


def test_spec_example_output(root: Path) -> None:
    text = (
        '[command.deploy]\nargs = "<stage> <region>"\nrun = "deploy {stage} > {region | raw}.log"\n'
    )
    report = run(root, text)
    out = render(report.diagnostics, "full", sources=report.sources, runbooks=1, color=False)
    assert out.stdout.splitlines()[:6] == [
        "warning[OJ701]: `{region | raw}` is inserted into shell without escaping",
        " --> runbooks/r.toml:3:25",
        "  |",
        '3 | run = "deploy {stage} > {region | raw}.log"',
        "  | " + " " * 24 + "^" * 14 + " not escaped",
        "  |",
    ]


# -- OJ705 --------------------------------------------------------------------------------------

GH = "ghp_Z3x9QmT4LbV7cN2rK8wD5yH1sF6jP0aE4uGt"


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("X", GH, (0, 40, "token", "GitHub token")),
        ("X", f"Bearer {GH}", (7, 47, "token", "GitHub token")),
        (
            "X",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            (0, 57, "token", "GitHub token"),
        ),
        ("X", "AKIAIOSFODNN7EXAMPLE", (0, 20, "access key", "AWS access key ID")),
        ("X", "xoxb-1234567890-abcdefghij", (0, 26, "token", "Slack token")),
        ("X", "-----BEGIN RSA PRIVATE KEY-----\nMII", (0, 31, "private key", "private key")),
        ("url", "https://bob:hunter2@example.com/x", (12, 19, "password", "password in the URL")),
        ("url", "https://x.io/h?token=0123456789abcdef0123", (21, 41, "token", "token in the URL")),
        (
            "api_key",
            "  9f86d081884c7d659a2feaa0c55ad015a3bf4f1b  ",
            (2, 42, "secret", "long random value"),
        ),
        ("dbPassword", "Zx81LqP0vN4mB7cT2wR9", (0, 20, "secret", "long random value")),
        ("token", "{env.GH_TOKEN}", None),
        ("token", "Bearer {env.GH_TOKEN}", None),
        ("password", "correcthorsebatterystaple", None),
        ("name", "Zx81LqP0vN4mB7cT2wR9", None),
        ("url", "https://{env.USER}:{env.PASS}@example.com", None),
        ("key", "my-service-name-2024-production", None),
        ("X", "ghp_short", None),
    ],
)
def test_find_secret(key: str, value: str, expected: tuple[int, int, str, str] | None) -> None:
    assert find_secret(key, value) == expected


@pytest.mark.parametrize(
    "key, expected",
    [
        ("token", True),
        ("GH_TOKEN", True),
        ("api_key", True),
        ("apiKey", True),
        ("dbPassword", True),
        ("client-secret", True),
        ("ssh.key", True),
        ("monkey", False),
        ("keyboard_layout", False),
        ("author", False),
        ("name", False),
    ],
)
def test_secretish_key(key: str, expected: bool) -> None:
    assert secretish_key(key) is expected


SECRETS = f'''[config]
base = "main"
api_key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
[config.slack]
token = "xoxb-1234567890-abcdefghij"
list = ["ok", "{GH}"]

[pipeline.p]
phase = [{{ name = "fix", task = "coder" }}]

[task.coder]
prompt = "Fix it."
env = {{ GH_TOKEN = "{GH}", HOME_DIR = "/home/me", OTHER = "{{env.GH_TOKEN}}" }}

[action.a]
cooldown = "1m"
command = "true"
args = {{ token = "Zx81LqP0vN4mB7cT2wR9", nested = {{ k = "AKIAIOSFODNN7EXAMPLE" }} }}

[watcher.w]
source = "true"
check_interval = "1m"
response = [{{ action = "a", args = {{ auth = "{GH}" }} }}]

[notify]
webhook = "https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnopqrstuvwx"
'''


def test_hardcoded_secrets(root: Path, snapshot: SnapshotAssertion) -> None:
    report = run(root, SECRETS)
    assert [(c, line, col) for c, line, col, _ in found(report)] == [
        ("OJ705", 3, 12),
        ("OJ705", 5, 10),
        ("OJ705", 6, 16),
        ("OJ705", 13, 21),
        ("OJ705", 18, 19),
        ("OJ705", 18, 58),
        ("OJ705", 23, 46),
        ("OJ705", 26, 20),
    ]
    secrets = [d for d in report.diagnostics if d.code == "OJ705"]
    out = render(secrets, "full", sources=report.sources, runbooks=1, color=False)
    assert out.stdout == snapshot


# -- OJ706 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, expected",
    [
        ("localhost", True),
        ("localhost:8080", True),
        ("api.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10:99", True),
        ("[::1]:8080", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
        ("[::2]", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://hooks.example.com/oj", [("OJ706", 2, 12, 16)]),
        ("HTTP://bob@hooks.example.com:80/oj", [("OJ706", 2, 12, 16)]),
        ("https://hooks.example.com/oj", []),
        ("http://localhost:9000/hook", []),
        ("http://127.0.0.1/hook", []),
        ("http://{config.host}/hook", []),
        ("{config.url}", []),
    ],
)
def test_insecure_webhook(root: Path, url: str, expected: list[tuple[str, int, int, int]]) -> None:
    text = f'[notify]\nwebhook = "{url}"\n[config]\nhost = "h"\nurl = "u"\n'
    assert found(run(root, text)) == expected


def test_insecure_webhook_has_an_unsafe_fix(root: Path) -> None:
    [d] = run(root, '[notify]\nwebhook = "http://hooks.example.com/oj"\n').diagnostics
    assert d.message == "webhook uses plain `http`"
    assert d.help == "use `https`"
    assert d.fix is not None
    assert d.fix.applicability is Applicability.UNSAFE
    assert [(e.span.col, e.span.end_col, e.replacement) for e in d.fix.edits] == [(12, 16, "https")]


# -- oj explain examples --------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_explanation_examples(code: str) -> None:
    entry = EXPLANATIONS[code]
    for text, path, expect in (
        (entry.bad, entry.path, True),
        (entry.good, entry.fixed_path, False),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            target = project / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            report = check(cwd=project, options=CheckOptions(shellcheck=False))
            assert (code in {d.code for d in report.diagnostics}) is expect, (code, path)
