"""JSONL export and import (RUNTIME.md §6.6): ops in, one JSON line per op out, and back.

A line is `{"seq":…,"ts":…,"machine_id":…,"type":…,"body":{…},"crc32":…}` with the store's
CRC over the canonical body. Reading applies the torn-tail rule: a last line without `\\n`,
unparsable, or failing its CRC (or seq/ts continuity) is dropped with a warning; a bad line
followed by a good one is corruption, reported as `error` unless `salvage` (then reading stops
at the first bad line). Reading never raises on bad data: problems are returned as data.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from ojlang.runtime.core.codec import canonical
from ojlang.runtime.store.port import OP_TYPES, Op

_KEYS = {"seq", "ts", "machine_id", "type", "body", "crc32"}


def op_line(op: Op) -> str:
    mid, typ = json.dumps(op.machine_id, ensure_ascii=False), json.dumps(op.type)
    return (
        f'{{"seq":{op.seq},"ts":{op.ts},"machine_id":{mid},"type":{typ},'
        f'"body":{op.body},"crc32":{op.crc32}}}\n'
    )


def export_ops(ops: Iterable[Op], out: IO[str]) -> int:
    """Write `ops` as JSONL lines; the number written out."""
    n = 0
    for op in ops:
        out.write(op_line(op))
        n += 1
    return n


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(ops: Iterable[Op], target: Path) -> Path:
    """Export to `target` (gzip when it ends in `.gz`) durably: tmp file, fsync, rename,
    directory fsync."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as raw:
        if target.suffix == ".gz":
            with gzip.open(raw, "wt", encoding="utf-8", compresslevel=6) as gz:
                export_ops(ops, gz)
        else:
            with open(raw.fileno(), "w", encoding="utf-8", closefd=False) as text:
                export_ops(ops, text)
        raw.flush()
        os.fsync(raw.fileno())
    tmp.replace(target)
    fsync_dir(target.parent)
    return target


# -- reading ----------------------------------------------------------------------------------


@attrs.frozen
class ReadResult:
    ops: tuple[Op, ...]
    warnings: tuple[str, ...]
    error: str | None  # corruption (a bad line followed by good ones) without `salvage`
    first_bad_line: int | None


def parse_line(line: bytes, prev: Op | None) -> Op | str:
    """The op of one complete line (without its `\\n`), or why it is bad."""
    try:
        data: Any = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "not valid JSON"
    if not isinstance(data, dict) or set(data) != _KEYS:
        return "not an op record"
    seq, ts, mid, typ, body, crc = (
        data[k] for k in ("seq", "ts", "machine_id", "type", "body", "crc32")
    )
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (seq, ts, crc))
    if not (ints and isinstance(mid, str) and typ in OP_TYPES and isinstance(body, dict)):
        return "not an op record"
    try:
        op = Op(seq, ts, mid, typ, canonical(body), crc)
    except (TypeError, ValueError):
        return "not an op record"
    if not op.crc_ok:
        return "crc mismatch"
    if prev is not None and (op.seq != prev.seq + 1 or op.ts < prev.ts):
        return f"does not follow op {prev.seq}"
    return op


def split_lines(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, content, ends with `\\n`) for each line of `data`."""
    start, number = 0, 0
    while start < len(data):
        number += 1
        end = data.find(b"\n", start)
        if end < 0:
            yield number, data[start:], False
            return
        yield number, data[start:end], True
        start = end + 1


def read_ops(data: bytes, *, salvage: bool = False) -> ReadResult:
    """Parse an export (see the module doc for the torn-tail rule)."""
    ops: list[Op] = []
    warnings: list[str] = []
    bad: tuple[int, str] | None = None
    prev: Op | None = None
    for number, line, complete in split_lines(data):
        result = parse_line(line, prev) if complete else "the last line has no newline"
        if bad is None:
            if isinstance(result, Op):
                ops.append(result)
                prev = result
                continue
            bad = (number, result)
            continue
        if isinstance(parse_line(line, None), Op) and complete:
            if salvage:
                warnings.append(f"line {bad[0]}: {bad[1]}; --salvage stops there")
                return ReadResult(tuple(ops), tuple(warnings), None, bad[0])
            error = f"line {bad[0]}: {bad[1]}, and valid lines follow it"
            return ReadResult(tuple(ops), tuple(warnings), error, bad[0])
    if bad is not None:
        warnings.append(f"line {bad[0]}: {bad[1]}; dropped as a torn tail")
    return ReadResult(tuple(ops), tuple(warnings), None, bad[0] if bad else None)


def read_file(path: Path) -> tuple[bytes, list[str], str | None]:
    """(bytes, warnings, error) of an export, gunzipped when gzip; a truncated gzip yields
    what decompresses, with a warning."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return b"", [], f"cannot read `{path}`: {err.strerror or err}"
    if not raw.startswith(b"\x1f\x8b"):
        return raw, [], None
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(raw)
    except zlib.error as err:
        return b"", [], f"`{path}` is not a readable gzip file: {err}"
    if not d.eof:
        return out, [f"`{path}` is a truncated gzip file; reading what it holds"], None
    return out, [], None


@attrs.frozen
class ImportReport:
    db: Path
    ops: int
    warnings: tuple[str, ...]
    error: str | None


def import_file(
    src: Path, into: Path, *, salvage: bool = False, machine_id: str | None = None
) -> ImportReport:
    """Build a fresh store in the directory `into` from the export `src` (one transaction);
    nothing is created when the export is corrupt (a bad line before good ones)."""
    from ojlang.runtime.store.sqlite import DB_NAME, open_store

    db = into / DB_NAME
    if db.exists():
        return ImportReport(db, 0, (), f"`{into}` already holds a store")
    data, warnings, error = read_file(src)
    if error is not None:
        return ImportReport(db, 0, tuple(warnings), error)
    result = read_ops(data, salvage=salvage)
    warnings += result.warnings
    if result.error is not None:
        return ImportReport(db, 0, tuple(warnings), result.error)
    into.mkdir(parents=True, exist_ok=True)
    store = open_store(db, machine_id=machine_id)
    try:
        store.insert_verbatim(result.ops)
        store.set_meta("imported_from", str(src))
    finally:
        store.close()
    return ImportReport(db, len(result.ops), tuple(warnings), None)
