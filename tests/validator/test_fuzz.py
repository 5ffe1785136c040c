"""No traceback for any input: >= 5,000 mutated runbooks go through the checker in-process.

Mutations of real runbooks (byte flips, insertions, deletions, truncations, line shuffles) and
random TOML-ish text must each end in diagnostics (possibly none), never in an exception; every
diagnostic must also render in every format.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ojlang.loader import load_text
from ojlang.project import Origin, RunbookFile
from ojlang.validator.render import FORMATS, render

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(
    [
        *ROOT.glob("examples/*.toml"),
        *ROOT.glob("stdlib_runbooks/*.toml"),
        *ROOT.glob("bench/fixtures/runbooks/*.toml"),
    ]
)
TOKENS = [
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"=",
    b'"',
    b"'",
    b'"""',
    b"'''",
    b"{",
    b"}",
    b",",
    b".",
    b"\n",
    b"\r\n",
    b"#",
    b"\\",
    b"\\u00",
    b"{name",
    b"| raw}",
    b"1979-05-27T",
    b"0x",
    b"inf",
    b"nan",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"phase",
    b"run",
    b"task.x",
    b"on_fail",
    b"retry:",
    b"5 minuts",
    b"<a...>",
    b"**:",
    b"not in",
    b"\t",
    b" ",
]
PER_SEED = 5200 // max(1, len(SEEDS)) + 1


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf) + 1) if buf else 0
        if op == 0 and buf:  # flip a byte
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert a token
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and buf:  # delete a run
            del buf[pos : pos + rng.randint(1, 12)]
        elif op == 3:  # truncate
            del buf[pos:]
        elif op == 4:  # duplicate a line
            lines = bytes(buf).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            buf = bytearray(b"\n".join(lines))
        else:  # swap two lines
            lines = bytes(buf).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def random_toml(rng: random.Random) -> bytes:
    return b"".join(
        rng.choice(TOKENS) + rng.choice([b"", b"a", b"x = ", b"1"])
        for _ in range(rng.randint(1, 40))
    )


def check_bytes(data: bytes) -> None:
    file = RunbookFile(Path("/fuzz/runbooks/fuzz.toml"), "runbooks/fuzz.toml", Origin.PROJECT)
    loaded = load_text(data, file)
    sources = {file.display: loaded.source or ""}
    for fmt in FORMATS:
        render(loaded.diagnostics, fmt, sources=sources, runbooks=1)


def test_there_are_seed_runbooks() -> None:
    assert len(SEEDS) >= 2


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_mutated_runbooks_end_in_diagnostics(seed: Path) -> None:
    rng = random.Random(seed.name)
    data = seed.read_bytes()
    check_bytes(data)
    for _ in range(PER_SEED):
        check_bytes(mutate(data, rng))


def test_random_toml_ends_in_diagnostics() -> None:
    rng = random.Random(7)
    for _ in range(1000):
        check_bytes(random_toml(rng))
