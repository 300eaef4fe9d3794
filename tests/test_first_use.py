"""What a new user meets first: prices as written, honest previews, the PDFs of every command."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from conftest import Cli
from facturo.errors import Problem
from facturo.lifecycle.issuing import in_line_order
from facturo.output.words import format_money, format_unit_price
from pdf_text import page_texts, plain


def _pdf_text(path: Path) -> str:
    return " ".join(page_texts(path.read_bytes()))


def test_unit_prices_keep_their_own_precision_on_the_pdf(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    draft(
        "d1",
        "client: dupont\nlines:\n  - description: Pièces\n    quantity: 1.125\n"
        "    unit_price: 14.545\n",
    )
    assert cli("issue", "drafts/d1.yaml", "--date", "2026-03-02", "--pdf").exit_code == 0
    text = _pdf_text(folder / "out" / "2026" / "F-2026-0001.pdf")
    assert "1,125" in text and "14,545 €" in text
    assert "16,36 €" in text  # 1.125 × 14.545 = 16.363125


def test_money_rounds_half_up_and_unit_prices_are_not_rounded() -> None:
    assert plain(format_money(Decimal("0.125"), "EUR", "en")) == "€0.13"
    assert plain(format_unit_price(Decimal("14.545"), "EUR", "fr")) == "14,545 €"
    assert plain(format_unit_price(Decimal("450"), "EUR", "fr")) == "450,00 €"
    assert plain(format_unit_price(Decimal("1234.5"), "JPY", "fr")) == "1 234,5 JPY"


def test_dry_runs_preview_emails_without_a_mail_section(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-10-20").exit_code == 0
    number = "F-2026-0001"
    sent = cli("send", number, "--dry-run")
    assert sent.exit_code == 0, sent.output
    assert "To: compta@dupont.example" in sent.stdout and "Subject:" in sent.stdout
    assert "preview only" in sent.stderr
    reminded = cli("remind", "--dry-run")
    assert reminded.exit_code == 0, reminded.output
    assert f"--- {number} (level 1)" in reminded.stdout
    refused = cli("remind", "--send")
    assert refused.exit_code != 0 and "no mail settings" in refused.output


def test_credit_renders_the_credit_note_pdf_like_issue(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-03-02", "--no-pdf").exit_code == 0
    result = cli("credit", "F-2026-0001", "--full", "--reason", "Erreur", "--pdf")
    assert result.exit_code == 0, result.output
    [pdf] = (folder / "out").rglob("*.pdf")
    text = _pdf_text(pdf)
    assert "Avoir" in text and "F-2026-0001" in text
    assert f"rendered {pdf.relative_to(folder).as_posix()}" in result.stderr


DISCOUNTED = """\
client: berlin
service_period: {start: 2026-02-01, end: 2026-02-28}
discount: "5%"
lines:
  - description: Audit
    quantity: 2
    unit_price: 500
    discount: "10%"
