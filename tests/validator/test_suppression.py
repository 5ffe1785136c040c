"""Suppression comments: what `# oj: ignore[…]` and `# oj: ignore-file[…]` hide, and OJ905."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.api import CheckReport, check
from ojlang.validator.checker import CheckOptions
from ojlang.validator.diagnostic import Applicability
from ojlang.validator.fixer import apply_fixes


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def run(root: Path, text: str, **options: object) -> CheckReport:
    (root / "runbooks" / "r.toml").write_text(text, encoding="utf-8")
    opts = CheckOptions(shellcheck=False, **options)  # type: ignore[arg-type]
    return check(["runbooks/r.toml"], cwd=root, options=opts)


def found(report: CheckReport) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in report.diagnostics]


CMD = '[command.c]\nrun = "echo {nope}"'  # OJ301 at 2:14


def test_a_trailing_comment_suppresses_its_line(root: Path) -> None:
    assert found(run(root, f"{CMD}\n")) == [("OJ301", 2, 14)]
    assert found(run(root, f"{CMD}  # oj: ignore[OJ301]\n")) == []


def test_a_comment_alone_on_its_line_suppresses_the_next_line_only(root: Path) -> None:
    text = '[command.c]\n# oj: ignore[OJ301]\nrun = "echo {nope}"\n'
    assert found(run(root, text)) == []
    text = '[command.c]\n# oj: ignore[OJ301]\n\nrun = "echo {nope}"\n'
    assert found(run(root, text)) == [("OJ905", 2, 14), ("OJ301", 4, 14)]


def test_a_trailing_comment_does_not_reach_the_next_line(root: Path) -> None:
    text = '[command.c]  # oj: ignore[OJ301]\nrun = "echo {nope}"\n'
    assert found(run(root, text)) == [("OJ905", 1, 27), ("OJ301", 2, 14)]


@pytest.mark.parametrize("words", ["undefined-variable", "OJ3", "OJ30", "all", "OJ102, OJ301"])
def test_words_are_codes_prefixes_slugs_or_all(root: Path, words: str) -> None:
    report = run(root, f"{CMD}  # oj: ignore[{words}]\n")
    assert [d.code for d in report.diagnostics] == (["OJ905"] if "OJ102" in words else [])


def test_each_unused_word_is_reported_where_it_is_written(root: Path) -> None:
    report = run(root, f"{CMD}  # oj: ignore[OJ301, raw-in-shell]\n")
    (d,) = report.diagnostics
    assert (d.code, d.span.line, d.span.col, d.span.end_col) == ("OJ905", 2, 42, 54)
    assert d.message == "suppression of `raw-in-shell` is unused"
    assert d.label == "suppresses nothing"


@pytest.mark.parametrize(
    ("comment", "message", "help"),
    [
        (
            "# oj: ignore[undefined-varible]",
            "unknown code `undefined-varible` in a suppression",
            "a code with a similar name exists: `undefined-variable`",
        ),
        (
            "# oj: ignore",
            "`oj: ignore` without codes suppresses nothing",
            "name the codes to suppress, e.g. `# oj: ignore[OJ301]`",
        ),
        (
            "# oj: ignore[ ]",
            "`oj: ignore` without codes suppresses nothing",
            "name the codes to suppress, e.g. `# oj: ignore[OJ301]`",
        ),
        (
            "# oj: ingore[OJ301]",
            "unknown suppression `oj: ingore`",
            "a suppression with a similar name exists: `ignore`",
        ),
    ],
)
def test_malformed_directives_suppress_nothing(
    root: Path, comment: str, message: str, help: str
) -> None:
    report = run(root, f"{CMD}  {comment}\n")
    assert [d.code for d in report.diagnostics] == ["OJ301", "OJ905"]
    d = report.diagnostics[1]
    assert (d.message, d.help) == (message, help)


def test_text_before_and_after_the_directive(root: Path) -> None:
    text = f"{CMD}  # legacy tool  # oj: ignore[OJ301] until v2\n"
    assert found(run(root, text)) == []
    text = f"{CMD}  # see oj: ignore[OJ301]\n"  # not right after a `#`: just a comment
    assert found(run(root, text)) == [("OJ301", 2, 14)]


MULTILINE = """[command.c]
run = \"\"\"
echo one
echo {nope}
\"\"\"
"""


def test_a_comment_above_the_key_of_a_multiline_string(root: Path) -> None:
    assert found(run(root, MULTILINE)) == [("OJ301", 4, 7)]
    text = MULTILINE.replace("run =", "# oj: ignore[OJ301]\nrun =")
    assert found(run(root, text)) == []


def test_a_comment_above_a_key_holding_an_array_of_multiline_strings(root: Path) -> None:
    text = """[pipeline.p]
