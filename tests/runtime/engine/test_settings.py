"""`.oj/config.toml` → core and engine settings; bad keys and values are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.runtime.engine.settings import SettingsError, load_settings


def write(root: Path, text: str) -> None:
    (root / ".oj").mkdir(exist_ok=True)
    (root / ".oj" / "config.toml").write_text(text)


def test_defaults_without_a_config(tmp_path: Path) -> None:
    core, engine = load_settings(tmp_path, env={"PATH": "/bin", "SECRET_TOKEN": "x"})
    assert core.project_root == str(tmp_path)
    assert core.env == {"PATH": "/bin"}  # allow-listed: secrets never reach the op log
    assert engine.poll_interval_s == 2.0 and engine.adapter_threads == 8


def test_runtime_and_agents_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[runtime]\nidle_grace = "2s"\nlinger = "500ms"\npoll_interval = "1s"\nmax_sessions = 3\n'
        'hook_silence = "10s"\n[agents]\nstop_gate = false\nsafe = true\n'
        'env_passthrough = ["SECRET_*"]\n',
    )
    core, engine = load_settings(tmp_path, env={"SECRET_TOKEN": "x"})
    assert (core.idle_grace_us, core.linger_us, core.max_sessions) == (2_000_000, 500_000, 3)
    assert core.hook_silence_us == 10_000_000 and engine.hook_silence_s == 10.0
    assert core.stop_gate is False and engine.safe is True
    assert engine.poll_interval_s == 1.0 and core.env == {"SECRET_TOKEN": "x"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[runtime]\nidle_grace = 3\n", "`runtime.idle_grace` in `.oj/config.toml` must be a"),
        ('[runtime]\nidle_grace = "3 parsecs"\n', "invalid duration"),
        ("[runtime]\nmax_sessions = 0\n", "must be an integer ≥ 1"),
        ("[runtime]\nbogus = 1\n", "unknown key `runtime.bogus`"),
        ('[agents]\nsafe = "yes"\n', "must be `true` or `false`"),
        ("runtime = 1\n", "`[runtime]` in `.oj/config.toml` must be a table"),
        ("[runtime\n", "cannot read `.oj/config.toml`"),
    ],
)
def test_bad_config(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text)
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("`", "`")):
        load_settings(tmp_path, env={})


def test_the_default_context_template_is_the_bundled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = Path(__file__).parents[3] / "stdlib_runbooks" / "templates" / "context.md.j2"
    for stdlib in ("", str(tmp_path / "no-stdlib")):  # runbooks off: the template stays
        monkeypatch.setenv("OJ_STDLIB_DIR", stdlib)
        core, _ = load_settings(tmp_path, env={})
        assert core.context_template == bundled.read_text()
    own = tmp_path / "lib" / "templates" / "context.md.j2"
    own.parent.mkdir(parents=True)
    own.write_text("{{ id }}")
    monkeypatch.setenv("OJ_STDLIB_DIR", str(tmp_path / "lib"))
    assert load_settings(tmp_path, env={})[0].context_template == "{{ id }}"
