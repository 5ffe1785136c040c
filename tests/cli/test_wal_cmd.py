"""`oj wal …`: stats, export/import, verify, compact, repair and replay on real stores, with
their exit codes and the recovery steps of a refusal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ojlang.cli.main import main

sys.path.insert(0, str(Path(__file__).parents[1] / "runtime" / "store"))
from store_kit import MACHINE, run_job

from ojlang.runtime.store.repair import daemon_lock
from ojlang.runtime.store.sqlite import open_store


def oj(*argv: str) -> int:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    return int(info.value.code or 0)


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OJ_MACHINE_ID", MACHINE)
    folder = tmp_path / ".oj"
    run_job({"dir": str(folder), "ack": str(tmp_path / "ack"), "batches": 20, "snapshot_ops": 20})
    monkeypatch.chdir(tmp_path)
    return folder


def test_stats_in_text_and_json(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("wal", "stats") == 0  # the project's .oj/ found from the working directory
    out = capsys.readouterr().out
    assert out.startswith("store       ") and "snapshots   " in out and "bytes per op" in out
    assert oj("wal", "stats", "--json", "--db", str(store_dir)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "oj.wal_stats/1" and data["ops"] > 0 and data["first_seq"] == 1


def test_export_import_and_verify(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj("wal", "export", "--from", "2", "--to", "4") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 3, 4]
    archive = tmp_path / "all.jsonl.gz"
    assert oj("wal", "export", "--jsonl", "-o", str(archive)) == 0
    assert "exported to" in capsys.readouterr().err
    assert oj("wal", "import", str(archive), "--into", str(tmp_path / "copy")) == 0
    assert "imported" in capsys.readouterr().out
    assert oj("wal", "verify", "--db", str(tmp_path / "copy")) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert oj("wal", "import", str(archive), "--into", str(tmp_path / "copy")) == 1
    assert "already holds a store" in capsys.readouterr().err


def test_import_of_a_corrupt_export_names_salvage(
    tmp_path: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj("wal", "export", "-o", str(tmp_path / "x.jsonl")) == 0
    lines = (tmp_path / "x.jsonl").read_text().splitlines(keepends=True)
    lines[1] = "garbage\n"
    (tmp_path / "x.jsonl").write_text("".join(lines))
    capsys.readouterr()
    assert oj("wal", "import", str(tmp_path / "x.jsonl"), "--into", str(tmp_path / "y")) == 1
    err = capsys.readouterr().err
    assert "error: line 2: not valid JSON, and valid lines follow it" in err and "--salvage" in err
    assert (
        oj("wal", "import", str(tmp_path / "x.jsonl"), "--into", str(tmp_path / "y"), "--salvage")
        == 0
    )


def test_verify_reports_problems_with_exit_1(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(store_dir, machine_id=MACHINE)
    store._conn.execute("UPDATE ops SET body = body || ' ' WHERE seq = 3")
    store.close()
    assert oj("wal", "verify") == 1
    assert "problem: op 3: crc mismatch" in capsys.readouterr().out
    assert oj("wal", "verify", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "oj.wal_verify/1" and data["ok"] is False


def test_compact_archives_and_refuses_while_the_daemon_runs(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with daemon_lock(store_dir):
        assert oj("wal", "compact") == 1
    err = capsys.readouterr().err
    assert "the daemon is running" in err and "oj daemon stop" in err
    writer = open_store(store_dir, machine_id=MACHINE)
    for kind in ("daemon_start", "daemon_stop"):  # ops after the newest snapshot
        last = writer.append_marker(kind, {}, writer.last_ts)
    writer.close()
    assert oj("wal", "compact") == 0
    out = capsys.readouterr().out
    assert out.startswith("compacted ") and "archive/ops-1-" in out
    store = open_store(store_dir, readonly=True)
    assert store.snapshots()[0].seq == last  # a fresh snapshot came first
    assert oj("wal", "compact", "--no-export") == 0
    assert capsys.readouterr().out.startswith(("compacted ", "nothing to compact"))


def test_repair_from_asks_for_confirmation(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(store_dir, machine_id=MACHINE)
    last = store.last_seq
    store.close()
    assert oj("wal", "repair", "--from", str(last - 2)) == 1
    assert "pass `--yes` to confirm" in capsys.readouterr().err
    assert oj("wal", "repair", "--from", str(last - 2), "--yes") == 0
    assert (
        capsys.readouterr().out == f"3 ops from seq {last - 2} on moved to the quarantine table\n"
    )
    assert oj("wal", "repair", "--from", str(last + 5), "--yes") == 1


def test_repair_rebuilds_the_file(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("wal", "repair") == 0
    out = capsys.readouterr().out
    assert out.startswith("repaired: ") and "state.db.broken-" in out
    assert list(store_dir.glob("state.db.broken-*"))
    assert oj("wal", "verify") == 0


def test_replay_until_a_seq(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("wal", "replay", "--until", "10") == 0
    out = capsys.readouterr().out
    assert out.startswith("state at seq 10\n") and "queue items" in out
    assert oj("wal", "replay", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "oj.wal_replay/1" and data["world"]["graph_hash"]


def test_an_unreadable_store_is_refused_with_the_recovery_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "state.db").write_bytes(b"not a database" * 512)
    assert oj("wal", "stats", "--db", str(tmp_path)) == 71
    err = capsys.readouterr().err
    assert (
        err.startswith("error: the store ")
        and "help: stop the daemon, then run `oj wal repair`" in err
    )
    assert oj("wal", "stats", "--db", str(tmp_path / "none")) == 71
    assert "no store at" in capsys.readouterr().err


def test_bad_paths_are_errors_not_tracebacks(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    assert oj("wal", "import", str(tmp_path / "file"), "--into", str(tmp_path / "file")) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert oj("wal", "export", "-o", str(tmp_path / "file" / "sub.jsonl")) == 1
    assert capsys.readouterr().err.startswith("error: cannot access")