inputs = ["x"]
phase = [
  # oj: ignore[OJ301]
  { name = "a", run = \"\"\"
echo {x} {nope}
\"\"\" },
]
"""
    assert found(run(root, text)) == []


SHELL = """[command.c]
run = \"\"\"
echo {a}  # oj: ignore[OJ301]
# oj: ignore[OJ301]
echo {b}
echo {c}
echo '# oj: ignore[OJ301]' {d}
\"\"\"
"""


def test_shell_comments_inside_shell_fields(root: Path) -> None:
    assert found(run(root, SHELL)) == [("OJ301", 6, 7), ("OJ301", 7, 29)]


def test_shell_comments_inside_a_one_line_string(root: Path) -> None:
    text = '[command.c]\nrun = "echo {nope}  # oj: ignore[OJ301]"\n'
    assert found(run(root, text)) == []


def test_an_unused_shell_comment_directive(root: Path) -> None:
    text = '[command.c]\nrun = "echo hi  # oj: ignore[OJ301]"\n'
    report = run(root, text)
    assert found(report) == [("OJ905", 2, 30)]


FILE = "# oj: ignore-file[OJ301, OJ903]\n\n" + CMD + "\n\n[cron.t]\ninterval = '1m'\nrun = 'true'\n"


def test_ignore_file_before_the_first_table(root: Path) -> None:
    assert found(run(root, FILE)) == []


def test_ignore_file_after_the_first_table_suppresses_nothing(root: Path) -> None:
    text = CMD + "\n# oj: ignore-file[OJ301]\n"
    report = run(root, text)
    assert found(report) == [("OJ301", 2, 14), ("OJ905", 3, 1)]
    assert report.diagnostics[1].message == (
        "`oj: ignore-file` suppresses nothing here: it must come before the first table"
    )


def test_an_unused_ignore_file_word(root: Path) -> None:
    report = run(root, "# oj: ignore-file[OJ301, OJ902]\n" + CMD + "\n")
    assert found(report) == [("OJ905", 1, 26)]


def test_oj905_is_not_suppressed_by_a_line_directive(root: Path) -> None:
    report = run(root, f"{CMD}  # oj: ignore[OJ301, OJ905, OJ102]\n")
    assert [(d.code, d.message) for d in report.diagnostics] == [
        ("OJ905", "suppression of `OJ905` is unused"),
        ("OJ905", "suppression of `OJ102` is unused"),
    ]
    assert report.diagnostics[0].help is not None
    assert "ignore-file[OJ905]" in report.diagnostics[0].help


def test_oj905_is_suppressed_by_ignore_file(root: Path) -> None:
    text = "# oj: ignore-file[OJ905]\n" + CMD + "  # oj: ignore[OJ301, OJ102]\n"
    assert found(run(root, text)) == []


def test_an_ignore_file_of_oj905_that_silences_nothing_is_unused(root: Path) -> None:
    report = run(root, "# oj: ignore-file[unused-suppression]\n" + CMD + "\n")
    assert found(report) == [("OJ905", 1, 19), ("OJ301", 3, 14)]


def test_suppressions_of_checks_that_did_not_run_are_not_reported(root: Path) -> None:
    text = '[command.c]\nrun = "cd /tmp"  # oj: ignore[OJ602]\n'
    assert found(run(root, text)) == []  # shellcheck did not run: nothing to say
    assert found(run(root, text.replace("OJ602", "OJ602, OJ601"))) == [("OJ905", 2, 38)]


def test_selection_applies_after_suppression(root: Path) -> None:
    text = f"{CMD}  # oj: ignore[OJ301, OJ102]\n"
    assert found(run(root, text, ignore=("OJ905",))) == []
    assert found(run(root, text, select=("OJ3",))) == []


def test_diagnostics_in_other_files_are_not_suppressed(root: Path) -> None:
    (root / "runbooks" / "p.md").write_text("Do {{ nope }}\n", encoding="utf-8")
    text = '[task.t]\nprompt_file = "p.md"  # oj: ignore[OJ301]\n\n[pipeline.p]\n'
    text += 'phase = [{ name = "a", task = "t" }]\n'
    report = run(root, text)
    assert sorted((d.code, d.path) for d in report.diagnostics) == [
        ("OJ301", "runbooks/p.md"),
        ("OJ905", "runbooks/r.toml"),
    ]


# -- the fix of OJ905 ------------------------------------------------------------------------


def fixed(root: Path, text: str) -> str:
    report = run(root, text)
    unused = [d for d in report.diagnostics if d.code == "OJ905"]
    assert unused and all(
        d.fix is not None and d.fix.applicability is Applicability.SAFE for d in unused
    )
    data = text.encode("utf-8")
    return apply_fixes(data, "runbooks/r.toml", unused).data.decode("utf-8")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('[command.c]  # oj: ignore[OJ301]\nrun = "x"\n', '[command.c]\nrun = "x"\n'),
        ('[command.c]\n# oj: ignore[OJ301]\nrun = "x"\n', '[command.c]\nrun = "x"\n'),
        ('[command.c]\nrun = "x" # a # oj: ignore[OJ1]\n', '[command.c]\nrun = "x" # a\n'),
        (f"{CMD}  # oj: ignore[OJ301, OJ102]\n", f"{CMD}  # oj: ignore[OJ301]\n"),
        (f"{CMD}  # oj: ignore[OJ102,OJ301]\n", f"{CMD}  # oj: ignore[OJ301]\n"),
        ('[command.c]\nrun = "true  # oj: ignore[OJ301]"\n', '[command.c]\nrun = "true"\n'),
        (
            '[command.c]\nrun = """\n# oj: ignore[OJ301]\ntrue\n"""\n',
            '[command.c]\nrun = """\ntrue\n"""\n',
        ),
        ("# oj: ignore-file[OJ301]\n[cron.t]\n", "[cron.t]\n"),
    ],
)
def test_the_fix_removes_the_unused_suppression(root: Path, before: str, after: str) -> None:
    assert fixed(root, before) == after


