"""`python -m ojlang.parser.decode`: the toml-test decoder, run as a real subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys

import pytest
from toml_test_suite import suite_dir, tagged_value, toml_files

from ojlang.parser import decode

SUITE = suite_dir()


def run_decoder(data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ojlang.parser.decode"],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_a_valid_file_prints_its_tagged_json_and_exits_0() -> None:
    name = "valid/spec-example-1.toml"
    done = run_decoder((SUITE / name).read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    expected = json.loads((SUITE / name).with_suffix(".json").read_text(encoding="utf-8"))
    assert tagged_value(json.loads(done.stdout)) == tagged_value(expected)


def test_an_invalid_file_prints_one_diagnostic_line_and_exits_1() -> None:
    done = run_decoder((SUITE / "invalid/table/duplicate-key-01.toml").read_bytes())
    assert done.returncode == 1
    assert done.stdout == b""
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert re.fullmatch(r"<stdin>:4:2: error\[OJ002\] table `\[a\]` is defined twice\n", err), err


def test_a_bom_is_accepted_and_bad_utf8_rejected() -> None:
    done = run_decoder("\ufeffa = 1\n".encode())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"a": {"type": "integer", "value": "1"}}
    done = run_decoder(b'a = "\xff"\n')
    assert done.returncode == 1
    assert done.stderr.decode().startswith("<stdin>:1:6: error[OJ003] file is not valid UTF-8")


def test_datetimes_are_written_as_toml_test_writes_them() -> None:
    text = (
        "a = 1987-07-05 17:45:00z\nb = 1987-07-05T17:45:56.6+08:00\n"
        "c = 1987-07-05T17:45:56.123456\nd = 1987-07-05\ne = 10:32:00.555\n"
    )
    out = io.StringIO()
    assert decode.main(io.BytesIO(text.encode()), out) == 0
    values = {k: v["value"] for k, v in json.loads(out.getvalue()).items()}
    assert values == {
        "a": "1987-07-05T17:45:00Z",
        "b": "1987-07-05T17:45:56.600+08:00",
        "c": "1987-07-05T17:45:56.123456",
        "d": "1987-07-05",
        "e": "10:32:00.555",
    }


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_the_decoder_agrees_with_the_whole_suite(kind: str) -> None:
    wrong = []
    for name in toml_files(kind):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = decode.main(io.BytesIO((SUITE / name).read_bytes()), out)
        if kind == "valid":
            expected = json.loads((SUITE / name).with_suffix(".json").read_text(encoding="utf-8"))
            if code != 0 or tagged_value(json.loads(out.getvalue())) != tagged_value(expected):
                wrong.append(name)
        elif code != 1 or not re.fullmatch(
            r"<stdin>:\d+:\d+: error\[OJ00[123]\] .+\n", err.getvalue()
        ):
            wrong.append(name)
    assert wrong == []
