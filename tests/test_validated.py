"""facturo.yaml and client files kept as last validated (store/validated.py): the same bytes
give back what reading them gave, anything else is read again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import facturo.store.index as index
import facturo.store.validated as validated
from conftest import CLIENT_DUPONT, CONFIG, run_in_new_process, write
from facturo.files.marked import YList, YMap
from facturo.store.folder import Folder
from facturo.store.index import Ledger

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# A client file with a bit of everything: problems (an invalid SIREN, an unknown key), a
# warning, nested mappings and lists, texts that read as numbers, dates and amounts.
ODD_CLIENT = """\
name: "Odd & Co"  # a comment
address:
  street: 1 rue X
  postcode: "01000"
  city: Bourg
  country: FR
siren: "123456789"
emails: [a@example.fr, b@example.fr]
payment_terms: 45 days
colour: blue
"""


def _read(root: Path, use_cache: bool = True) -> dict[str, Any]:
    """Every file this memo keeps, as a new ledger (another command) reads them."""
    ledger = Ledger(Folder(root), use_cache=use_cache)
    return {
        "config": ledger.config_with_problems(),
        **{
            f"client {c}": ledger.clients_with_problems()[c] for c in ledger.clients_with_problems()
        },
    }


def _same(a: Any, b: Any, where: str = "") -> None:
    """`a` and `b` are equal with the same types all the way down, marks and raw texts too."""
    assert type(a) is type(b), where
    if isinstance(a, YMap):
        assert (a.line, a.col, a.key_marks, a.raw) == (b.line, b.col, b.key_marks, b.raw), where
    if isinstance(a, YList):
        assert (a.line, a.col, a.item_marks) == (b.line, b.col, b.item_marks), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for at, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}.{at}")
    else:
        assert a == b, where


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed from now on (a memo served the others)."""
    parsed: list[str] = []
    load = index._load_mapping

    def counted(path: Path, display: str, raw: bytes | None = None) -> Any:
        parsed.append(display)
        return load(path, display, raw)

    monkeypatch.setattr(index, "_load_mapping", counted)
    return parsed


