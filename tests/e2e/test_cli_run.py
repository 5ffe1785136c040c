"""`oj run` on the command line: hostile arguments stay data in every shell context, and bad
input gets a usage error (exit 2), a close match, or the runbook's diagnostics."""

from __future__ import annotations

from e2e_kit import Project, needs_tools

pytestmark = needs_tools

HOSTILE = ["'; touch PWNED #", "$(touch PWNED)", "`touch PWNED`", "a\ntouch PWNED\nb"]

SECURITY = """
[command.greet]
args = "<who> [--loud]"
run = "echo hello {who}"

[pipeline.sec]
inputs = ["a", "b", "c", "d"]

[[pipeline.sec.phase]]
name = "unquoted"
run = "printf '%s\\\\n' {a} {b} {c} {d} > unquoted.txt"

[[pipeline.sec.phase]]
name = "double"
run = 'printf "%s\\\\n" "{a}" "{b}" "{c}" "{d}" > double.txt'

[[pipeline.sec.phase]]
name = "single"
run = "printf '%s\\\\n' '{a}' '{b}' '{c}' '{d}' > single.txt"

[[pipeline.sec.phase]]
name = "substitution"
run = "x=$(printf '%s|' {a} {b} {c} {d}); printf '%s\\\\n' \\"$x\\" > subst.txt"

[[pipeline.sec.phase]]
name = "heredoc"
run = '''
cat > heredoc.txt <<EOF
{a}
{b}
{c}
{d}
EOF'''
"""


def test_hostile_arguments_are_never_executed(project: Project) -> None:
    project.runbook("sec", SECURITY)
    done = project.oj("run", "sec.sec", *HOSTILE, "--wait", "--timeout", "60s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not list(project.root.rglob("PWNED"))
    expected = "\n".join(HOSTILE) + "\n"
    for name in ("unquoted", "double", "single", "heredoc"):
        assert (project.root / f"{name}.txt").read_text() == expected, name
    assert (project.root / "subst.txt").read_text() == "|".join(HOSTILE) + "|\n"
    keyed = project.oj(
        "run", "sec.sec", *[f"{k}={v}" for k, v in zip("abcd", HOSTILE, strict=True)]
    )
    assert keyed.returncode == 0, keyed.stdout + keyed.stderr
    assert not list(project.root.rglob("PWNED"))


def test_missing_and_extra_arguments_are_usage_errors(project: Project) -> None:
    project.runbook("sec", SECURITY)
    usage = "usage: oj run sec.sec <a> <b> <c> <d> [KEY=VALUE...]"
    missing = project.oj("run", "sec.sec", "x", "y")
    assert missing.returncode == 2
    assert "error: missing input `c`" in missing.stderr and usage in missing.stderr
    extra = project.oj("run", "sec.sec", "1", "2", "3", "4", "5")
    assert extra.returncode == 2
    assert "error: unexpected argument `5`" in extra.stderr and usage in extra.stderr
    unknown_key = project.oj("run", "sec.sec", "1", "2", "3", "e=4")
    assert unknown_key.returncode == 2 and "unknown input `e`" in unknown_key.stderr
    command = project.oj("run", "greet")
    assert command.returncode == 2
    assert "usage: oj run greet <who> [--loud]" in command.stderr
    surplus = project.oj("run", "greet", "ann", "bob")
    assert surplus.returncode == 2 and "unexpected argument `bob`" in surplus.stderr
    ok = project.oj("run", "greet", "ann; touch PWNED")
    assert ok.returncode == 0 and ok.stdout == "hello ann; touch PWNED\n"
    assert not list(project.root.rglob("PWNED"))


def test_unknown_target_gets_a_close_match(project: Project) -> None:
    project.runbook("sec", SECURITY)
    done = project.oj("run", "sec.sce")
    assert done.returncode == 2
    assert "error: unknown target `sec.sce`" in done.stderr
    assert "help: a target with a similar name exists: `sec.sec`" in done.stderr
    bare = project.oj("run", "gret", "x")
    assert bare.returncode == 2 and "`greet`" in bare.stderr


def test_runbook_with_errors_refuses_to_run(project: Project) -> None:
    project.runbook("sec", SECURITY)
    project.runbook("broken", '[pipeline.p]\nbogus = 1\n[[pipeline.p.phase]]\nname = "a"\n')
    done = project.oj("run", "sec.sec", "1", "2", "3", "4", "--wait")
    assert done.returncode == 1
    assert "OJ102" in done.stderr and "runbooks/broken.toml" in done.stderr
    assert "`oj run` refuses to run them" in done.stderr
    assert not (project.root / "unquoted.txt").exists()
    assert not (project.state_dir / "state.db").exists()
