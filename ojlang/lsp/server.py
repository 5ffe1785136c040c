"""`oj lsp`: LSP messages on stdin/stdout in, answers and published diagnostics out (pygls 2).

Theory of operation. Every open, change and save of a `.toml` document re-checks it with the
checker of `oj check` (`ojlang.lsp.analysis`), other open documents taken from their buffers,
and publishes the diagnostics of every file the check points into (prompt files too),
clearing files that no longer have any. Shellcheck (OJ602) runs on open and save only: it
takes about a second, too slow for every keystroke. Requests (definition, hover, completion)
use the analysis of the document's current version, re-analysed without shellcheck when the
text changed since the last check. A failure inside a feature is logged to the client and
answered with nothing; it never stops the server.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ojlang.lsp import completion, definition, diagnostics, hover
from ojlang.lsp.analysis import Analysis, analyse
from ojlang.lsp.positions import UTF16, from_position, lines_of, to_position, to_range

NAME = "oj"
VERSION = "0.1.0"
TRIGGERS = ["{", '"', ".", "["]
_KINDS = {
    completion.KEY: types.CompletionItemKind.Property,
    completion.TABLE: types.CompletionItemKind.Module,
    completion.VALUE: types.CompletionItemKind.EnumMember,
    completion.REFERENCE: types.CompletionItemKind.Reference,
    completion.VARIABLE: types.CompletionItemKind.Variable,
}


class OjLanguageServer(LanguageServer):
    """The server and its state: the last analysis of each document, what it published."""

    def __init__(self) -> None:
        super().__init__(NAME, VERSION)
        self.analyses: dict[str, tuple[int | None, Analysis]] = {}
        self.published: dict[str, set[str]] = {}

    @property
    def encoding(self) -> str:
        found: Any = self.workspace.position_encoding or UTF16
        return str(found.value if isinstance(found, enum.Enum) else found)

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))

    def buffers(self, skip: str) -> dict[Path, str]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if uri != skip and path is not None and path.endswith(".toml"):
                out[Path(path).absolute()] = doc.source
        return out

    def analysis(self, uri: str, *, shellcheck: bool = False, fresh: bool = False) -> Analysis:
        """The analysis of the document's current text (re-checked when stale or `fresh`)."""
        doc = self.workspace.get_text_document(uri)
        known = self.analyses.get(uri)
        if known is not None and known[0] == doc.version and not fresh:
            return known[1]
        path = Path(to_fs_path(uri) or doc.path)
        result = analyse(path, doc.source, buffers=self.buffers(uri), shellcheck=shellcheck)
        self.analyses[uri] = (doc.version, result)
        return result

    def check(self, uri: str, *, shellcheck: bool) -> None:
        path = to_fs_path(uri)
        if path is None or not path.endswith(".toml"):
            return
        try:
            result = self.analysis(uri, shellcheck=shellcheck, fresh=True)
            found = diagnostics.by_file(result, self.encoding)
        except Exception as err:  # a checker bug must not take the editor's server down
            self.log(f"oj: checking {path} failed: {type(err).__name__}: {err}")
            return
        now = {file.as_uri(): items for file, items in found.items()}
        for stale in self.published.get(uri, set()) - set(now):
            self.publish(stale, [])
        for target, items in now.items():
            self.publish(target, items)
        self.published[uri] = set(now)

    def publish(self, uri: str, items: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=items)
        )

    def position(self, analysis: Analysis, position: types.Position) -> tuple[int, int]:
        return from_position(lines_of(analysis.text), position, self.encoding)


server = OjLanguageServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: OjLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri, shellcheck=True)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: OjLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.check(params.text_document.uri, shellcheck=False)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: OjLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri, shellcheck=True)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: OjLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    for target in ls.published.pop(uri, {uri}):
        ls.publish(target, [])
    ls.analyses.pop(uri, None)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def goto_definition(
    ls: OjLanguageServer, params: types.DefinitionParams
) -> list[types.Location] | None:
    try:
        analysis = ls.analysis(params.text_document.uri)
        line, col = ls.position(analysis, params.position)
        out = []
        for path, span in definition.definition(analysis, line, col):
            lines = lines_of(analysis.source_of(path) or "")
            out.append(types.Location(path.as_uri(), to_range(span, lines, ls.encoding)))
    except Exception as err:
        ls.log(f"oj: definition failed: {type(err).__name__}: {err}")
        return None
    return out or None


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: OjLanguageServer, params: types.HoverParams) -> types.Hover | None:
    try:
        analysis = ls.analysis(params.text_document.uri)
        line, col = ls.position(analysis, params.position)
        found = hover.hover(analysis, line, col)
    except Exception as err:
        ls.log(f"oj: hover failed: {type(err).__name__}: {err}")
        return None
    if found is None:
        return None
    lines = lines_of(analysis.text)
    if found.span is not None:
        span_range = to_range(found.span, lines, ls.encoding)
    else:
        span_range = types.Range(
            to_position(lines, found.line, found.col_range[0], ls.encoding),
            to_position(lines, found.line, found.col_range[1], ls.encoding),
        )
    content = types.MarkupContent(types.MarkupKind.Markdown, found.markdown)
    return types.Hover(contents=content, range=span_range)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS)
)
def on_completion(
    ls: OjLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    try:
        analysis = ls.analysis(params.text_document.uri)
        line, col = ls.position(analysis, params.position)
        items = completion.complete(analysis, line, col)
    except Exception as err:
        ls.log(f"oj: completion failed: {type(err).__name__}: {err}")
        return None
    return types.CompletionList(
        is_incomplete=False,
        items=[
            types.CompletionItem(
                label=item.label,
                kind=_KINDS.get(item.kind),
                detail=item.detail or None,
                documentation=types.MarkupContent(types.MarkupKind.Markdown, item.documentation)
                if item.documentation
                else None,
                sort_text=f"{index:04d}",
            )
            for index, item in enumerate(items)
        ],
    )


def main() -> int:
    """Serve on stdin/stdout until the client exits."""
    server.start_io()
    return 0
