"""The diagnostic case corpus: `cases/*.toml` in, the exact diagnostics and their renderings out.

Each case is a small runbook whose leading comment lines say what `oj check` must report:

    # expect: OJ102 3:1          one line per diagnostic: code and line:col of the primary span
    # expect: nothing            a near-miss: no diagnostic at all
    # file: deploy.v2.toml       the name the case is checked under (default: the case's own)
    # setup: dangling-symlink    the file is a symlink to nowhere (`symlink-loop`: to itself;
                                 `symlink`: to the case's text kept outside `runbooks/`)
    # aux: PATH: TEXT            another file the case needs, relative to the project root

A case is copied to `tmp_path/runbooks/`, checked through the façade (`ojlang.api.check`)
and must yield exactly the expected (code, line, col) multiset — no more, no fewer. Failing
cases also snapshot their `full` and `json` renderings. `CHECKER_BUGS` lists the cases that
fail because of the checker, not the case (each is described in `/tmp/builder_bugs.md`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.api import CheckReport, check
from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.render import render

CASES_DIR = Path(__file__).parent / "cases"

# The codes this corpus covers: LANGUAGE.md §7.1, §7.2, §7.4 and §7.5; OJ203, OJ501–OJ511 of
# §7.3 and §7.6; OJ601–OJ603, OJ701–OJ706, OJ901–OJ906 of §7.7.
CODES = (
    *(f"OJ{n:03}" for n in range(1, 5)),
    *(f"OJ{n}" for n in range(101, 117)),
    "OJ203",
    "OJ210",
    "OJ212",
    *(f"OJ{n}" for n in range(301, 314)),
    *(f"OJ{n}" for n in range(401, 420)),
    *(f"OJ{n}" for n in range(501, 512)),
    *(f"OJ{n}" for n in (601, 602, 603, 701, 702, 703, 704, 705, 706)),
    *(f"OJ{n}" for n in (901, 902, 903, 904, 905, 906)),
)
# OJ602 cases run shellcheck (and are skipped where it is not installed); others run without.
SHELLCHECK_CODES = ("OJ602",)

# Case stem -> why the checker (not the case) is wrong. Strict: a fix makes the test fail
# until the entry is removed (then run `pytest --snapshot-update` for its snapshots).
CHECKER_BUGS: dict[str, str] = {}

_DIRECTIVE = re.compile(r"#\s*(expect|file|setup|aux):\s*(.*?)\s*\Z")
_EXPECT = re.compile(r"(OJ\d{3})\s+(\d+):(\d+)\Z")
_SETUPS = ("dangling-symlink", "symlink-loop", "symlink")

Expected = tuple[str, int, int]


@attrs.frozen
class Case:
    """One case file and what its directives say."""

    path: Path
    expected: tuple[Expected, ...]  # sorted
    nothing: bool  # `# expect: nothing`
    target: str
    setup: str | None
    aux: tuple[tuple[str, str], ...]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def near_miss(self) -> bool:
        return self.stem.endswith("_ok")


def parse_case(path: Path) -> Case:
    """Read the directives of the leading comment block of `path`."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    expected: list[Expected] = []
    nothing = False
    target = path.name
    setup = None
    aux: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _DIRECTIVE.match(line)
        if match is None:
            continue
        kind, value = match.groups()
        if kind == "expect" and value == "nothing":
            nothing = True
        elif kind == "expect":
            found = _EXPECT.match(value)
            if found is None:
                raise ValueError(f"{path.name}: bad expectation `{value}`")
            expected.append((found[1], int(found[2]), int(found[3])))
        elif kind == "file":
            target = value
        elif kind == "setup":
            if value not in _SETUPS:
                raise ValueError(f"{path.name}: unknown setup `{value}`")
            setup = value
        else:
            name, _, content = value.partition(": ")
            aux.append((name, content + "\n"))
    if nothing == bool(expected):
        raise ValueError(f"{path.name}: needs `# expect: nothing` or `# expect:` lines, not both")
    return Case(path, tuple(sorted(expected)), nothing, target, setup, tuple(aux))


def all_cases() -> list[Case]:
    return [parse_case(p) for p in sorted(CASES_DIR.glob("*.toml"))]


CASES = all_cases()


def _params(cases: list[Case]) -> Iterator[object]:
    for case in cases:
        marks = []
        if case.stem in CHECKER_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=CHECKER_BUGS[case.stem]))
        yield pytest.param(case, id=case.stem, marks=marks)


