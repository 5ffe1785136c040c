"""The realistic-mistakes corpus: whole runbooks in, exactly the diagnostics of their sidecar
`.expected` out; and `oj check --fix` on each fixable one.

`corpus/<name>.toml` is a runbook as people write them, with several mistakes of different
families; `corpus/<name>.expected` lists every diagnostic it must get as `CODE line:col`, one per
line (`#` starts a comment). `corpus/<name>.files/` holds other files of the project (prompt
files), copied to the project root. Each runbook is checked alone (no user library, no
standard library), without shellcheck, and must get no more and no fewer diagnostics.

Fix acceptance: for every runbook with applicable fixes, `oj check --fix` (and, when it has
unsafe fixes, `oj check --fix --unsafe-fixes`) then `oj check` reports exactly the expected
diagnostics minus the fixed ones, and the file changed only on the lines of the fixes (the
unified diff is snapshotted).
"""

from __future__ import annotations

import collections
import difflib
import re
import shutil
from pathlib import Path

import attrs
import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.api import CheckReport, check
from ojlang.cli.main import main
from ojlang.validator.checker import CheckOptions
from ojlang.validator.diagnostic import Applicability, Diagnostic

CORPUS = Path(__file__).parent / "corpus"
_LINE = re.compile(r"(OJ\d{3}) (\d+):(\d+)\Z")

# Runbooks whose expectations need a check nobody has written yet (strict: remove the entry
# when the check lands).
MISSING_CHECKS: dict[str, str] = {}

Found = tuple[str, int, int]


@attrs.frozen
class Entry:
    path: Path
    expected: tuple[Found, ...]

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def files(self) -> Path:
        return self.path.with_suffix(".files")


def read_expected(path: Path) -> tuple[Found, ...]:
    found: list[Found] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"{path.name}: bad line `{raw}`")
        found.append((m[1], int(m[2]), int(m[3])))
    return tuple(sorted(found))


ENTRIES = [
    Entry(p, read_expected(p.with_suffix(".expected"))) for p in sorted(CORPUS.glob("*.toml"))
]


def _params() -> list[object]:
    out = []
    for entry in ENTRIES:
        marks = []
        if entry.name in MISSING_CHECKS:
            marks.append(pytest.mark.xfail(strict=True, reason=MISSING_CHECKS[entry.name]))
        out.append(pytest.param(entry, id=entry.name, marks=marks))
    return out


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    return root


def materialize(entry: Entry, root: Path) -> Path:
    target = root / "runbooks" / entry.path.name
    shutil.copyfile(entry.path, target)
    if entry.files.is_dir():
        shutil.copytree(entry.files, root, dirs_exist_ok=True)
    return target


def run(entry: Entry, root: Path) -> CheckReport:
    return check([f"runbooks/{entry.path.name}"], cwd=root, options=CheckOptions(shellcheck=False))


def found_of(diagnostics: tuple[Diagnostic, ...]) -> list[Found]:
    return sorted((d.code, d.span.line, d.span.col) for d in diagnostics)


def test_the_corpus_is_big_enough_and_complete() -> None:
    assert len(ENTRIES) >= 25
    sidecars = {p.stem for p in CORPUS.glob("*.expected")}
    assert sidecars == {e.name for e in ENTRIES}
    codes = {code for e in ENTRIES for code, _l, _c in e.expected}
    assert len(codes) >= 60  # many families, not one code over and over


@pytest.mark.parametrize("entry", _params())
def test_runbook_gets_exactly_its_expected_diagnostics(entry: Entry, project: Path) -> None:
    materialize(entry, project)
    report = run(entry, project)
    got = collections.Counter(found_of(report.diagnostics))
    want = collections.Counter(entry.expected)
    assert (sorted((got - want).elements()), sorted((want - got).elements())) == ([], [])


# -- --fix acceptance ---------------------------------------------------------------------------


# Runbooks with safe fixes (renames, durations, unused suppressions) and with unsafe ones
# (OJ310, OJ311, OJ706 rewrites); `test_the_fixable_lists_are_complete` keeps them honest.
FIXABLE_SAFE = (
    "bugfix_queue",
    "crlf_windows",
    "schema_mistakes",
    "shell_suppressions",
    "ship_feature",
    "suppressed",
)
FIXABLE_UNSAFE = ("notify_hooks", "prompts_missing")


def test_the_fixable_lists_are_complete(project: Path) -> None:
    safe, unsafe = [], []
    for entry in ENTRIES:
        root = project / entry.name
        (root / "runbooks").mkdir(parents=True)
        materialize(entry, root)
        report = run(entry, root)
        if any(_applies(d, False) for d in report.diagnostics):
            safe.append(entry.name)
        if any(_applies(d, True) and not _applies(d, False) for d in report.diagnostics):
            unsafe.append(entry.name)
    assert (tuple(safe), tuple(unsafe)) == (FIXABLE_SAFE, FIXABLE_UNSAFE)


def oj_check(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-shellcheck", "--format", "concise", *argv])
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def _applies(d: Diagnostic, unsafe: bool) -> bool:
    if d.fix is None:
        return False
    if d.fix.applicability is Applicability.SAFE:
        return True
    return unsafe and d.fix.applicability is Applicability.UNSAFE


@pytest.mark.parametrize(
    ("entry", "unsafe"),
    [
        *[pytest.param(e, False, id=f"{e.name}-safe") for e in ENTRIES if e.name in FIXABLE_SAFE],
        *[
            pytest.param(e, True, id=f"{e.name}-unsafe")
            for e in ENTRIES
            if e.name in FIXABLE_UNSAFE
        ],
    ],
)
def test_fix_then_check(
    entry: Entry,
    unsafe: bool,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    snapshot: SnapshotAssertion,
) -> None:
    target = materialize(entry, project)
    before = target.read_bytes()
    report = run(entry, project)
    fixed = [d for d in report.diagnostics if _applies(d, unsafe)]
    assert fixed, "the runbook has no fix of this kind any more: update FIXABLE_*"
    monkeypatch.chdir(project)
    flags = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    oj_check(*flags, f"runbooks/{entry.path.name}")
    out = capsys.readouterr().out
    assert f"Fixed {len(fixed)} problem" in out
    after = target.read_bytes()
    remaining = run(entry, project).diagnostics
    # Exactly the fixed diagnostics are gone (by code and line: a fix may move columns).
    want = collections.Counter((d.code, d.span.line) for d in report.diagnostics)
    want -= collections.Counter((d.code, d.span.line) for d in fixed)
    assert collections.Counter((d.code, d.span.line) for d in remaining) == want
    assert not [d for d in remaining if _applies(d, unsafe)]
    # Only the lines holding a fix changed; everything else is byte-identical.
    edited = {
        line
        for d in fixed
        if d.fix is not None
        for e in d.fix.edits
        for line in range(e.span.line, e.span.end_line + 1)
    }
    old_lines = before.split(b"\n")
    new_lines = after.split(b"\n")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag != "equal":
            assert set(range(i1 + 1, i2 + 1)) <= edited or (i1 == i2 and i1 in edited), tag
    diff = difflib.unified_diff(
        before.decode().splitlines(keepends=True),
        after.decode().splitlines(keepends=True),
        fromfile=f"a/{entry.path.name}",
        tofile=f"b/{entry.path.name}",
    )
    assert "".join(diff) == snapshot
