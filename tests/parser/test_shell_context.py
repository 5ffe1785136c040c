"""The bash context lexer: the context, command-word position and inner evaluator of every
interpolation of a shell field (LANGUAGE.md §4.1.4), checked by table and against bash itself."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ojlang.parser.interpolation import scan_template
from ojlang.parser.shell_context import InterpContext, ShellScan, scan_shell
from ojlang.runtime.core.render import RenderError, ShellContext, shell_escape

U = ShellContext.UNQUOTED
DQ = ShellContext.DOUBLE
SQ = ShellContext.SINGLE
DSQ = ShellContext.DOLLAR_SINGLE
HD = ShellContext.HEREDOC
QHD = ShellContext.QUOTED_HEREDOC
AR = ShellContext.ARITHMETIC
CM = ShellContext.COMMENT


def scan(text: str) -> ShellScan:
    return scan_shell(text, scan_template(text).interps)


def contexts(text: str) -> list[tuple[str, ShellContext]]:
    return [(text[i.start : i.end], i.context) for i in scan(text).interps]


def by_name(text: str) -> dict[str, InterpContext]:
    return {text[i.start : i.end]: i for i in scan(text).interps}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("git commit -m {msg}", [("{msg}", U)]),
        ('echo "hi {who}"', [("{who}", DQ)]),
        ("grep -q '^{tag}$' tags.txt", [("{tag}", SQ)]),
        ("echo $'a{x}b' \"c{y}\"", [("{x}", DSQ), ("{y}", DQ)]),
        ('echo $"a{x}"', [("{x}", DQ)]),
        ("echo $(git log {ref}) `wc {f}`", [("{ref}", U), ("{f}", U)]),
        ('echo "$(cat {f})" "`cat {g}`"', [("{f}", U), ("{g}", U)]),
        ("[[ -n {x} && {y} == z ]]", [("{x}", U), ("{y}", U)]),
        ('X={x} Y="{y}" cmd', [("{x}", U), ("{y}", DQ)]),
        ("case {w} in {p}|b) echo {c};; esac", [("{w}", U), ("{p}", U), ("{c}", U)]),
        ("cat <<EOF\nhello {x}\nEOF\necho {y}", [("{x}", HD), ("{y}", U)]),
        ("cat <<'EOF'\nhello {x}\nEOF\necho {y}", [("{x}", QHD), ("{y}", U)]),
        ('cat <<"END"\n{x}\nEND', [("{x}", QHD)]),
        ("cat <<\\EOF\n{x}\nEOF", [("{x}", QHD)]),
        ("cat <<E'O'F\n{x}\nEOF", [("{x}", QHD)]),
        ("cat <<-EOF\n\t{x}\n\tEOF\necho {y}", [("{x}", HD), ("{y}", U)]),
        ("cat <<A <<'B'\n{a}\nA\n{b}\nB\n{c}", [("{a}", HD), ("{b}", QHD), ("{c}", U)]),
        ("x=$(cat <<EOF\n{a} $(echo {b})\nEOF\n)", [("{a}", HD), ("{b}", U)]),
        ('cat <<<{x} <<< "{y}"', [("{x}", U), ("{y}", DQ)]),
        ("echo $(( {n} + 1 )); (( {m} > 2 ))", [("{n}", AR), ("{m}", AR)]),
        ("echo $(( ({n}) * 2 )) {after}", [("{n}", AR), ("{after}", U)]),
        ("for (( i=0; i<{n}; i++ )); do echo {i}; done", [("{n}", AR), ("{i}", U)]),
        (
            "# note {c}\necho {d} # tail {e}\necho {f}",
            [("{c}", CM), ("{d}", U), ("{e}", CM), ("{f}", U)],
        ),
        ("echo a#{x} $#{y}", [("{x}", U), ("{y}", U)]),
        ('echo "${x:-it\'s}" {y}', [("{y}", U)]),
        ("echo ${x:-'a}'} {y}", [("{y}", U)]),
        ("echo \\'{x}'", [("{x}", U)]),
        ("arr=({a} '{b}'); echo {c}", [("{a}", U), ("{b}", SQ), ("{c}", U)]),
        ("echo a \\\n  {x}", [("{x}", U)]),
        ("diff <(sort {a}) >(cat {b})", [("{a}", U), ("{b}", U)]),
        ("echo '{x}", [("{x}", SQ)]),  # unterminated: still single-quoted
        ("echo {{.Names}} {x}", [("{x}", U)]),
    ],
)
def test_context_of_each_interpolation(text: str, expected: list[tuple[str, ShellContext]]) -> None:
    assert contexts(text) == expected


def test_heredoc_context_carries_its_delimiter_and_operator() -> None:
    text = "cat > f <<'END'\n{x}\nEND\n"
    item = scan(text).interps[0]
    assert (item.delimiter, item.heredoc) == ("END", (8, 15))
    assert text[8:15] == "<<'END'"


def test_delimiter_line_must_match_exactly() -> None:
    text = "cat <<EOF\n EOF\nEOFX\n{x}\nEOF\n{y}"
    assert contexts(text) == [("{x}", HD), ("{y}", U)]


@pytest.mark.parametrize(
    "text, words",
    [
        ("{tool} check .", ["{tool}"]),
        ("./{dir}/run.sh --x", ["{dir}"]),
        ('"{tool}" --version', ["{tool}"]),
        ("a && {b} || {c} | {d}; {e} & {f}\n{g}", ["{b}", "{c}", "{d}", "{e}", "{f}", "{g}"]),
        ("X=1 {tool}", ["{tool}"]),
        ("if {cond}; then {a}; elif {b}; then :; else {c}; fi", ["{cond}", "{a}", "{b}", "{c}"]),
        ("while {c}; do {d}; done; until {e}; do :; done", ["{c}", "{d}", "{e}"]),
        ("! {x}; time {y}; { {z}; }; ( {w} )", ["{x}", "{y}", "{z}", "{w}"]),
        ("$({cmd} arg) `{b}`", ["{cmd}", "{b}"]),
        ("sudo -u {user} {prog} arg", ["{prog}"]),
        ("env A=1 -i {t} x; exec {u}; nohup {v} &", ["{t}", "{u}", "{v}"]),
        ("timeout 5m {v}; timeout -s KILL 10 {w}", ["{v}", "{w}"]),
        ("case x in a) {c};; b) {d} ;; esac", ["{c}", "{d}"]),
        ("f() { {body}; }; function g { {other}; }", ["{body}", "{other}"]),
        ("> {out} {prog}", ["{prog}"]),
    ],
)
def test_command_word_position(text: str, words: list[str]) -> None:
    assert [k for k, v in by_name(text).items() if v.command_word] == words


@pytest.mark.parametrize(
    "text",
    [
        "echo {x}",
        "X={x} cmd",
        "cmd > {out}.log 2>&1",
        "[[ {x} ]]",
        "for {x} in {y}; do :; done",
        "case {w} in {p}) :;; esac",
        "command -v {tool}",
        "cat <<EOF\n{x}\nEOF",
        "echo $(( {n} ))",
        "# {x}",
        "arr=({a})",
        "echo {a}{b}",
        "sudo -u {user} ls",
    ],
)
def test_not_command_word(text: str) -> None:
    assert not any(i.command_word for i in scan(text).interps)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("bash -c 'make {target}'", {"{target}": "bash -c"}),
        ('sh -c "x {t}"', {"{t}": "sh -c"}),
        ("bash -lc {s}; bash -o pipefail -ec {t}", {"{s}": "bash -c", "{t}": "bash -c"}),
        ("bash -c 'echo \"$1\"' _ {arg}", {"{arg}": None}),
        ("bash script.sh {arg}", {"{arg}": None}),
        ("bash -o {opt} -c x", {"{opt}": None}),
        ('eval "echo {x}"; eval {y}', {"{x}": "eval", "{y}": "eval"}),
        ("ssh -p 22 {host} ls {dir}", {"{host}": None, "{dir}": "ssh"}),
        ("ssh -o BatchMode=yes host 'rm {f}'", {"{f}": "ssh"}),
        ("sudo bash -c {x}; xargs sh -c {y}", {"{x}": "bash -c", "{y}": "sh -c"}),
        ("echo bash -c {x}", {"{x}": None}),
        ("bash <<EOF\necho {x}\nEOF", {"{x}": "bash"}),
        ("ssh host <<EOF\nrm {x}\nEOF", {"{x}": "ssh"}),
        ("bash -s -- a <<EOF\n{x}\nEOF", {"{x}": "bash"}),
        ("bash run.sh <<EOF\n{x}\nEOF", {"{x}": None}),
        ("ssh host cat <<EOF\n{x}\nEOF", {"{x}": None}),
        ("bash <<'EOF'\n{x}\nEOF", {"{x}": None}),  # verbatim: OJ702's business
        ('bash -c "$(cat {f})"', {"{f}": None}),
    ],
)
def test_double_evaluation(text: str, expected: dict[str, str | None]) -> None:
    assert {k: v.evaluator for k, v in by_name(text).items()} == expected


def test_commands_are_listed_without_assignments_or_redirections() -> None:
    text = "A=1 oj emit build:done --data x={x} > log; if true; then cat <<EOF; fi\nb\nEOF"
    words = [[w.text for w in c.words] for c in scan(text).commands]
    assert words == [["oj", "emit", "build:done", "--data", "x={x}"], ["true"], ["cat"]]


def test_placeholders_keep_length_and_use_zeros_in_arithmetic() -> None:
    text = "echo {name} $(( {n} + 1 ))"
    assert scan(text).placeholders() == "echo xxxxxx $(( 000 + 1 ))"


def test_interpolation_ranges_may_be_tuples_and_bad_ranges_are_ignored() -> None:
    text = "echo {x}"
    result = scan_shell(text, [(5, 8), (7, 99), (3, 3)])
    assert [(i.start, i.end, i.context) for i in result.interps] == [(5, 8, U)]


# -- properties ---------------------------------------------------------------------------------

SHELLISH = st.lists(
    st.sampled_from([*"ab {}x$()'\"`\\#;&|<>\n\t=-!*[]EOF", "<<", "{v}", "$((", "EOF\n"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(SHELLISH)
def test_any_text_gets_one_context_per_interpolation(text: str) -> None:
    interps = scan_template(text).interps
    result = scan_shell(text, interps)
    assert [(i.start, i.end) for i in result.interps] == [(i.start, i.end) for i in interps]
    holes = result.placeholders()
    assert len(holes) == len(text)
    outside = [k for k in range(len(text)) if not any(i.start <= k < i.end for i in interps)]
    assert all(holes[k] == text[k] for k in outside)


# Each template prints `expected` with `{v}` replaced by the value, once the template is
# rendered with the contexts the lexer found; bash runs them all in one process per example.
ROUND_TRIP = [
    ("printf '%s' {v}", "{v}"),
    ("printf '%s' \"<{v}>\"", "<{v}>"),
    ("printf '%s' 'a{v}b'", "a{v}b"),
    ("printf '%s' $'a{v}b'", "a{v}b"),
    ("printf '%s' \"$(printf '%s|' {v})\"", "{v}|"),
    ("x={v}; printf '%s' \"$x\"", "{v}"),
    ('x="[{v}]"; printf \'%s\' "$x"', "[{v}]"),
    ("case {v} in *) printf '%s' {v};; esac", "{v}"),
    ("[[ {v} == \"$(printf '%s|' {v})\" ]] || printf ok", "ok"),
    ("for w in {v}; do printf '%s' \"$w\"; done", "{v}"),
    ("cat <<EOF\n{v}\nEOF", "{v}\n"),
    ("cat <<'EOF'\n{v}\nEOF", "{v}\n"),
    ("printf ok # {v}", "ok"),
    ("printf '%s' \"${BASH:+x}{v}\"", "x{v}"),
]
VALUES = st.text(
    alphabet=st.characters(codec="utf-8", blacklist_characters="\x00\r\x1e"),
    max_size=30,
) | st.text(alphabet=st.sampled_from(list("'\"\\$`!*?[]{}();&|<> \t\n#~-EOF")), max_size=20)


def render(text: str, value: str) -> str:
    template = scan_template(text)
    result = scan_shell(text, template.interps)
    out = []
    last = 0
    for item in result.interps:
        out.append(text[last : item.start])
        out.append(shell_escape(value, item.context, delimiter=item.delimiter))
        last = item.end
    out.append(text[last:])
    return "".join(out)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_rendered_values_reach_bash_unchanged(value: str) -> None:
    scripts = []
    for text, _ in ROUND_TRIP:
        try:
            scripts.append(render(text, value))
        except RenderError:
            assume(False)  # a heredoc value with a line equal to the delimiter
    script = "\nprintf '\\036'\n".join(scripts)
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    want = [expected.replace("{v}", value) for _, expected in ROUND_TRIP]
    assert result.stderr == ""
    assert result.stdout.split("\x1e") == want


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_in_arithmetic_reach_bash(n: int) -> None:
    script = render("printf '%s' $(( {v} + 0 ))", str(n))
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout == str(n)