def materialize(case: Case, root: Path) -> str:
    """Lay the case out as a project under `root`; the path to check, relative to `root`."""
    runbooks = root / "runbooks"
    runbooks.mkdir()
    target = runbooks / case.target
    if case.setup == "dangling-symlink":
        target.symlink_to(root / "gone" / case.target)
    elif case.setup == "symlink-loop":
        target.symlink_to(case.target)
    elif case.setup == "symlink":
        real = root / "elsewhere" / case.target
        real.parent.mkdir()
        real.write_bytes(case.path.read_bytes())
        target.symlink_to(real)
    else:
        target.write_bytes(case.path.read_bytes())
    for name, content in case.aux:
        extra = root / name
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(content, encoding="utf-8")
    return f"runbooks/{case.target}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project root, with the user library pointed at an empty directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    root = tmp_path / "project"
    root.mkdir()
    return root


def run_case(case: Case, root: Path) -> CheckReport:
    shellcheck = case.stem.split("_", 1)[0] in SHELLCHECK_CODES
    if shellcheck and shutil.which("shellcheck") is None:
        pytest.skip("needs shellcheck")
    path = materialize(case, root)
    return check([path], cwd=root, flags={"shellcheck": shellcheck})


def found_of(report: CheckReport) -> list[Expected]:
    return sorted((d.code, d.span.line, d.span.col) for d in report.diagnostics)


@pytest.mark.parametrize("case", list(_params(CASES)))
def test_case_reports_exactly_what_it_expects(case: Case, project: Path) -> None:
    report = run_case(case, project)
    assert found_of(report) == list(case.expected)
    # Every finding is about the file as the user named it (not, say, a symlink's target),
    # or about an `aux` file it uses (a prompt file).
    files = {f"runbooks/{case.target}", *(name for name, _ in case.aux)}
    assert {d.path for d in report.diagnostics} <= files


FAILING = [c for c in CASES if not c.nothing]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.stem) for c in FAILING])
def test_case_renderings(case: Case, project: Path, snapshot: SnapshotAssertion) -> None:
    if case.stem in CHECKER_BUGS:
        pytest.skip("pending a checker fix: see CHECKER_BUGS")
    report = run_case(case, project)
    sources, runbooks = report.sources, report.runbooks
    full = render(report.diagnostics, "full", sources=sources, runbooks=runbooks, color=False)
    as_json = render(report.diagnostics, "json", sources=sources, runbooks=runbooks, color=False)
    # Files outside the project (the user library) are shown by absolute path.
    temporary = str(project.parent)
    assert full.stdout.replace(temporary, "<tmp>") == snapshot(name="full")
    assert as_json.stdout.replace(temporary, "<tmp>") == snapshot(name="json")


# -- the corpus itself ------------------------------------------------------------------------


def _code_of(case: Case) -> str:
    return case.stem.split("_", 1)[0]


def test_every_code_has_a_failing_case_and_a_near_miss() -> None:
    failing = {_code_of(c) for c in CASES if not c.near_miss}
    near = {_code_of(c) for c in CASES if c.near_miss}
    assert [c for c in CODES if c not in failing] == []
    assert [c for c in CODES if c not in near] == []


def test_case_names_follow_code_and_slug() -> None:
    for case in CASES:
        code = _code_of(case)
        assert code in CODES, case.stem
        slug = CATALOGUE[code].slug
        assert case.stem == f"{code}_{slug}" or case.stem.startswith(f"{code}_{slug}_"), case.stem


def test_failing_cases_expect_their_own_code() -> None:
    for case in CASES:
        if not case.near_miss:
            assert _code_of(case) in {e[0] for e in case.expected}, case.stem


def test_near_misses_never_expect_their_own_code() -> None:
    for case in CASES:
        if case.near_miss:
            assert _code_of(case) not in {e[0] for e in case.expected}, case.stem


def test_checker_bug_entries_name_existing_failing_cases() -> None:
    stems = {c.stem for c in CASES}
    assert sorted(set(CHECKER_BUGS) - stems) == []


def test_parse_case_rejects_a_case_without_expectations(tmp_path: Path) -> None:
    bad = tmp_path / "OJ102_unknown-key_x.toml"
    bad.write_text("# a comment\n[command.x]\nrun = 'true'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs"):
        parse_case(bad)


def test_parse_case_reads_every_directive(tmp_path: Path) -> None:
    case_file = tmp_path / "OJ107_invalid-runbook-name_x.toml"
    case_file.write_text(
        "# expect: OJ107 1:1\n# expect: OJ001 4:2\n# file: a.b.toml\n"
        "# aux: runbooks/p.md: Hello {{ who }}\n[command.x]\n# expect: OJ999 9:9\n",
        encoding="utf-8",
    )
    case = parse_case(case_file)
    assert case.expected == (("OJ001", 4, 2), ("OJ107", 1, 1))
    assert case.target == "a.b.toml"
    assert case.aux == (("runbooks/p.md", "Hello {{ who }}\n"),)
