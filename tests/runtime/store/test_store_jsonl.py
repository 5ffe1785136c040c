"""JSONL export and import (§6.6): lines carry the store's CRC; truncation at every byte length
imports exactly the complete records and never raises; the torn-tail rule and `--salvage`."""

from __future__ import annotations

import gzip
import io
import json
from functools import cache
from pathlib import Path

import pytest
from store_kit import MACHINE, run_job

from ojlang.runtime.store.jsonl import (
    export_ops,
    import_file,
    op_line,
    read_file,
    read_ops,
    write_archive,
)
from ojlang.runtime.store.port import Op
from ojlang.runtime.store.sqlite import open_store


@cache
def ops_of_a_run() -> tuple[Op, ...]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run_job({"dir": tmp, "ack": f"{tmp}/ack", "batches": 6, "seed": 9})
        store = open_store(tmp, readonly=True, machine_id=MACHINE)
        ops = tuple(store.read_since(0))
        store.close()
    return ops


def exported(ops: tuple[Op, ...]) -> bytes:
    out = io.StringIO()
    assert export_ops(ops, out) == len(ops)
    return out.getvalue().encode()


def test_a_line_has_the_shape_and_crc_of_the_spec() -> None:
    op = ops_of_a_run()[1]
    line = op_line(op)
    assert line.endswith("\n") and line.count("\n") == 1
    data = json.loads(line)
    assert list(data) == ["seq", "ts", "machine_id", "type", "body", "crc32"]
    assert data["crc32"] == op.crc32 and isinstance(data["body"], dict)


def test_export_then_read_round_trips() -> None:
    ops = ops_of_a_run()
    result = read_ops(exported(ops))
    assert result.ops == ops and result.warnings == () and result.error is None


def test_every_truncation_imports_exactly_the_complete_records() -> None:
    ops = ops_of_a_run()[1:15]  # past the (large) graph op
    data = exported(ops)
    ends = [i + 1 for i, b in enumerate(data) if b == ord("\n")]
    for length in range(len(data) + 1):
        result = read_ops(data[:length])
        complete = sum(1 for e in ends if e <= length)
        assert result.ops == ops[:complete], length
        assert result.error is None
        torn = length not in (0, *ends)
        assert bool(result.warnings) == torn, (length, result.warnings)


def test_a_bad_line_before_good_ones_is_corruption_unless_salvaged() -> None:
    ops = ops_of_a_run()[:6]
    lines = exported(ops).split(b"\n")
    lines[2] = lines[2].replace(b'"ts":', b'"ts":1', 1)  # the CRC no longer matches
    data = b"\n".join(lines)
    result = read_ops(data)
    assert result.error == "line 3: crc mismatch, and valid lines follow it"
    assert result.ops == ops[:2]
    salvaged = read_ops(data, salvage=True)
    assert salvaged.error is None and salvaged.ops == ops[:2]
    assert salvaged.warnings == ("line 3: crc mismatch; --salvage stops there",)


@pytest.mark.parametrize(
    "last, reason",
    [
        (b"{not json", "not valid JSON"),
        (b'{"seq": 1}', "not an op record"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_bad_last_lines_are_a_torn_tail(last: bytes, reason: str) -> None:
    ops = ops_of_a_run()[:3]
    result = read_ops(exported(ops) + last + b"\n")
    assert result.ops == ops and result.error is None
    assert result.warnings == (f"line 4: {reason}; dropped as a torn tail",)


def test_a_line_out_of_sequence_is_bad() -> None:
    ops = ops_of_a_run()
    result = read_ops(exported((ops[0], ops[2])))
    assert result.ops == (ops[0],)
    assert result.warnings == ("line 2: does not follow op 1; dropped as a torn tail",)


def test_archives_are_gzip_and_truncated_archives_still_read(tmp_path: Path) -> None:
    ops = ops_of_a_run()
    target = write_archive(ops, tmp_path / "a" / "ops-1-9.jsonl.gz")
    data, warnings, error = read_file(target)
    assert error is None and warnings == [] and read_ops(data).ops == ops
    raw = target.read_bytes()
    target.write_bytes(raw[: len(raw) // 2])
    data, warnings, error = read_file(target)
    assert error is None and warnings and "truncated gzip" in warnings[0]
    partial = read_ops(data)
    assert partial.ops == ops[: len(partial.ops)] and partial.error is None
    target.write_bytes(b"\x1f\x8b" + b"\x00" * 30)
    assert read_file(target)[2] is not None
    assert read_file(tmp_path / "missing")[2] is not None


def test_import_builds_a_fresh_store(tmp_path: Path) -> None:
    ops = ops_of_a_run()
    src = tmp_path / "export.jsonl"
    src.write_bytes(exported(ops) + b'{"torn')
    report = import_file(src, tmp_path / "into", machine_id=MACHINE)
    assert report.error is None and report.ops == len(ops) and len(report.warnings) == 1
    store = open_store(tmp_path / "into", readonly=True, machine_id=MACHINE)
    assert tuple(store.read_since(0)) == ops and store.meta["imported_from"] == str(src)
    store.close()
    again = import_file(src, tmp_path / "into", machine_id=MACHINE)
    assert again.error is not None and "already holds a store" in again.error


def test_import_of_a_corrupt_export_creates_nothing(tmp_path: Path) -> None:
    ops = ops_of_a_run()[:4]
    lines = exported(ops).split(b"\n")
    lines[1] = b"garbage"
    src = tmp_path / "bad.jsonl.gz"
    src.write_bytes(gzip.compress(b"\n".join(lines)))
    report = import_file(src, tmp_path / "into", machine_id=MACHINE)
    assert report.error is not None and not (tmp_path / "into" / "state.db").exists()
    salvaged = import_file(src, tmp_path / "into", salvage=True, machine_id=MACHINE)
    assert salvaged.error is None and salvaged.ops == 1
