"""`oj explain`: a code or slug in, the explanation text out; also the catalogue as a table.

`explain("OJ301")`, `explain("oj301")`, `explain("301")` and `explain("undefined-variable")`
all print the same text: a Markdown document with the code, slug and severity, what triggers
it, why it matters, the failing and the fixed example, and the related codes. Invisible
characters in examples (the byte order mark of OJ003) are shown as `<U+FEFF>`.

An unknown code raises `UnknownCodeError`, whose `message` and `help` the CLI prints as
`error: …` / `help: …` before exiting with status 2; `unknown_code_help` gives the help alone.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from ojlang.validator.catalogue import BY_SLUG, CATALOGUE, CodeInfo

WIDTH = 88

_CODE = re.compile(r"(?:oj)?(\d{3})", re.IGNORECASE)


class UnknownCodeError(LookupError):
    """`text` names no code or slug of the catalogue."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.message = f"unknown code or slug `{text}`"
        self.help = unknown_code_help(text)
        super().__init__(self.message)


def lookup(text: str) -> CodeInfo | None:
    """The catalogue entry for a code (any case, `OJ` optional) or a slug, else None."""
    text = text.strip()
    match = _CODE.fullmatch(text)
    if match:
        return CATALOGUE.get(f"OJ{match.group(1)}")
    return BY_SLUG.get(text.lower())


def unknown_code_help(text: str) -> str:
    """Help for an unknown code or slug: the closest code or slug, else where to look."""
    from ojlang.parser.mini import close_match

    text = text.strip()
    code = re.fullmatch(r"(?:oj)?[-_ ]?(\d+)", text, re.IGNORECASE)
    if code:
        digits = code.group(1)
        best = close_match(f"OJ{digits}", CATALOGUE)
        if f"OJ{digits[:3]}" in CATALOGUE and len(digits) > 3:
            best = f"OJ{digits[:3]}"
        found = CATALOGUE.get(best) if best else None
    else:
        best = close_match(text.lower(), BY_SLUG)
        found = BY_SLUG.get(best) if best else None
    if found is None:
        return "run `oj explain --list` to see every code"
    return f"a code with a similar name exists: `{found.code}` ({found.slug})"


def _paragraph(text: str) -> str:
    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def _visible(text: str) -> str:
    """Show invisible format and control characters (not tab or newline) as `<U+XXXX>`."""
    out: list[str] = []
    for ch in text:
        if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cf"):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


def _block(path: str, text: str) -> list[str]:
    fence = "```toml" if path.endswith(".toml") else "```"
    return [f"`{path}`:", "", fence, _visible(text).rstrip("\n"), "```", ""]


def explain(code_or_slug: str) -> str:
    """The text `oj explain CODE|SLUG` prints; raises `UnknownCodeError`."""
    from ojlang.validator.explanations import EXPLANATIONS

    info = lookup(code_or_slug)
    if info is None:
        raise UnknownCodeError(code_or_slug)
    entry = EXPLANATIONS[info.code]
    lines = [f"# {info.code} {info.slug}", "", f"Severity: {info.severity.value}", ""]
    lines += ["## What triggers it", "", _paragraph(entry.trigger), ""]
    lines += ["## Why it matters", "", _paragraph(entry.why), ""]
    lines += ["## Failing example", ""]
    lines += _block(entry.path, entry.bad)
    if entry.files:
        lines += ["Other files of the example project:", ""]
    for path, text in entry.files:
        lines += _block(path, text)
    lines += ["## Fixed example", ""]
    lines += _block(entry.fixed_path, entry.good)
    if entry.files:
        lines += ["The other files stay as they are.", ""]
    if entry.related:
        lines += ["## Related codes", ""]
        for code in entry.related:
            related = CATALOGUE[code]
            lines.append(f"- {code} {related.slug}: {related.trigger}")
        lines.append("")
    return "\n".join(lines)


def explain_list() -> str:
    """`oj explain --list`: every code as an aligned table of code, slug, severity, trigger."""
    rows = [("CODE", "SLUG", "SEVERITY", "TRIGGER")]
    rows += [(i.code, i.slug, i.severity.value, i.trigger) for i in CATALOGUE.values()]
    widths = [max(len(row[col]) for row in rows) for col in range(3)]
    return "".join(
        f"{code:<{widths[0]}}  {slug:<{widths[1]}}  {sev:<{widths[2]}}  {trigger}\n"
        for code, slug, sev, trigger in rows
    )
