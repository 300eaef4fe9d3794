"""Named numbering series: several series of one kind, each with its own pattern and start."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CONFIG, DRAFT, Cli, snapshot
from facturo.files.yamlio import load_mapping

SERIES = """\
  series:
    - name: formation
      kind: invoice
      pattern: "FOR-{year}-{seq:03}"
"""
TRAINING = "series: formation\n" + DRAFT


def configure(folder: Path, series: str = SERIES) -> None:
    (folder / "facturo.yaml").write_text(CONFIG + series, "utf-8")


def issued(cli: Cli, folder: Path, name: str, text: str, date: str) -> str:
    (folder / "drafts" / f"{name}.yaml").write_text(text, "utf-8")
    result = cli("issue", f"drafts/{name}.yaml", "--date", date)
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def read(folder: Path, number: str) -> dict:  # type: ignore[type-arg]
    path = f"invoices/2026/{number}.yaml"
    data, problems = load_mapping(folder / path, path)
    assert data is not None and problems == []
    return dict(data)


def check(cli: Cli) -> tuple[int, list[str]]:
    result = cli("check", "--json")
    report = json.loads(result.stdout)
    return result.exit_code, [
        f"{p['path']}:{p['line']}:{p['col']}: {p['message']}" for p in report["problems"]
    ]


def test_two_invoice_series_number_and_chain_apart(cli: Cli, folder: Path) -> None:
    configure(folder)
    numbers = [
        issued(cli, folder, "a", DRAFT, "2026-11-02"),
        issued(cli, folder, "b", TRAINING, "2026-11-03"),
        issued(cli, folder, "c", DRAFT, "2026-11-04"),
        issued(cli, folder, "d", TRAINING, "2026-11-05"),
    ]
    assert numbers == ["F-2026-0001", "FOR-2026-001", "F-2026-0002", "FOR-2026-002"]
    first, second = read(folder, "FOR-2026-001"), read(folder, "FOR-2026-002")
    assert (first["kind"], first["series"]) == ("invoice", "formation")
    assert "series" not in read(folder, "F-2026-0001")  # the default series is not named
    # Each series chains its own seals.
    assert second["seal"]["previous"] == first["seal"]["sha256"]
    assert first["seal"]["previous"] is None
    assert (
        read(folder, "F-2026-0002")["seal"]["previous"]
        == (read(folder, "F-2026-0001")["seal"]["sha256"])
    )
    assert check(cli) == (0, [])


def test_a_gap_is_found_in_its_own_series(cli: Cli, folder: Path) -> None:
    configure(folder)
    issued(cli, folder, "a", DRAFT, "2026-11-02")
    for name in ("b", "c", "d"):
        issued(cli, folder, name, TRAINING, "2026-11-03")
    issued(cli, folder, "e", DRAFT, "2026-11-04")
    (folder / "invoices/2026/FOR-2026-002.yaml").unlink()
    code, problems = check(cli)
    assert code == 1
    gaps = [p for p in problems if "gap in the numbering" in p]
    assert gaps == [
        "invoices/2026/FOR-2026-003.yaml:1:1: gap in the numbering: FOR-2026-002 missing before "
        "FOR-2026-003 (numbers are never skipped, deleted or reused)"
    ]


def test_a_named_series_starts_where_its_start_says(cli: Cli, folder: Path) -> None:
    configure(folder, SERIES + "      start: FOR-2026-041\n")
    assert issued(cli, folder, "a", TRAINING, "2026-11-02") == "FOR-2026-041"
    assert issued(cli, folder, "b", TRAINING, "2026-11-03") == "FOR-2026-042"
    assert issued(cli, folder, "c", DRAFT, "2026-11-03") == "F-2026-0001"
    assert check(cli) == (0, [])


def test_series_of_other_kinds_and_yearly_reset(cli: Cli, folder: Path) -> None:
    configure(
        folder,
        SERIES
        + '    - {name: devis-formation, kind: quote, pattern: "DF{yy}-{seq:02}"}\n'
        + '    - {name: continu, kind: invoice, pattern: "C{seq:05}", reset: never}\n',
    )
    quote = "kind: quote\nseries: devis-formation\n" + DRAFT
    assert issued(cli, folder, "q", quote, "2026-11-02") == "DF26-01"
    continuous = "series: continu\n" + DRAFT
    assert issued(cli, folder, "x", continuous, "2026-11-02") == "C00001"
    assert issued(cli, folder, "y", continuous, "2026-11-03") == "C00002"
    assert (folder / "quotes/2026/DF26-01.yaml").is_file()
    assert check(cli) == (0, [])


def test_series_that_could_give_the_same_number_are_refused(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    configure(folder, SERIES.replace("FOR-{year}-{seq:03}", "F-{year}-{seq:02}"))
    line = (CONFIG + SERIES).splitlines().index('      pattern: "FOR-{year}-{seq:03}"') + 1
    code, problems = check(cli)
    assert code == 1
    assert problems == [
        f"facturo.yaml:{line}:7: the series 'formation' ('F-{{year}}-{{seq:02}}') could give "
        "the numbers of the series 'invoice' ('F-{year}-{seq:04}'), e.g. F-2026-0001: two "
        "series must never give the same number; give each its own prefix"
    ]
    before = snapshot(folder)
    (folder / "drafts" / "a.yaml").write_text(DRAFT, "utf-8")
    refused = cli("issue", "drafts/a.yaml")
    assert refused.exit_code != 0 and "must never give the same number" in refused.output
    # Letters are compared ignoring case, as numbers are looked up; other kinds count too.
    assert snapshot(folder) == {**before, "drafts/a.yaml": snapshot(folder)["drafts/a.yaml"]}
    configure(folder, SERIES.replace("FOR-{year}-{seq:03}", "av-{year}-{seq:04}"))
    assert "could give the numbers of the series 'credit_note'" in " ".join(check(cli)[1])


def test_series_names_are_checked(cli: Cli, folder: Path) -> None:
    configure(
        folder,
        SERIES
        + '    - {name: formation, kind: invoice, pattern: "G{year}-{seq}"}\n'
        + '    - {name: quote, kind: quote, pattern: "Q{year}-{seq}"}\n',
    )
    code, problems = check(cli)
    assert code == 1
    assert [p.split(": ", 1)[1] for p in problems] == [
        "another series is already named 'formation'",
        "'quote' is the name of the default quote series: give this one another name",
    ]


def test_a_draft_naming_an_unknown_series_is_refused(cli: Cli, folder: Path) -> None:
    configure(folder)
    (folder / "drafts" / "a.yaml").write_text("series: formaton\n" + DRAFT, "utf-8")
    (folder / "drafts" / "q.yaml").write_text("kind: quote\nseries: formation\n" + DRAFT, "utf-8")
    code, problems = check(cli)
    assert code == 1
    assert problems == [
        "drafts/a.yaml:1:1: no invoice series 'formaton' in numbering.series of facturo.yaml "
        "(did you mean 'formation'?)",
        "drafts/q.yaml:2:1: no quote series 'formation' in numbering.series of facturo.yaml "
        "(none is defined)",
    ]
    assert cli("issue", "drafts/a.yaml").exit_code != 0


def test_a_series_removed_while_its_documents_are_kept_is_reported(cli: Cli, folder: Path) -> None:
    configure(folder)
    issued(cli, folder, "a", TRAINING, "2026-11-02")
    configure(folder, "")
    code, problems = check(cli)
    assert code == 1
    assert any(
        p.startswith(
            "invoices/2026/FOR-2026-001.yaml:1:1: FOR-2026-001 was numbered in the "
            "series 'formation', which numbering.series of facturo.yaml does not define"
        )
        for p in problems
    ), problems


def test_adding_series_changes_nothing_for_the_default_one(cli: Cli, folder: Path) -> None:
    assert issued(cli, folder, "a", DRAFT, "2026-11-02") == "F-2026-0001"
    before = read(folder, "F-2026-0001")
    configure(folder)
    assert check(cli) == (0, [])
    assert issued(cli, folder, "b", DRAFT, "2026-11-03") == "F-2026-0002"
    assert read(folder, "F-2026-0001") == before
    assert set(read(folder, "F-2026-0002")) == set(before)


def test_a_copy_of_an_invoice_keeps_its_series(cli: Cli, folder: Path) -> None:
    configure(folder)
    issued(cli, folder, "a", TRAINING, "2026-11-02")
    result = cli("new", "--from", "FOR-2026-001")
    assert result.exit_code == 0, result.output
    path = result.stdout.strip()
    assert "series: formation\n" in (folder / path).read_text("utf-8")
    assert issued(cli, folder, "b", (folder / path).read_text("utf-8"), "2026-11-22") == (
        "FOR-2026-002"
    )


def test_a_subscription_bills_in_its_series(cli: Cli, folder: Path) -> None:
    configure(folder)
    subscription = folder / "subscriptions" / "formation.yaml"
    subscription.parent.mkdir()
    subscription.write_text(
        "client: dupont\nseries: formation\nschedule: {every: month}\nstart: 2026-11-01\n"
        "issue: auto\nlines:\n  - {description: Formation, quantity: 1, unit_price: 500.00}\n",
        "utf-8",
    )
    result = cli("recur")
    assert result.exit_code == 0, result.output
    assert (folder / "invoices/2026/FOR-2026-001.yaml").is_file()
    assert read(folder, "FOR-2026-001")["series"] == "formation"