"""


def test_show_prints_discounts_the_service_period_and_the_exemption(
    cli: Cli, draft: Callable[..., Path]
) -> None:
    assert cli("issue", str(draft("d1", DISCOUNTED)), "--date", "2026-03-02").exit_code == 0
    out = cli("show", "F-2026-0001").stdout
    assert "service:  2026-02-01 to 2026-02-28" in out
    assert "-100.00 (10%)" in out  # the line's discount
    assert "discount -45.00 (5%)" in out  # the document's, on 900.00
    assert "VAT exemption: Reverse charge" in out
    assert "paid 0" in out and "balance 855.00" in out


def test_show_gives_quotes_and_credit_notes_no_balance(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    import json

    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0
    assert cli("credit", "F-2026-0001", "--full", "--reason", "Erreur").exit_code == 0
    draft("q", "kind: quote\nclient: dupont\nlines:\n  - description: Audit\n    unit_price: 10\n")
    assert cli("issue", str(folder / "drafts" / "q.yaml"), "--date", "2026-03-02").exit_code == 0
    listed = {d["number"]: d["kind"] for d in json.loads(cli("list", "--json").stdout)}
    for number, kind in listed.items():
        out = cli("show", number).stdout
        data = json.loads(cli("show", number, "--json").stdout)
        if kind == "invoice":
            assert "balance" in out and "balance" in data
        else:
            assert "balance" not in out and "paid" not in out, out
            assert "balance" not in data and "paid" not in data
        if kind == "credit_note":
            assert "corrects: F-2026-0001 of 2026-03-02" in out and "reason:   Erreur" in out
        if kind == "quote":
            assert "valid:    until 2026-04-01" in out


def test_a_new_draft_is_refused_until_its_placeholder_is_replaced(cli: Cli, folder: Path) -> None:
    path = folder / cli("new", "--client", "dupont").stdout.strip()
    path.write_text(path.read_text("utf-8").replace("0.00", "100.00"), "utf-8")
    checked = cli("check")
    assert checked.exit_code == 1
    assert "the description is still the draft's placeholder" in checked.stdout
    assert cli("issue", str(path)).exit_code != 0
    path.write_text(
        path.read_text("utf-8").replace("Describe the work precisely", "Audit"), "utf-8"
    )
    assert cli("check").exit_code == 0, cli("check").stdout
    assert cli("issue", str(path)).exit_code == 0


def test_issue_lists_a_new_drafts_problems_in_line_order_as_check_does(
    cli: Cli, folder: Path
) -> None:
    # Found in another order: the description inside a line, then the total of the lines.
    path = folder / cli("new", "--client", "dupont").stdout.strip()
    checked = cli("check").stdout.splitlines()
    issued = cli("issue", str(path))
    assert issued.exit_code == 3, issued.output
    listed = [line for line in issued.stderr.splitlines() if line.startswith("drafts/")]
    assert [line.split(": ", 1)[1] for line in listed] == [
        "the total is 0: fill in the lines' unit_price",
        "the description is still the draft's placeholder: describe the work done",
    ]
    assert listed == checked


def _run_on_a_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run facturo with a pseudo-terminal as stdin and stdout, answers typed ahead."""
    import os
    import pty
    import sys

    pid, fd = pty.fork()
    if pid == 0:  # the child: facturo on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "facturo", *args])
    os.write(fd, "".join(answer + "\n" for answer in answers).encode())
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def test_init_on_a_terminal_asks_contact_and_bank_details(tmp_path: Path) -> None:
    target = tmp_path / "billing"
    answers = [
        "Camille Martin", "EI", "12 rue des Lilas", "75011", "Paris", "FR",
        "812 345 676", "standard", "FR 19 812345676",
        "not-an-email", "camille@example.fr", "+33 6 12 34 56 78",
        "FR76 3000 6000 0112 3456 7890 188", "FR76 3000 6000 0112 3456 7890 189", "BNPAFRPPXXX",
    ]  # fmt: skip
    code, shown = _run_on_a_terminal(["init", str(target)], answers)
    assert code == 0, shown
    for question in ("Country", "Email", "Phone", "IBAN", "BIC"):
        assert question in shown
    assert "invalid email address 'not-an-email'" in shown
    assert "invalid IBAN" in shown
    config = (target / "facturo.yaml").read_text("utf-8")
    assert 'siren: "812345676"' in config or "siren: '812345676'" in config, config
    for written in (
        "vat_number: FR19812345676", "email: camille@example.fr", "phone: +33 6 12 34 56 78",
        "iban: FR7630006000011234567890189", "bic: BNPAFRPPXXX",
    ):  # fmt: skip
        assert written in config