@pytest.mark.parametrize("example", ["freelance", "micro", "tests"])
def test_what_a_memo_gives_back_is_what_reading_the_file_gave(
    example: str, tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = folder if example == "tests" else tmp_path / example
    if example == "tests":
        write(root / "clients" / "odd.yaml", ODD_CLIENT)
    else:
        shutil.copytree(EXAMPLES / example, root)
    fresh = _read(root, use_cache=False)
    assert not (root / ".facturo" / "cache" / "read").exists()
    _same(_read(root), fresh)  # read, and kept
    parsed = _parsed(monkeypatch)
    _same(_read(root), fresh)  # from the memos
    assert parsed == []
    if example == "tests":  # the odd client's problems came back too
        problems = [str(p).lower() for p in fresh["client odd"][1]]
        assert any("siren" in p for p in problems) and any("colour" in p for p in problems)


def test_changed_bytes_are_read_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _read(folder)
    parsed = _parsed(monkeypatch)
    write(folder / "facturo.yaml", CONFIG.replace('siren: "812345676"', 'siren: "812345677"'))
    config, problems = Ledger(Folder(folder)).config_with_problems()
    assert parsed == ["facturo.yaml"]
    assert config is not None and any("siren" in str(p).lower() for p in problems)


def test_the_logo_and_the_password_file_are_judged_at_every_read(folder: Path) -> None:
    write(folder / "assets" / "logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    text = CONFIG + "pdf: {logo: assets/logo.svg}\n"
    write(folder / "facturo.yaml", text)
    assert Ledger(Folder(folder)).config_with_problems()[1] == []
    (folder / "assets" / "logo.svg").unlink()
    problems = Ledger(Folder(folder)).config_with_problems()[1]
    assert [p.message for p in problems] == [
        f"pdf.logo assets/logo.svg: no such file in the billing folder {folder.resolve()}"
    ]
    mail = "mail: {host: smtp.example.fr, from: c@example.fr, password_file: pw}\n"
    write(folder / "facturo.yaml", text + mail)
    read = Ledger(Folder(folder)).config_with_problems()[1]  # the new bytes
    assert len(read) == 2 and "password file is inside" in read[1].message
    assert Ledger(Folder(folder)).config_with_problems()[1] == read  # the same bytes, kept


def test_the_problems_of_facturo_yaml_keep_their_order(folder: Path) -> None:
    # The logo and the password file are judged where they always were among the rules:
    # after the seller's and the mail's, before the reminder levels' and the defaults'.
    text = CONFIG + (
        "pdf: {logo: assets/missing.svg}\n"
        "mail: {host: smtp.example.fr, from: c@example.fr, password_file: pw}\n"
        "reminders:\n  levels:\n    - {level: 5, days: 3}\n"
    )
    write(folder / "facturo.yaml", text)
    expected = [
        f"pdf.logo assets/missing.svg: no such file in the billing folder {folder.resolve()}",
        "the password file is inside the billing folder (git would keep it): move it out, "
        "e.g. ~/.config/facturo/smtp-password",
        "reminder levels go from 0 to 3, not 5",
    ]
    for _ in ("read", "kept"):
        problems = Ledger(Folder(folder)).config_with_problems()[1]
        assert [p.message for p in problems] == expected
    assert (folder / ".facturo" / "cache" / "read" / "facturo.yaml.json").exists()


def test_a_client_file_linked_to_an_endless_one_is_too_large_not_read_whole(
    folder: Path,
) -> None:
    # Read in a process that may not grow past 1 GiB: reading /dev/zero whole fails there.
    (folder / "clients" / "zero.yaml").symlink_to("/dev/zero")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pathlib import Path\n"
        "from facturo.store.folder import Folder\n"
        "from facturo.store.index import Ledger\n"
        "for _ in ('read', 'read again'):\n"
        "    data, problems = Ledger(Folder(Path(sys.argv[1]))).clients_with_problems()['zero']\n"
        "    print(data, [str(p) for p in problems])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=False
    )
    too_large = "['clients/zero.yaml: too large for a facturo file (over 4 MB)']"
    assert run.stdout == f"None {too_large}\n" * 2, run.stderr[-2000:]


def test_a_memo_not_signed_here_is_never_used(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read(folder)
    memo = folder / ".facturo" / "cache" / "read" / "clients" / "dupont.yaml.json"
    kept = json.loads(memo.read_bytes())
    assert "Atelier Dupont SARL" in json.dumps(kept)
    memo.write_text(json.dumps(kept).replace("Atelier Dupont SARL", "Forged SARL"))
    parsed = _parsed(monkeypatch)
    client, _ = Ledger(Folder(folder)).clients_with_problems()["dupont"]
    assert client is not None and client["name"] == "Atelier Dupont SARL"
    assert parsed == ["clients/dupont.yaml"]


def test_a_memo_another_program_wrote_with_the_key_is_still_checked(folder: Path) -> None:
    from facturo.store.cache import write_signed

    _read(folder)
    memo = folder / ".facturo" / "cache" / "read" / "clients" / "dupont.yaml.json"
    kept = json.loads(memo.read_bytes())
    kept["data"] = {"float": 1.5}  # signed, of the same bytes, but no value facturo writes
    write_signed(memo, kept)
    client, problems = Ledger(Folder(folder)).clients_with_problems()["dupont"]
    assert client is not None and client["name"] == "Atelier Dupont SARL" and problems == []


def test_other_code_reads_the_files_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _read(folder)
    monkeypatch.setattr(validated, "code_identity", lambda: b"facturo or a library upgraded")
    parsed = _parsed(monkeypatch)
    _read(folder)
    assert sorted(parsed) == ["clients/berlin.yaml", "clients/dupont.yaml", "facturo.yaml"]


def test_a_value_it_does_not_write_leaves_the_file_read_each_time() -> None:
    data = YMap({"rate": 1.5})
    with pytest.raises(validated._NotKept):
        validated._encoded(data, [], "facturo.yaml")


def test_without_the_cache_nothing_is_kept(folder: Path) -> None:
    _read(folder, use_cache=False)
    assert not (folder / ".facturo" / "cache" / "read").exists()


def test_a_tracked_state_folder_is_refused_when_a_memo_is_found(folder: Path) -> None:
    from facturo.errors import FacturoError

    _read(folder)
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-f", ".facturo"], cwd=folder, check=True)
    with pytest.raises(FacturoError, match="is tracked by git"):
        Ledger(Folder(folder)).config_with_problems()


def test_a_statement_served_by_the_caches_starts_without_yaml_or_stdnum(cli, draft, folder) -> None:  # type: ignore[no-untyped-def]
    write(folder / "clients" / "dupont.yaml", CLIENT_DUPONT)
    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0
    assert cli("statement", "dupont").exit_code == 0  # the caches, as the next run finds them
    printed, imported = run_in_new_process(
        folder, "statement", "dupont", modules=("yaml", "stdnum")
    )
    assert "F-2026-0001" in printed, printed
    assert imported == []


def test_every_kind_of_value_comes_back_with_its_type_and_marks() -> None:
    import datetime as dt
    from decimal import Decimal

    from facturo.errors import Problem

    inner = YList([Decimal("1.50"), Decimal("-0"), Decimal("1E+2"), None, True, 0])
    inner.line, inner.col, inner.item_marks = 4, 3, [(4, 5), (5, 5), (6, 5)]
    data = YMap({"texts": ["a", "é"], "when": dt.date(2026, 3, 2), "inner": inner})
    data["at"] = dt.datetime(2026, 3, 2, 9, 30, 15)
    data["plain"] = {"k": [1, {"n": False}]}
    data.line, data.col = 1, 1
    data.key_marks = {"texts": (1, 1), "when": (2, 1), "gone": (3, 1)}
    data.raw = {"when": "2026-03-02", "inner": "x"}
    problems = [Problem("f.yaml", 2, 1, "wrong", "warning"), Problem("f.yaml", 0, 0, "bad")]
    kept = json.loads(json.dumps(validated._encoded(data, problems, "f.yaml")))
    back, problems_back = validated._decoded(kept, "f.yaml")
    _same(back, data)
    assert problems_back == problems


def test_check_judges_every_user_file_from_its_bytes_and_keeps_none(cli, folder) -> None:  # type: ignore[no-untyped-def]
    write(folder / "clients" / "odd.yaml", ODD_CLIENT)
    assert cli("check", "--no-cache").exit_code == 1
    assert cli("check").exit_code == 1
    assert not (folder / ".facturo" / "cache" / "read").exists()
    assert cli("statement", "dupont").exit_code == 0
    kept = sorted(p.name for p in (folder / ".facturo" / "cache" / "read").rglob("*.json"))
    assert kept == ["dupont.yaml.json", "facturo.yaml.json"]
