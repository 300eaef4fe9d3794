"""Property: whatever is done to the example folders' files, a command answers without a
traceback, exits 0, 1 or 3, and changes nothing when it fails."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import TODAY
from facturo.cli import full_app

app = full_app()

EXAMPLES = Path(__file__).parent.parent / "examples"
FOLDERS = ("freelance", "micro")
COMMANDS = {
    "freelance": [
        ("check",),
        ("list", "--json"),
        ("show", "F-2026-0012"),
        ("show", "AV-2026-0001"),
        ("issue", "drafts/velo-partage-sprint-4.yaml", "--no-pdf"),
        ("pay", "F-2026-0013", "10"),
        ("remind", "--json"),
        ("statement", "roussel", "--json"),
        ("credit", "F-2026-0012", "--reason", "Erreur", "--amount", "100", "--draft"),
        ("accept", "D-2026-002", "--force"),
        ("recur", "--dry-run"),
        ("recur",),
        ("subscription", "list"),
    ],
    "micro": [
        ("check",),
        ("list",),
        ("show", "2026-004"),
        ("issue", "drafts/mots-voyageurs-devis-affiche-2027.yaml", "--no-pdf"),
        ("pay", "2026-004", "50"),
        ("remind",),
        ("statement", "fournil"),
    ],
}
# Values people (and editors) put where they do not belong.
ODD_SCALARS = [
    "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "1e400", "-1e400", "1e-400",
    "12345678901234567890123456789.5", "0.0000000000000000000000000001", ".nan", ".inf",
    "!!int abc", "!!timestamp garbage", "!!float x", "!!bool maybe", "!!binary aGk=",
    "!!map x", "!!seq x", "!!set {a}", "!!str", "~", "''", "0", "-1", "-0.01", "99999999999",
    "true", "no", "[]", "{}", "[1, 2]", "{a: 1}", "XXX", "'x'", "é", "\"\\u0000\"", "*alias",
    "&anchor x", "| \n  bloc", "1" * 60, "x" * 300, "2026-01-01 10:00:00", "-", "?",
]  # fmt: skip
ODD_BYTES = [b"\x00", b"\xff", b"\xe9", b"\x1b", b"\t", b"\r", b"\n", b":", b"-", b"'", b'"', b"#"]
KEY_VALUE = re.compile(rb"^(\s*(?:- )?)([A-Za-z_]+):( .*)?$")


def yaml_files(name: str) -> list[str]:
    root = EXAMPLES / name
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))


FILES = {name: yaml_files(name) for name in FOLDERS}


def mutate(text: bytes, kind: str, where: int, choice: int) -> bytes:
    lines = text.split(b"\n")
    fields = [i for i, line in enumerate(lines) if KEY_VALUE.match(line)]
    index = fields[where % len(fields)] if fields else where % len(lines)
    line = lines[index]
    match = KEY_VALUE.match(line)
    indent, key = (match.group(1), match.group(2)) if match else (b"", b"key")
    if kind == "value":
        odd = ODD_SCALARS[choice % len(ODD_SCALARS)].encode()
        lines[index] = indent + key + b": " + odd
    elif kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, line)
    elif kind == "swap":  # a scalar becomes a list or a mapping, or a section a scalar
        shapes = [b" [x]", b" {x: 1}", b"\n" + indent + b"  - 1", b" 3"]
        lines[index] = indent + key + b":" + shapes[choice % len(shapes)]
    elif kind == "rename":  # a typo in a key
        lines[index] = indent + key[:-1] + b"x" + line[len(indent) + len(key) :]
    elif kind == "tag":
        tags = [b"!!int ", b"!!float ", b"!!timestamp ", b"!!bool ", b"!!str ", b"!!null "]
        rest = line[len(indent) + len(key) + 1 :].lstrip()
        lines[index] = indent + key + b": " + tags[choice % len(tags)] + rest
    else:  # bytes
        data = bytearray(b"\n".join(lines))
        position = (where * 7919) % max(len(data), 1)
        data[position : position + 1] = ODD_BYTES[choice % len(ODD_BYTES)]
        return bytes(data)
    return b"\n".join(lines)


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".facturo" not in p.relative_to(root).parts
    }


@contextmanager
def copy_of(name: str) -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="facturo-fuzz-"))
    try:
        root = base / name
        shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns(".facturo", "out"))
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, int, int]], tuple[str, ...]]:
    name = draw(st.sampled_from(FOLDERS))
    kinds = st.sampled_from(
        ["value", "value", "delete", "duplicate", "swap", "rename", "tag", "bytes"]
    )
    edits = draw(
        st.lists(
            st.tuples(
                st.sampled_from(FILES[name]), kinds, st.integers(0, 400), st.integers(0, 100)
            ),
            min_size=1,
            max_size=3,
        )
    )
    command = draw(st.sampled_from(COMMANDS[name]))
    return name, edits, command


@settings(
    max_examples=int(os.environ.get("FACTURO_FUZZ_EXAMPLES", "120")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damage())
def test_damaged_examples_never_crash_and_failures_change_nothing(
    case: tuple[str, list[tuple[str, str, int, int]], tuple[str, ...]],
) -> None:
    name, edits, command = case
    with copy_of(name) as root:
        for relative, kind, where, choice in edits:
            path = root / relative
            path.write_bytes(mutate(path.read_bytes(), kind, where, choice))
        before = snapshot(root)
        env = {"FACTURO_DIR": str(root), "FACTURO_TODAY": TODAY.isoformat(), "FACTURO_PDF": "0"}
        result = CliRunner().invoke(app, list(command), env=env)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert not crashed, (edits, command, result.exc_info)
        assert result.exit_code in (0, 1, 3), (edits, command, result.output)
        if result.exit_code != 0:
            assert snapshot(root) == before, (edits, command, result.output)