def test_the_explanation_examples(root: Path) -> None:
    from ojlang.validator.explanations import EXPLANATIONS

    entry = EXPLANATIONS["OJ905"]
    assert [d.code for d in run(root, entry.bad).diagnostics] == ["OJ905"]
    assert [d.code for d in run(root, entry.good).diagnostics] == []


def test_a_comment_alone_on_its_line_after_a_reason(root: Path) -> None:
    text = '[command.c]\n# legacy  # oj: ignore[OJ301]\nrun = "echo {nope}"\n'
    assert found(run(root, text)) == []
    text = '[command.c]\nrun = """\n# legacy  # oj: ignore[OJ301]\necho {nope}\n"""\n'
    assert found(run(root, text)) == []
    assert fixed(root, '[command.c]\n# why  # oj: ignore[OJ301]\nrun = "x"\n') == (
        '[command.c]\n# why\nrun = "x"\n'
    )


@pytest.mark.parametrize(
    "comment",
    ["# oj: ignroe[OJ301]", "# oj: ignore", "# oj: ignore[OJ999]", "# oj: ignore-file[x]"],
)
def test_malformed_suppressions_are_not_removed_by_fix(root: Path, comment: str) -> None:
    report = run(root, f"[command.c]  {comment}\nrun = 'true'\n")
    (d,) = report.diagnostics
    assert d.fix is not None and d.fix.applicability is Applicability.DISPLAY
