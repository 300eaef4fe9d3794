"""Every command through the CLI runner, on real files, as a user would type it."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from conftest import CLIENT_DUPONT, TODAY, write
from facturo.cli import full_app

app = full_app()

INIT_FLAGS = [
    "--name", "Camille Martin", "--street", "12 rue des Lilas", "--postcode", "75011",
    "--city", "Paris", "--siren", "812345676", "--vat-number", "FR19812345676", "--no-input",
]  # fmt: skip


def run(*args: str, cwd_env: dict[str, str] | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"FACTURO_TODAY": TODAY.isoformat(), **(cwd_env or {})}
    return CliRunner().invoke(app, list(args), env=env, input=input, catch_exceptions=False)


def test_init_with_flags_creates_a_valid_folder_in_a_new_repo(tmp_path: Path) -> None:
    target = tmp_path / "billing"
    result = run("init", str(target), *INIT_FLAGS)
    assert result.exit_code == 0, result.output
    assert (target / "facturo.yaml").is_file()
    assert (target / "clients").is_dir() and (target / "drafts").is_dir()
    assert ".facturo/" in (target / ".gitignore").read_text()
    assert (target / ".git").is_dir()
    assert run("--dir", str(target), "check").exit_code == 0


def test_init_names_every_language_of_the_catalogs(tmp_path: Path) -> None:
    catalogs = Path(__file__).resolve().parents[1] / "src" / "facturo" / "catalogs"
    languages = {path.stem for path in catalogs.glob("*.yaml")}
    assert {"fr", "en", "de", "es", "it"} <= languages
    target = tmp_path / "billing"
    assert run("init", str(target), *INIT_FLAGS).exit_code == 0
    (comment,) = [
        line.split("#", 1)[1]
        for line in (target / "facturo.yaml").read_text("utf-8").splitlines()
        if line.strip().startswith("language:")
    ]
    assert set(comment.split(":")[0].replace("|", " ").split()) == languages
    for command in (["init"], ["client", "add"]):
        helped = " ".join(run(*command, "--help").output.split()).split("--language")[1]
        assert languages <= set(re.findall(r"\b[a-z]{2}\b", helped[:80])), helped


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "billing"
    assert run("init", str(target), *INIT_FLAGS).exit_code == 0
    before = (target / "facturo.yaml").read_bytes()
    result = run("init", str(target), *INIT_FLAGS)
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert (target / "facturo.yaml").read_bytes() == before


def test_init_inside_a_repo_does_not_nest_one(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "billing"
    assert run("init", str(target), *INIT_FLAGS).exit_code == 0
    assert not (target / ".git").exists()


def test_init_with_invalid_answers_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "billing"
    flags = [f if f != "812345676" else "812345677" for f in INIT_FLAGS]
    result = run("init", str(target), *flags)
    assert result.exit_code == 3
    assert "facturo.yaml:" in result.output and "invalid SIREN" in result.output
    assert not (target / "facturo.yaml").exists()


def test_init_without_answers_and_without_terminal_names_the_flags(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "b"), "--no-input")
    assert result.exit_code == 2
    assert "--name" in result.output


def test_client_add_list_show(cli, folder: Path) -> None:
    result = cli(
        "client", "add", "lumiere", "--name", "Lumière & Fils", "--street", "8 rue Sainte",
        "--postcode", "13001", "--city", "Marseille", "--siren", "903123453",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (folder / "clients" / "lumiere.yaml").is_file()
    listed = json.loads(cli("client", "list", "--json").stdout)
    assert [c["id"] for c in listed] == ["berlin", "dupont", "lumiere"]
    shown = cli("client", "show", "lumiere")
    assert "Lumière & Fils" in shown.stdout and "903123453" in shown.stdout


def test_client_add_refuses_existing_bad_id_and_bad_data(cli, folder: Path) -> None:
    before = (folder / "clients" / "dupont.yaml").read_bytes()
    again = cli(
        "client", "add", "dupont", "--name", "X", "--street", "s", "--postcode", "1", "--city", "c"
    )
    assert again.exit_code == 1 and "already exists" in again.output
    assert (folder / "clients" / "dupont.yaml").read_bytes() == before
    bad_id = cli("client", "add", "../evil", "--name", "X")
    assert bad_id.exit_code == 1 and "invalid client id" in bad_id.output
    bad_vat = cli(
        "client", "add", "k", "--name", "K GmbH", "--street", "s", "--postcode", "1",
        "--city", "Berlin", "--country", "DE", "--vat-number", "DE000000000",
    )  # fmt: skip
    assert bad_vat.exit_code == 3 and "invalid VAT number" in bad_vat.output
    assert not (folder / "clients" / "k.yaml").exists()


def test_new_writes_a_draft_that_check_reads(cli, folder: Path) -> None:
    result = cli("new", "--client", "dupont")
    assert result.exit_code == 0, result.output
    path = folder / result.stdout.strip()
    assert path.is_file() and path.parent.name == "drafts"
    text = path.read_text()
    assert "client: dupont" in text and "vat_rate: 20" in text
    second = cli("new", "--client", "dupont")
    assert second.stdout.strip() != result.stdout.strip()
    unknown = cli("new", "--client", "dupond")
    assert unknown.exit_code == 1 and "did you mean 'dupont'" in unknown.output


def test_check_json_and_exit_codes(cli, folder: Path) -> None:
    write(folder / "drafts" / "bad.yaml", "client: dupont\nlines: []\nnotse: x\n")
    result = cli("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] == 2
    assert {p["line"] for p in report["problems"]} == {2, 3}
    assert cli("check", "clients").exit_code == 0  # only problems under clients/ count


def test_issue_list_show(cli, draft, folder: Path) -> None:
    draft("a")
    draft(
        "b", "client: berlin\nlines:\n  - {description: Consulting, quantity: 2, unit_price: 800}\n"
    )
    result = cli("issue", "drafts/a.yaml", "drafts/b.yaml", "--date", "2026-10-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0001", "F-2026-0002"]
    listed = json.loads(cli("list", "--json").stdout)
    assert [(d["number"], d["client"], d["total"], d["status"]) for d in listed] == [
        ("F-2026-0001", "dupont", "1620.00", "overdue"),
        ("F-2026-0002", "berlin", "1600.00", "overdue"),
    ]
    assert listed[0]["days_late"] == (TODAY - dt.date(2026, 10, 31)).days
    only = json.loads(cli("list", "--json", "--client", "berlin").stdout)
    assert [d["number"] for d in only] == ["F-2026-0002"]
    assert json.loads(cli("list", "--json", "--year", "2025").stdout) == []
    assert cli("list", "--status", "lost").exit_code == 2
    shown = json.loads(cli("show", "F-2026-0002", "--json").stdout)
    assert shown["vat_exemption"]["code"] == "VATEX-EU-AE"
    assert shown["totals"]["vat_total"] == "0.00"
    text = cli("show", "F-2026-0001").stdout
    assert "Atelier Dupont SARL" in text and "1620.00" in text
    missing = cli("show", "F-2026-0009")
    assert missing.exit_code == 1 and "did you mean 'F-2026-000" in missing.output


def test_plain_output_without_a_terminal_has_no_borders(cli, draft) -> None:
    draft()
    cli("issue", "drafts/d1.yaml")
    out = cli("list").stdout
    assert out.splitlines()[0].split() == [
        "Number",
        "Date",
        "Client",
        "Total",
        "Balance",
        "Due",
        "Status",
        "Late",
    ]
    assert not any(ch in out for ch in "│┃━─")


def test_folder_is_found_from_a_subdirectory(folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(folder / "clients")
    result = CliRunner().invoke(app, ["client", "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 0 and "dupont" in result.stdout


def test_outside_a_folder_says_how_to_start(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["list"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "facturo init" in result.output


def test_client_file_written_by_add_matches_fixture_shape(folder: Path) -> None:
    assert "siren" in CLIENT_DUPONT


def test_issue_renders_the_factur_x_pdf(cli, draft, folder: Path) -> None:
    import io

    import pikepdf
    from pypdf import PdfReader

    draft()
    result = cli("issue", "drafts/d1.yaml", "--date", "2026-03-02", "--pdf")
    assert result.exit_code == 0, result.output
    pdf = folder / "out" / "2026" / "F-2026-0001.pdf"
    text = PdfReader(pdf).pages[0].extract_text()
    assert "F-2026-0001" in text and "Atelier Dupont SARL" in text
    with pikepdf.open(io.BytesIO(pdf.read_bytes())) as document:
        assert [str(f.F) for f in document.Root.AF] == ["factur-x.xml"]
    assert cli("einvoice", "F-2026-0001", "--check").exit_code == 0
    xml = cli("einvoice", "F-2026-0001", "--xml-only")
    assert xml.stdout.strip() == "out/2026/F-2026-0001.xml"
    assert b"urn:cen.eu:en16931:2017" in (folder / "out" / "2026" / "F-2026-0001.xml").read_bytes()


def test_render_numbers_drafts_and_all(cli, draft, folder: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    draft("a")
    draft("b")
    assert cli("issue", "drafts/a.yaml", "--date", "2026-03-02").exit_code == 0
    result = cli("render", "--all", "drafts/b.yaml", "--out", str(tmp_path / "pdf"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["F-2026-0001.pdf", "b.pdf"]
    preview = PdfReader(tmp_path / "pdf" / "b.pdf").pages[0].extract_text()
    assert "BROUILLON" in preview and "F-2026" not in preview
    assert (folder / "drafts" / "b.yaml").exists()
    missing = cli("render", "F-2026-0042")
    assert missing.exit_code == 1 and "no issued document" in missing.output
    # Jobs are made as workers free up, but every argument is checked before the first one.
    mixed = cli("render", *["F-2026-0001"] * 3, "F-2026-0042", "--out", str(tmp_path / "mixed"))
    assert mixed.exit_code == 1 and "no issued document" in mixed.output
    assert not (tmp_path / "mixed").exists()
    assert cli("issue", "drafts/b.yaml", "--date", "2026-03-03", "--no-pdf").exit_code == 0
    issued = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    issued.write_text(
        issued.read_text("utf-8").replace("Développement", "Développement web", 1), "utf-8"
    )
    damaged = cli("render", "F-2026-0001", "F-2026-0002", "--out", str(tmp_path / "damaged"))
    assert damaged.exit_code == 3 and "changed after issue" in damaged.output
    assert not (tmp_path / "damaged").exists()  # refused before the first PDF
    assert cli("render").exit_code == 2


def test_einvoice_refuses_a_quote(cli, draft) -> None:
    draft("q", "kind: quote\nclient: dupont\nlines:\n  - {description: Audit, unit_price: 900}\n")
    assert cli("issue", "drafts/q.yaml").exit_code == 0
    result = cli("einvoice", "D-2026-0001", "--check")
    assert result.exit_code == 1 and "not a tax document" in result.output


def test_doctor_reports_each_library() -> None:
    result = run("doctor")
    assert result.exit_code == 0
    assert "harfbuzz-subset" in result.stdout and "pango" in result.stdout


def test_issue_refuses_a_date_in_the_future(cli, draft, folder: Path) -> None:
    path = draft()
    result = cli("issue", str(path), "--date", "2026-11-23")
    assert result.exit_code == 1 and "cannot issue in the future" in result.output
    assert path.exists() and not (folder / "invoices").exists()
