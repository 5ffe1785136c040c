"""One git command at a time (RUNTIME.md §8.4): argv in, `(status, stdout, stderr)` out, through
GitPython's `Git.execute` with a per-call timeout, `LC_ALL=C` (stderr is matched in English)
and no terminal prompts; plus the parsers of `git worktree list --porcelain`.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import git

from ojlang.runtime.adapters.errors import GitFailed, RefNotFound

ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no"}


@attrs.frozen
class Out:
    status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.status == 0


class GitRunner:
    """Runs `git ARGS` in a directory; `identity` adds `-c user.*` only when none is set."""

    def __init__(self, root: Path, timeout_s: float = 60.0) -> None:
        self.root = root
        self.timeout_s = timeout_s
        self._identity: list[str] | None = None

    def run(self, *args: str, cwd: Path | None = None) -> Out:
        runner = git.Git(str(cwd or self.root))
        try:
            status, stdout, stderr = runner.execute(
                ["git", *args],
                with_extended_output=True,
                with_exceptions=False,
                kill_after_timeout=self.timeout_s,
                env=ENV,
                strip_newline_in_stdout=False,
            )
        except git.GitCommandNotFound as exc:
            raise GitFailed("git not found; install git") from exc
        return Out(int(status or 0), str(stdout), str(stderr))

    def check(self, *args: str, cwd: Path | None = None) -> str:
        """stdout of a command that must succeed, else `GitFailed` with its stderr."""
        out = self.run(*args, cwd=cwd)
        if not out.ok:
            raise GitFailed(f"`git {args[0]}` failed: {one_line(out.stderr)}")
        return out.stdout

    def identity(self) -> list[str]:
        """`-c user.name=… -c user.email=…` when the repository has no identity configured."""
        if self._identity is None:
            has = self.run("config", "user.email").ok and self.run("config", "user.name").ok
            self._identity = [] if has else ["-c", "user.name=oj", "-c", "user.email=oj@localhost"]
        return self._identity

    def sha(self, ref: str, cwd: Path | None = None) -> str:
        out = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=cwd)
        if not out.ok:
            raise RefNotFound(f"no commit `{ref}`")
        return out.stdout.strip()

    def dirty(self, path: Path, *, untracked: bool = True) -> bool:
        mode = "--untracked-files=normal" if untracked else "--untracked-files=no"
        return bool(self.check("status", "--porcelain", mode, cwd=path).strip())

    def unmerged(self, cwd: Path) -> tuple[str, ...]:
        out = self.run("diff", "--name-only", "--diff-filter=U", cwd=cwd)
        return tuple(line for line in out.stdout.splitlines() if line)


def one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return "; ".join(lines)[:500] or "no message"


@attrs.frozen
class PorcelainWorktree:
    path: Path
    head: str
    branch: str | None
    locked: bool
    prunable: bool
    bare: bool


def parse_worktrees(text: str) -> list[PorcelainWorktree]:
    """Blocks of `git worktree list --porcelain`, the primary checkout first."""
    out: list[PorcelainWorktree] = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        if "worktree" not in fields:
            continue
        branch = fields.get("branch")
        out.append(
            PorcelainWorktree(
                Path(fields["worktree"]),
                fields.get("HEAD", ""),
                branch.removeprefix("refs/heads/") if branch else None,
                "locked" in fields,
                "prunable" in fields,
                "bare" in fields,
            )
        )
    return out


def branch_ok(runner: GitRunner, branch: str) -> bool:
    """`git check-ref-format --branch` accepts the name as it is (`@`, `@{-1}` expand: no)."""
    if branch.startswith("-") or branch == "@":
        return False
    out = runner.run("check-ref-format", "--branch", branch)
    return out.ok and out.stdout.strip() == branch
