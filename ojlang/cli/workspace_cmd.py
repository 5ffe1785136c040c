"""`oj workspace list|show|create|remove|merge|prune|adopt` (RUNTIME.md §3.15, §8.4, §10): argv
in, `workspace.*` requests, workspaces as tables or `oj.*/1` JSON out.

`create NAME` makes workspace `ws-NAME` (a worktree under `.oj/worktrees/`); `remove W` archives
a dirty worktree's changes under `.oj/archive/` and keeps the branch (`--keep-branch` is the
only behaviour); `merge [W] --branch B --into T` lands a branch (inside a phase, `--run` carries
that run's lock fence) and waits for the result: exit 0 merged, 1 refused (conflicts listed);
`prune` removes worktrees of ended runs and orphan worktrees (their
changes archived), `--dry-run` only lists them; `adopt PATH` registers an existing worktree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

workspace_app = typer.Typer(
    name="workspace",
    help="Inspect and manage git worktrees of runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]


def _send(method: str, kind: str, params: dict[str, Any], as_json: bool, text: str) -> None:
    raise typer.Exit(c.show(method, params, kind, text, as_json))


def workspaces_table(spaces: list[dict[str, Any]]) -> str:
    if not spaces:
        return "no workspaces\n"
    rows = [[w["id"], w["state"], w["branch"], w["run"], w["path"]] for w in spaces]
    return c.table(["ID", "STATE", "BRANCH", "RUN", "PATH"], rows)


@workspace_app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="removed ones too")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List workspaces."""

    raise typer.Exit(
        c.show(
            "workspace.list",
            {"all": all_},
            "workspaces",
            lambda r: workspaces_table(r["workspaces"]),
            as_json,
        )
    )


@workspace_app.command("show")
def show_cmd(
    workspace: Annotated[str, typer.Argument(help="workspace id or path")], as_json: JsonOpt = False
) -> None:
    """Show one workspace."""

    raise typer.Exit(
        c.show(
            "workspace.show",
            {"workspace": workspace},
            "workspace",
            lambda r: workspaces_table([r["workspace"]]),
            as_json,
        )
    )


@workspace_app.command("create")
def create_cmd(
    name: Annotated[str, typer.Argument(help="its name (the id is `ws-NAME`)")],
    branch: Annotated[
        str | None, typer.Option("--branch", help="branch (default `oj/ws-NAME`)")
    ] = None,
    base: Annotated[str | None, typer.Option("--base", help="start from this ref")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a worktree workspace."""
    params = {"name": name, "branch": branch, "base": base}
    _send("workspace.create", "workspace_create", params, as_json, "creating `{workspace}`")


@workspace_app.command("remove")
def remove_cmd(
    workspace: Annotated[str, typer.Argument(help="workspace id or path")],
    force: Annotated[bool, typer.Option("--force", help="even while a run uses it")] = False,
    keep_branch: Annotated[
        bool, typer.Option("--keep-branch", help="keep the branch (always)")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Remove a workspace (dirty changes are archived; the branch is kept)."""
    params = {"workspace": workspace, "force": force}
    _send("workspace.remove", "workspace_remove", params, as_json, "removing `{workspace}`")


@workspace_app.command("merge")
def merge_cmd(
    workspace: Annotated[str | None, typer.Argument(help="workspace id or path")] = None,
    branch: Annotated[str, typer.Option("--branch", help="the branch to land")] = "",
    into: Annotated[str, typer.Option("--into", help="the target branch")] = "",
    strategy: Annotated[str, typer.Option("--strategy", help="ff, rebase, merge or squash")] = "ff",
    push: Annotated[bool, typer.Option("--push", help="push the target afterwards")] = False,
    run: Annotated[
        str | None, typer.Option("--run", help="the run whose lock fences the merge")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge a branch into a target (a rebase without W uses a temporary worktree)."""

    def params() -> dict[str, Any]:
        import os

        if not branch or not into:
            raise c.Usage("`merge` needs `--branch B` and `--into T`")
        if strategy not in ("ff", "rebase", "merge", "squash"):
            raise c.Usage(f"unknown strategy `{strategy}`", "use ff, rebase, merge or squash")
        if push:
            raise c.Usage("`--push` is not supported yet", "push the target with git afterwards")
        return {
            "workspace": workspace,
            "branch": branch,
            "into": into,
            "strategy": strategy,
            "run": run or os.environ.get("OJ_RUN", ""),
        }

    def render(result: dict[str, Any]) -> str:
        if result.get("pending"):
            return f"still merging `{branch}` into `{into}` (effect {result['effect']})"
        at = f" at {result['head'][:12]}" if result.get("head") else ""
        return f"merged `{branch}` into `{into}`{at}"

    raise typer.Exit(
        c.show("workspace.merge", params, "workspace_merge", render, as_json, say_it=True)
    )


@workspace_app.command("prune")
def prune_cmd(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would go")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove worktrees of ended runs and orphan worktrees (changes archived)."""

    def body() -> int:
        result = c.request("workspace.prune", {"dry_run": dry_run}, timeout=120.0)
        if c.json_wanted(as_json):
            c.emit_json("workspace_prune", result)
            return 0
        verb = "would remove" if dry_run else "removed"
        for wid in result["workspaces"]:
            c.say(f"{verb} workspace `{wid}`")
        for path in result["orphans"]:
            c.say(f"{verb} orphan worktree `{path}`")
        for problem in result.get("errors", []):
            c.warn(problem)
        if not result["workspaces"] and not result["orphans"]:
            c.say("nothing to prune")
        return 0

    raise typer.Exit(c.guarded(body))


@workspace_app.command("adopt")
def adopt_cmd(
    path: Annotated[str, typer.Argument(help="an existing worktree")],
    name: Annotated[
        str | None, typer.Option("--name", help="its id (default: the directory name)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register an existing worktree as a workspace."""
    params = {"path": str(Path(path).resolve()), "name": name}
    _send("workspace.adopt", "workspace_adopt", params, as_json, "adopted `{workspace}`")
