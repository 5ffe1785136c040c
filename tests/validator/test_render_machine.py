"""The machine formats: GitHub workflow-command escaping and the SARIF log's structure."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ojlang.parser.spans import Span
from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.diagnostic import Applicability, Edit, Fix, Label, Severity, diag
from ojlang.validator.render import render
from ojlang.validator.render.concise import escape_data, escape_property, github_line
from ojlang.validator.render.sarif import tool_version


def span(file: str = "runbooks/a.toml", line: int = 3, col: int = 5, end: int = 9) -> Span:
    return Span(file, line, col, line, end, 40, 44)


def test_github_escapes_the_message() -> None:
    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"


def test_github_escapes_properties() -> None:
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_line() -> None:
    # diag() keeps messages on one line; a record built directly may still hold a newline.
    d = attrs.evolve(
        diag("OJ301", "undefined", span("runbooks/we,ird:name.toml")),
        message="undefined `x`: 50%,\nreally",
    )
    assert github_line(d) == (
        "::error file=runbooks/we%2Cird%3Aname.toml,line=3,endLine=3,col=5,endColumn=9,"
        "title=OJ301 undefined-variable::undefined `x`: 50%25,%0Areally"
    )


def test_github_levels() -> None:
    lines = [
        github_line(diag("OJ301", "e", span())),
        github_line(diag("OJ303", "w", span())),
        github_line(diag("OJ903", "i", span())),
        github_line(diag("OJ602", "i", span(), severity=Severity.INFO)),
    ]
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::error",
        "::warning",
        "::notice",
        "::notice",
    ]


def test_github_ends_with_the_concise_report() -> None:
    d = diag("OJ301", "undefined variable `x`", span())
    out = render([d], "github", sources={}, runbooks=1)
    assert out.stdout.splitlines()[1] == "runbooks/a.toml:3:5: error[OJ301] undefined variable `x`"
    assert out.stderr.startswith("Found 1 error in 1 runbook.")


def sarif(diags: list[Any]) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(diags, "sarif", sources={}, runbooks=1).stdout)
    return log


def test_sarif_structure() -> None:
    d = diag(
        "OJ203",
        "undefined phase `biuld`",
        span(),
        "here",
        labels=(Label(span(line=7), "similar"),),
        fix=Fix(Applicability.SAFE, "rename", (Edit(span(), '"build"'),)),
    )
    log = sarif([d, diag("OJ903", "cron `x` starts disabled", span("runbooks/b c.toml"))])
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "oj"
    assert driver["version"] == tool_version()
    assert isinstance(driver["version"], str) and driver["version"]
    rules = driver["rules"]
    assert len(rules) == len(CATALOGUE)
    for rule, info in zip(rules, CATALOGUE.values(), strict=True):
        assert rule["id"] == info.code
        assert rule["name"] == info.slug
        assert rule["shortDescription"]["text"] == info.trigger
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["OJ203", "OJ903"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert isinstance(result["message"]["text"], str)
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert all(isinstance(v, int) for v in region.values())
    assert results[1]["level"] == "note"
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "runbooks/b%20c.toml"
    )
    assert results[0]["level"] == "error"
    assert results[0]["relatedLocations"][0]["message"]["text"] == "similar"
    (fix,) = results[0]["fixes"]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == '"build"'
    assert replacement["deletedRegion"] == results[0]["locations"][0]["physicalLocation"]["region"]


def test_sarif_levels_follow_the_diagnostic() -> None:
    diags = [
        diag("OJ602", "sc error", span(), severity=Severity.ERROR),
        diag("OJ602", "sc warning", span(line=4)),
        diag("OJ602", "sc style", span(line=5), severity=Severity.INFO),
    ]
    levels = [r["level"] for r in sarif(diags)["runs"][0]["results"]]
    assert levels == ["error", "warning", "note"]
