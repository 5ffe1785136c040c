"""Argument specs (LANGUAGE.md §4.4): parsing, OJ402/OJ404, usage lines and argv binding."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.parser.argspec import (
    ArgItem,
    ArgKind,
    ArgSpec,
    ArgvHelp,
    ArgvUsageError,
    bind_argv,
    check_args_spec,
    parse_args_spec,
    usage_line,
)
from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.validator.render import render

EXAMPLE = "<stage> [-t/--tag <v>] [--force] [targets...]"


def error(text: str) -> MiniSyntaxError:
    with pytest.raises(MiniSyntaxError) as info:
        parse_args_spec(text)
    assert info.value.code == "OJ402"
    return info.value


def issues(text: str) -> list[tuple[str, int, int, str | None]]:
    return [(e.message, e.start, e.end, e.help) for e in check_args_spec(parse_args_spec(text))]


# -- parsing ----------------------------------------------------------------------------------


def test_the_binding_example_parses_into_four_items() -> None:
    spec = parse_args_spec(EXAMPLE)
    assert spec.items == (
        ArgItem(ArgKind.POSITIONAL, "stage", True, False, 0, 7, 1, 6),
        ArgItem(
            ArgKind.OPTION,
            "tag",
            False,
            False,
            8,
            22,
            12,
            17,
            short="-t",
            short_start=9,
            short_end=11,
            metavar="v",
        ),
        ArgItem(ArgKind.FLAG, "force", False, False, 23, 32, 24, 31),
        ArgItem(ArgKind.POSITIONAL, "targets", False, True, 33, 45, 34, 41),
    )
    assert [i.var for i in spec.items] == ["stage", "tag", "force", "targets"]


@pytest.mark.parametrize(
    ("text", "kind", "required", "variadic", "metavar"),
    [
        ("<name>", ArgKind.POSITIONAL, True, False, None),
        ("<files...>", ArgKind.POSITIONAL, True, True, None),
        ("[name]", ArgKind.POSITIONAL, False, False, None),
        ("[files...]", ArgKind.POSITIONAL, False, True, None),
        ("--tag <v>", ArgKind.OPTION, True, False, "v"),
        ("[--tag <v>]", ArgKind.OPTION, False, False, "v"),
        ("[-t/--tag <v...>]", ArgKind.OPTION, False, True, "v"),
        ("--force", ArgKind.FLAG, False, False, None),
        ("[--force]", ArgKind.FLAG, False, False, None),
        ("[-f/--force]", ArgKind.FLAG, False, False, None),
    ],
)
def test_every_item_form(
    text: str, kind: ArgKind, required: bool, variadic: bool, metavar: str | None
) -> None:
    (item,) = parse_args_spec(text).items
    assert (item.kind, item.required, item.variadic, item.metavar) == (
        kind,
        required,
        variadic,
        metavar,
    )
    assert (item.start, item.end) == (0, len(text))


@pytest.mark.parametrize(
    "text",
    [
        "<name> <prompt> [--priority <n>] [-a/--after <op>]",
        "<env> [--tag <version>] [--force] [targets...]",
        EXAMPLE,
        "",
        "   ",
        "  <a>\t[b]  ",
    ],
)
def test_valid_specs_have_no_issues(text: str) -> None:
    assert check_args_spec(parse_args_spec(text)) == []


def test_variables_replace_hyphens() -> None:
    spec = parse_args_spec("<base-ref> [--dry-run] [-n/--max-count <n>]")
    assert [i.var for i in spec.items] == ["base_ref", "dry_run", "max_count"]
    assert spec.by_var("dry_run") is spec.items[1]
    assert spec.by_long("--max-count") is spec.by_long("max-count") is spec.items[2]
    assert spec.by_short("-n") is spec.by_short("n") is spec.items[2]
    assert spec.by_long("--nope") is None
    assert spec.by_short("x") is None


def test_canonical_text_and_usage_line() -> None:
    spec = parse_args_spec("<stage>  --tag <v>   --force  [-t/--to <x...>] [a...]")
    assert spec.text == "<stage> --tag <v> [--force] [-t/--to <x...>] [a...]"
    assert usage_line("deploy", spec) == (
        "usage: oj run deploy <stage> --tag <v> [--force] [-t/--to <x...>] [a...]"
    )
    assert usage_line("noargs", ArgSpec()) == "usage: oj run noargs"


# -- OJ402 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "start", "end"),
    [
        ("<name", "expected `>` after `<name`", 0, 5),
        ("--x <>", "expected a name after `<`, found `>`", 5, 6),
        ("[a", "expected `]` after `[a`", 0, 2),
        ("[--tag <v", "expected `>` after `<v`", 7, 9),
        ("[--tag <v>", "expected `]` after `[--tag <v>`", 0, 10),
        ("<a> <b c>", "expected `>` after `<b`, found `c`", 7, 8),
        ("-t", "expected `/--long` after `-t`", 0, 2),
        ("-tag", "short name `-tag` has more than one character", 0, 4),
        ("<a> foo", "unexpected `foo`", 4, 7),
        ("<a><b>", "expected a space between `<a>` and `<b>`", 3, 4),
        ("--x<v>", "expected a space between `--x` and its value", 3, 4),
        ("<a> ! <b>", "unexpected `!`", 4, 5),
        ("<>", "expected a name after `<`, found `>`", 1, 2),
    ],
)
def test_syntax_errors(text: str, message: str, start: int, end: int) -> None:
    err = error(text)
    assert err.message == f"invalid argument spec: {message}"
    assert (err.start, err.end) == (start, end)


def test_syntax_error_helps() -> None:
    assert error("foo").help == "a positional is written `<foo>` (required) or `[foo]` (optional)"
    assert error("-t").help == "write `-t/--name`"
    assert error("-tag").help == "a short name is one character; for a long name write `--tag`"


# -- OJ404 --------------------------------------------------------------------------------------


def test_required_positional_after_variadic_has_the_catalogue_message() -> None:
    assert issues("[targets...] <region>") == [
        (
            "required positional `<region>` follows variadic `[targets...]`",
            13,
            21,
            "move `<region>` before `[targets...]`",
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[a] <b>",
            [("required positional `<b>` follows optional `[a]`", 4, 7, "move `<b>` before `[a]`")],
        ),
        (
            "<xs...> <y>",
            [
                (
                    "required positional `<y>` follows variadic `<xs...>`",
                    8,
                    11,
                    "move `<y>` before `<xs...>`",
                )
            ],
        ),
        (
            "<a> <a>",
            [("argument `a` is defined twice", 5, 6, "give each argument its own name")],
        ),
        (
            "[xs...] [y]",
            [("optional positional `[y]` follows variadic `[xs...]`", 8, 11, None)],
        ),
        (
            "[xs...] [ys...]",
            [("variadic positional `[ys...]` follows variadic `[xs...]`", 8, 15, None)],
        ),
        (
            "<dry_run> [--dry-run]",
            [
                (
                    "arguments `dry_run` and `dry-run` both bind variable `dry_run`",
                    11,
                    20,
                    "give each argument its own name",
                )
            ],
        ),
        (
            "[-f/--force] [-f/--fast]",
            [
                (
                    "short name `-f` is used by `--force` and `--fast`",
                    14,
                    16,
                    "give each option its own short name",
                )
            ],
        ),
        (
            "[--help]",
            [
                (
                    "`--help` is reserved",
                    1,
                    7,
                    "`-h` and `--help` print the usage line; choose another name",
                )
            ],
        ),
        (
            "[-h/--host <h>]",
            [
                (
                    "`-h` is reserved",
                    1,
                    3,
                    "`-h` and `--help` print the usage line; choose another short name",
                )
            ],
        ),
    ],
)
def test_structural_rules(text: str, expected: list[tuple[str, int, int, str | None]]) -> None:
    got = issues(text)
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for (*_, help), (*_, want) in zip(got, expected, strict=True):
        if want is not None:
            assert help == want
    assert all(e.code == "OJ404" for e in check_args_spec(parse_args_spec(text)))


def test_a_variadic_option_is_not_a_variadic_positional() -> None:
    assert issues("[-t/--tag <v...>] <a> [b...]") == []


# -- argv binding (§4.4.2) --------------------------------------------------------------------


def bind(spec: str, argv: str, aliases: dict[str, str] | None = None, **defaults: object) -> dict:
    return bind_argv(parse_args_spec(spec), argv.split(), aliases or {}, dict(defaults))


def usage_error(
    spec: str, argv: list[str], aliases: dict[str, str] | None = None
) -> ArgvUsageError:
    with pytest.raises(ArgvUsageError) as info:
        bind_argv(parse_args_spec(spec), argv, aliases or {}, {}, name="deploy")
    return info.value


def test_the_spec_example_binds_exactly() -> None:
    assert bind(EXAMPLE, "prod -t v1.2 api --force web") == {
        "stage": "prod",
        "tag": "v1.2",
        "force": True,
        "targets": ["api", "web"],
    }


def test_unsupplied_items_take_empty_values() -> None:
    assert bind(EXAMPLE, "prod") == {"stage": "prod", "tag": "", "force": False, "targets": []}


def test_double_dash_makes_every_later_token_positional() -> None:
    assert bind(EXAMPLE, "prod -- --force -t x") == {
        "stage": "prod",
        "tag": "",
        "force": False,
        "targets": ["--force", "-t", "x"],
    }


def test_a_lone_dash_is_positional() -> None:
    assert bind("<src> [dst]", "- out") == {"src": "-", "dst": "out"}


def test_long_option_with_equals_and_with_a_space() -> None:
    spec = "[--tag <v>] [--note <n>]"
    assert bind(spec, "--tag=a=b --note x") == {"tag": "a=b", "note": "x"}
    assert bind(spec, "--tag=") == {"tag": "", "note": ""}


def test_option_value_may_start_with_a_dash() -> None:
    assert bind("[--offset <n>]", "--offset -3") == {"offset": "-3"}


def test_variadic_option_collects_every_occurrence() -> None:
    assert bind("[-t/--tag <v...>]", "-t a --tag b --tag=c") == {"tag": ["a", "b", "c"]}
    assert bind("[-t/--tag <v...>]", "") == {"tag": []}


def test_aliases_work_like_short_names() -> None:
    aliases = {"f": "force", "T": "--tag"}
    assert bind(EXAMPLE, "prod -f -T v2", aliases) == {
        "stage": "prod",
        "tag": "v2",
        "force": True,
        "targets": [],
    }


def test_defaults_keep_their_types() -> None:
    got = bind(
        "[--retries <n>] [--ratio <r>] [--dry-run] [--only <x...>] [region]",
        "",
        retries=3,
        ratio=0.5,
        dry_run=True,
        only=["a"],
        region="eu",
    )
    assert got == {"retries": 3, "ratio": 0.5, "dry_run": True, "only": ["a"], "region": "eu"}
    assert bind("[--retries <n>]", "--retries 5", retries=3) == {"retries": "5"}


def test_defaults_may_be_keyed_by_item_name() -> None:
    assert bind("[--dry-run]", "", **{"dry-run": True}) == {"dry_run": True}


def test_options_interleave_with_positionals() -> None:
    assert bind("<a> <b> [--x <v>]", "--x 1 A B") == {"a": "A", "b": "B", "x": "1"}
    assert bind("<a> <b> [--x <v>]", "A --x=1 B") == {"a": "A", "b": "B", "x": "1"}


def test_required_variadic_needs_one_word() -> None:
    assert bind("<files...>", "a b") == {"files": ["a", "b"]}
    err = usage_error("<files...>", [])
    assert err.message == "missing required argument `<files...>`"


USAGE = "usage: oj run deploy <stage> [-t/--tag <v>] [--force] [targets...]"


@pytest.mark.parametrize(
    ("spec", "argv", "message", "help"),
    [
        (
            EXAMPLE,
            ["prod", "--forse"],
            "unknown option `--forse`",
            "an option with a similar name exists: `--force`",
        ),
        (EXAMPLE, ["prod", "--zzz"], "unknown option `--zzz`", USAGE),
        (EXAMPLE, ["prod", "-z"], "unknown option `-z`", USAGE),
        (
            "[-a/--all] [-b/--brief]",
            ["-ab"],
            "bundled short options `-ab` are not supported",
            "write each short flag separately: `-a -b`",
        ),
        (
            EXAMPLE,
            ["prod", "-tv1"],
            "bundled short options `-tv1` are not supported",
            "write `-t v1`",
        ),
        (
            EXAMPLE,
            ["prod", "-t", "a", "--tag", "b"],
            "option `--tag` is given twice",
            "`--tag` takes one value; write `<v...>` in the spec to collect many",
        ),
        (EXAMPLE, ["prod", "--force", "--force"], "flag `--force` is given twice", USAGE),
        (
            EXAMPLE,
            ["prod", "--force=yes"],
            "flag `--force` takes no value",
            "write `--force` alone",
        ),
        (EXAMPLE, ["prod", "--tag"], "option `--tag` needs a value", "write `--tag <v>`"),
        (EXAMPLE, [], "missing required argument `<stage>`", USAGE),
        ("<a> [b]", ["1", "2", "3"], "unexpected argument `3`", "usage: oj run deploy <a> [b]"),
        (
            "--tag <v> [--force]",
            ["--force"],
            "missing required option `--tag <v>`",
            "usage: oj run deploy --tag <v> [--force]",
        ),
    ],
)
def test_usage_errors(spec: str, argv: list[str], message: str, help: str) -> None:
    err = usage_error(spec, argv)
    assert (err.message, err.help) == (message, help)


@pytest.mark.parametrize("argv", [["-h"], ["prod", "--help"], ["--help", "--nope"]])
def test_help_asks_for_the_usage_line(argv: list[str]) -> None:
    with pytest.raises(ArgvHelp) as info:
        bind_argv(parse_args_spec(EXAMPLE), argv, {}, {}, name="deploy")
    assert info.value.usage == USAGE


def test_help_after_double_dash_is_a_word() -> None:
    assert bind(EXAMPLE, "prod -- --help")["targets"] == ["--help"]


def test_the_usage_line_is_the_default_help() -> None:
    err = usage_error(EXAMPLE, [])
    assert err.help == usage_line("deploy", parse_args_spec(EXAMPLE))


# -- source maps --------------------------------------------------------------------------------


def test_error_in_multiline_toml_string_points_at_the_file(snapshot: SnapshotAssertion) -> None:
    file_text = '[command.deploy]\nargs = """\n<stage>\\t\\\n    [--tag <v"""\nrun = "x"\n'
    raw = '"""\n<stage>\\t\\\n    [--tag <v"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/ops.toml", raw, Pos(2, 8, at), StringStyle.ML_BASIC)
    assert sm.decoded == "<stage>\t[--tag <v"
    err = error(sm.decoded)
    assert err.message == "invalid argument spec: expected `>` after `<v`"
    assert (err.start, err.end) == (15, 17)
    d = err.to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (4, 12, 4, 14)
    assert file_text[d.span.byte_start : d.span.byte_end] == "<v"
    out = render([d], "full", sources={"runbooks/ops.toml": file_text}, runbooks=1).stdout
    assert out == snapshot


def test_structural_issue_in_multiline_string_points_at_the_item() -> None:
    file_text = 'args = """\n[targets...] \\\n  <region>"""\n'
    raw = file_text[len("args = ") : -1]
    sm = SourceMap("r.toml", raw, Pos(1, 8, 7), StringStyle.ML_BASIC)
    (issue,) = check_args_spec(parse_args_spec(sm.decoded))
    d = issue.to_diagnostic(sm)
    assert d.code == "OJ404"
    assert (d.span.line, d.span.col, d.span.end_col) == (3, 3, 11)
    assert file_text[d.span.byte_start : d.span.byte_end] == "<region>"
