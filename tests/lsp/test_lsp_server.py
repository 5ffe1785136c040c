"""`oj lsp` end to end over stdio (pytest-lsp): diagnostics with UTF-16 ranges, definitions,
hover and completion on a two-runbook project (`tests/lsp/project`, copied per module)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

PROJECT = Path(__file__).parent / "project"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "project"
    shutil.copytree(PROJECT, root)
    return root


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "ojlang.cli.main", "lsp"],
        server_env={**os.environ, "OJ_STDLIB_DIR": ""},
    ),
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    root: Path = request.getfixturevalue("project")
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def _ship(project: Path) -> tuple[str, str]:
    path = project / "runbooks" / "ship.toml"
    return path.as_uri(), path.read_text(encoding="utf-8")


def _at(text: str, needle: str, delta: int = 1) -> types.Position:
    """The UTF-16 position `delta` code points into the first `needle` of `text`."""
    before = text[: text.index(needle) + delta]
    line = before.count("\n")
    column = before.rsplit("\n", 1)[-1]
    return types.Position(line, len(column.encode("utf-16-le")) // 2)


async def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "toml", version, text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def test_diagnostics_have_utf16_ranges_and_follow_changes(
    client: LanguageClient, project: Path
) -> None:
    uri, text = _ship(project)
    await _open(client, uri, text)
    [found] = client.diagnostics[uri]
    assert (found.code, found.source, found.severity) == ("OJ301", "oj", 1)
    assert found.message.startswith("undefined variable `gaol`")
    assert "help: a variable with a similar name exists: `goal`" in found.message
    line = text.split("\n")[17]
    assert line.startswith("run = \"echo '🚀'")
    # 24 code points precede `gaol`; the rocket is two UTF-16 units, so the range starts at 25.
    assert line.index("gaol") == 24
    assert found.range == types.Range(types.Position(17, 25), types.Position(17, 29))

    await _change(client, uri, text.replace("{gaol}", "{goal}"), 2)
    assert list(client.diagnostics[uri]) == []

    await _change(client, uri, text.replace('heartbeat = "30s"', "heartbeat = "), 3)
    [broken] = client.diagnostics[uri]
    assert broken.code == "OJ001"
    assert broken.range.start.line == 24

    await _change(client, uri, text, 4)
    assert [d.code for d in client.diagnostics[uri]] == ["OJ301"]

    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["OJ301"]


@pytest.mark.parametrize(
    ("needle", "file", "line", "character"),
    [
        ('task = "planner"', "ship.toml", 20, 6),  # bare reference -> `[task.planner]`
        ("common.task.review", "common.toml", 0, 6),  # cross-runbook reference
        ('lock = "main"', "ship.toml", 23, 6),  # lock -> `[lock.main]`
        ('next = "review"', "ship.toml", 12, 7),  # phase name -> the phase's `name`
        ("{goal}", "ship.toml", 4, 10),  # variable -> its entry in `inputs`
        ("{config.base}", "ship.toml", 1, 0),  # config key -> its key
    ],
)
async def test_definition_of_every_reference_kind(
    client: LanguageClient, project: Path, needle: str, file: str, line: int, character: int
) -> None:
    uri, text = _ship(project)
    await _open(client, uri, text)
    delta = len(needle) - 2 if needle.startswith("{") else len(needle) - 3
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), _at(text, needle, delta))
    )
    assert isinstance(result, list) and len(result) == 1
    [location] = result
    assert location.uri == (project / "runbooks" / file).as_uri()
    assert (location.range.start.line, location.range.start.character) == (line, character)


async def test_definition_of_a_prompt_file(client: LanguageClient, project: Path) -> None:
    uri, text = _ship(project)
    await _open(client, uri, text)
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), _at(text, "plan.md"))
    )
    assert isinstance(result, list)
    assert [loc.uri for loc in result] == [(project / "prompts" / "plan.md").as_uri()]


async def _hover(client: LanguageClient, uri: str, position: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), position)
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_explains_keys_variables_and_references(
    client: LanguageClient, project: Path
) -> None:
    uri, text = _ship(project)
    await _open(client, uri, text)
    key = await _hover(client, uri, _at(text, "heartbeat"))
    assert key.startswith("**`heartbeat`**")
    assert "Holder refresh period" in key and "LANGUAGE.md §3.9" in key
    variable = await _hover(client, uri, _at(text, "{goal}", 2))
    assert variable == "**variable** `goal`: `any`\n\ninput of pipeline `ship`"
    builtin = await _hover(client, uri, _at(text, "{config.base}", 2))
    assert "`[config]` table" in builtin
    reference = await _hover(client, uri, _at(text, "common.task.review", 2))
    assert reference.startswith("**task** `review` in runbook `common`\n\nreview the change")
    header = await _hover(client, uri, _at(text, "[lock.main]", 2))
    assert header.startswith("**`lock`**\n\nExclusive locks")


async def _complete(client: LanguageClient, uri: str, text: str, version: int) -> list[str]:
    cursor = text.index("|")
    text = text.replace("|", "", 1)
    await _change(client, uri, text, version)
    before = text[:cursor]
    column = before.rsplit("\n", 1)[-1]
    position = types.Position(before.count("\n"), len(column.encode("utf-16-le")) // 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), position)
    )
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_keys_references_and_variables(
    client: LanguageClient, project: Path
) -> None:
    uri, text = _ship(project)
    await _open(client, uri, text)
    keys = await _complete(client, uri, text + "|", 10)
    assert keys == ["name", "description", "timeout", "on_stale"]  # `heartbeat` is written
    refs = await _complete(client, uri, text.replace('"planner"', '"|"'), 11)
    assert refs == ["planner", "common.task.review"]
    names = await _complete(client, uri, text.replace("{gaol}", "{|}"), 12)
    assert names[:3] == ["goal", "config", "env"]
    assert "workspace" in names and "gaol" not in names
    phases = await _complete(client, uri, text.replace('next = "review"', 'next = "|"'), 13)
    assert phases == ["plan", "review", "land", "done", "failed"]
    tables = await _complete(client, uri, text + "\n[|", 14)
    assert tables[:3] == ["command", "worker", "cron"]
    words = await _complete(client, uri, text + '\n[task.x]\non_stuck = ["|"]', 15)
    assert words[:3] == ["nudge", "restart", "checkpoint"]


async def test_diagnostics_inside_prompt_files_go_to_those_files(
    client: LanguageClient, project: Path
) -> None:
    prompt = project / "prompts" / "plan.md"
    original = prompt.read_text(encoding="utf-8")
    prompt.write_text("Plan {{ goal }}.\nMind {{ gaol }}.\n", encoding="utf-8")
    try:
        uri, text = _ship(project)
        await _open(client, uri, text + "\n", version=20)
        for _ in range(5):
            if prompt.as_uri() in client.diagnostics:
                break
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        [found] = client.diagnostics[prompt.as_uri()]
        assert found.code == "OJ301" and "`gaol`" in found.message
        assert found.range.start == types.Position(1, 8)
    finally:
        prompt.write_text(original, encoding="utf-8")