def test_init_takes_contact_and_bank_details_as_options(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from facturo.cli import full_app

    app = full_app()

    target = tmp_path / "billing"
    flags = [
        "--name", "Camille Martin", "--street", "12 rue des Lilas", "--postcode", "75011",
        "--city", "Paris", "--country", "FR", "--siren", "812 345 676",
        "--vat-number", "FR19812345676", "--email", "camille@example.fr",
        "--phone", "01 23 45 67 89", "--iban", "FR7630006000011234567890189",
        "--bic", "BNPAFRPPXXX", "--no-input",
    ]  # fmt: skip
    result = CliRunner().invoke(app, ["init", str(target), *flags])
    assert result.exit_code == 0, result.output
    config = (target / "facturo.yaml").read_text("utf-8")
    assert "812345676" in config and "812 345 676" not in config
    assert "phone: 01 23 45 67 89" in config
    bad = CliRunner().invoke(app, ["init", str(tmp_path / "b2"), *flags, "--iban", "FR76"])
    assert bad.exit_code == 3 and "invalid IBAN" in bad.output


def test_help_in_a_pipe_is_plain_text_with_flags_without_a_type() -> None:
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-m", "facturo", "issue", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "╭" not in shown and "\x1b[" not in shown
    assert "<bool>" not in shown
    assert "--dry-run         Show the numbers" in shown
    assert "Prints\n  the numbers, then renders each PDF" in shown  # one paragraph, wrapped


def test_help_on_a_terminal_wraps_paragraphs_as_wholes() -> None:
    import re

    code, shown = _run_on_a_terminal(["issue", "--help"], [])
    shown = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert code == 0 and "╭" in shown
    assert "<bool>" not in shown
    # The docstring's own line breaks are not kept inside a paragraph.
    assert not re.search(r"^\s*(the numbers,|it again)\s*$", shown, re.MULTILINE), shown


def test_install_completion_writes_the_bash_completion(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # The shell is named, not detected from the processes above the test (a CI runner or a
    # detached job has no shell among them).
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    installed = subprocess.run(
        [sys.executable, "-m", "facturo", "--install-completion", "bash"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "facturo.sh"
    assert "complete -o default -F _facturo_completion facturo" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()
    completed = subprocess.run(
        [sys.executable, "-m", "facturo"],
        capture_output=True, text=True, check=False,
        env={**env, "_FACTURO_COMPLETE": "complete_bash", "COMP_WORDS": "facturo is",
             "COMP_CWORD": "1"},
    )  # fmt: skip
    assert completed.stdout.split() == ["issue"]


COUNTS = {
    "type_code", "days_late", "level_due", "last_level", "level", "errors", "warnings",
    "version",  # the seal's
}  # fmt: skip


def _numbers(value: object, key: str = "") -> list[str]:
    """The keys of every JSON number in `value` (booleans aside)."""
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _numbers(v, k)]
    if isinstance(value, list):
        return [found for v in value for found in _numbers(v, key)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [key]
    return []


def test_statuses_are_one_code_and_json_decimals_are_strings(
    cli: Cli, draft: Callable[..., Path]
) -> None:
    import json

    assert cli("issue", str(draft()), "--date", "2026-10-01").exit_code == 0  # overdue
    assert cli("issue", str(draft()), "--date", "2026-11-02").exit_code == 0
    assert cli("pay", "F-2026-0002", "100").stdout.startswith("F-2026-0002 partially-paid;")
    for written in ("partially-paid", "partially paid", "PARTIALLY_PAID"):
        result = cli("list", "--status", written, "--json")
        assert result.exit_code == 0, result.output
        [row] = json.loads(result.stdout)
        assert row["status"] == "partially-paid"
    shown = json.loads(cli("show", "F-2026-0002", "--json").stdout)
    assert shown["lines"][0]["quantity"] == "3" and shown["lines"][0]["vat_rate"] == "20"
    outputs = [shown, row, json.loads(cli("remind", "--json").stdout)]
    assert {key for data in outputs for key in _numbers(data)} <= COUNTS


def test_issue_shows_warnings_along_with_the_errors(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    path = draft(
        "d1",
        "client: dupont\nlines:\n  - description: Describe the work precisely\n"
        "    unit_price: 100\n    vat_rate: 19\n",
    )
    result = cli("issue", str(path))
    assert result.exit_code == 3, result.output
    assert "drafts/d1.yaml:3:5: the description is still the draft's placeholder" in (result.stderr)
    assert "drafts/d1.yaml:5:5: warning: 19% is not a VAT rate in France" in result.stderr


def test_a_default_vat_rate_that_does_not_exist_is_a_warning(cli: Cli, folder: Path) -> None:
    config = folder / "facturo.yaml"
    config.write_text(config.read_text("utf-8").replace("vat_rate: 20", "vat_rate: 19.6"))
    result = cli("check")
    assert result.exit_code == 0
    assert "facturo.yaml:14:3: warning: 19.6% is not a VAT rate in France" in result.stdout


def test_credit_draft_refuses_an_over_credit(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0  # 1620.00 TTC
    result = cli("credit", "F-2026-0001", "--amount", "2000", "--reason", "Trop", "--draft")
    assert result.exit_code == 1, result.output
    assert "exceeds what is left to credit" in result.stderr
    assert list((folder / "drafts").glob("credit-*")) == []
    ok = cli("credit", "F-2026-0001", "--amount", "100", "--reason", "Remise", "--draft")
    assert ok.exit_code == 0 and ok.stdout.strip() == "drafts/credit-F-2026-0001.yaml"


def test_the_folder_option_goes_after_the_command_too(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    from typer.testing import CliRunner

    from facturo.cli import full_app

    app = full_app()

    path = draft()
    env = {"FACTURO_TODAY": "2026-11-22"}
    issued = CliRunner().invoke(app, ["issue", str(path), "-C", str(folder)], env=env)
    assert issued.exit_code == 0, issued.output
    listed = CliRunner().invoke(app, ["list", f"--dir={folder}", "--json"], env=env)
    assert listed.exit_code == 0 and "F-2026-0001" in listed.stdout


def test_numbers_are_found_whatever_their_case(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0
    assert cli("show", "f-2026-0001").stdout.startswith("Invoice F-2026-0001")
    assert cli("pay", "f-2026-0001", "20").stdout.startswith("F-2026-0001 ")
    credited = cli("credit", "f-2026-0001", "--amount", "100", "--reason", "Remise")
    assert credited.exit_code == 0, credited.output
    note = (folder / "credit-notes").rglob("*.yaml")
    assert "number: F-2026-0001" in next(note).read_text("utf-8")


def test_client_add_names_the_options_not_a_file_never_written(cli: Cli, folder: Path) -> None:
    result = cli("client", "add", "acme", "--name", "Acme", "--siren", "123")
    assert result.exit_code == 3
    assert "clients/acme.yaml" not in result.output
    assert "--street: missing required key 'street'" in result.stderr
    assert "--siren: a SIREN has 9 digits, got '123'" in result.stderr
    assert not (folder / "clients" / "acme.yaml").exists()


def test_a_new_quote_has_no_service_period_in_the_past(cli: Cli, folder: Path) -> None:
    import yaml

    path = folder / cli("new", "--client", "dupont", "--kind", "quote").stdout.strip()
    data = yaml.safe_load(path.read_text("utf-8"))
    assert "service_period" not in data and data["valid_days"] == 30
    invoice = folder / cli("new", "--client", "dupont").stdout.strip()
    period = yaml.safe_load(invoice.read_text("utf-8"))["service_period"]
    assert str(period["start"]) == "2026-11-01" and str(period["end"]) == "2026-11-22"


def test_valid_days_is_documented() -> None:
    format_doc = (Path(__file__).parent.parent / "docs" / "FORMAT.md").read_text("utf-8")
    assert "valid_days:" in format_doc


def test_a_franchise_invoice_to_a_consumer_has_no_vat_rows_nor_business_rules() -> None:
    import render_documents as documents
    from facturo.output.pdf.engine import render_pdf

    text = " ".join(page_texts(render_pdf(documents.franchise_invoice())))
    assert "Total TTC" not in text and "Total HT" not in text
    assert "TVA 0,00" not in text and "TVA non applicable, art. 293 B du CGI" in text
    assert "Total 280,00 € Net à payer 280,00 €" in text
    assert "L441-10" not in text and "D441-5" not in text
    assert "pénalités au taux annuel de 12,15 % pourront être appliquées" in text
    business = " ".join(page_texts(render_pdf(documents.standard_invoice())))
    assert "Total TTC" in business and "art. L441-10 du Code de commerce" in business


def test_an_invalid_config_shows_its_warnings_too(cli: Cli, folder: Path) -> None:
    config = folder / "facturo.yaml"
    text = config.read_text("utf-8").replace("vat_rate: 20", "vat_rate: 19.6")
    config.write_text(text.replace("  late_penalty_rate_percent: 12.15\n", ""), "utf-8")
    result = cli("new", "--client", "dupont")
    assert result.exit_code == 3
    assert "missing defaults.late_penalty_rate_percent" in result.stderr
    assert "warning: 19.6% is not a VAT rate in France" in result.stderr


def test_issue_shows_the_warnings_of_a_draft_it_issues(
    cli: Cli, draft: Callable[..., Path]
) -> None:
    path = draft(
        "d1", "client: dupont\nlines:\n  - description: Audit\n    unit_price: 100\n"
        "    vat_rate: 19\n",
    )  # fmt: skip
    result = cli("issue", str(path), "--date", "2026-03-02")
    assert result.exit_code == 0 and result.stdout == "F-2026-0001\n"
    assert "drafts/d1.yaml:5:5: warning: 19% is not a VAT rate in France" in result.stderr


def test_problems_keep_the_order_of_their_files_and_are_in_line_order_within_each() -> None:
    found = [
        Problem("drafts/b.yaml", 9, 1, "late"),
        Problem("drafts/b.yaml", 2, 5, "early"),
        Problem("drafts/a.yaml", 4, 1, "a"),
        Problem("drafts/b.yaml", 2, 3, "first"),
    ]
    assert [(p.path, p.line, p.col) for p in in_line_order(found)] == [
        ("drafts/b.yaml", 2, 3),
        ("drafts/b.yaml", 2, 5),
        ("drafts/b.yaml", 9, 1),
        ("drafts/a.yaml", 4, 1),
    ]
