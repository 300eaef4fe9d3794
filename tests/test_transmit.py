"""Transmitting to an approved platform: one post per document, statuses read back once.

A real HTTP platform runs on 127.0.0.1 (tests/pa_server.py) and judges each post against the
XP Z12-013 OpenAPI file and the Factur-X XML the PDF must carry.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, DRAFT, Cli, issue, write
from facturo.output.platform.client import Platform, settings_from
from helpers_process import facturo, facturo_command
from pa_server import SECRET, PlatformServer, transmissions

BERLIN_DRAFT = DRAFT.replace("client: dupont", "client: berlin")


def test_an_invoice_is_posted_once_as_a_factur_x_flow(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    result = cli("transmit", number)
    assert result.exit_code == 0, result.output
    assert platform.refused == []
    [info] = platform.posts
    assert info["flowSyntax"] == "Factur-X" and info["processingRule"] == "B2B"
    assert info["trackingId"] == f"812345676-{number}"
    [flow] = platform.posted(info["trackingId"])
    assert f"flow {flow.meta['flowId']}" in result.stdout
    [record] = transmissions(folder, number)
    assert record["status"] == "sent" and record["flow_id"] == flow.meta["flowId"]
    assert record["sha256"] == info["sha256"]
    again = cli("transmit", number)
    assert again.exit_code == 0 and "transmitted before" in again.output
    assert len(platform.posts) == 1
    assert cli("check").exit_code == 0


def test_pending_posts_domestic_business_invoices_only(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    domestic = issue(cli, draft, "2026-11-02")
    foreign = issue(cli, draft, "2026-11-03", "d2", BERLIN_DRAFT)
    dry = cli("transmit", "--pending", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would post {domestic} (B2B" in dry.stdout and foreign not in dry.stdout
    assert platform.posts == [] and transmissions(folder, domestic) == []
    result = cli("transmit", "--pending")
    assert result.exit_code == 0, result.output
    assert [p["name"] for p in platform.posts] == [f"{domestic}.pdf"]
    assert cli("transmit", "--pending").stdout == ""


def test_a_timeout_is_followed_by_a_search_never_a_second_post(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    write(folder / "facturo.yaml", CONFIG + platform.config(timeout_seconds=1))
    number = issue(cli, draft, "2026-11-02")
    platform.hang_after_store = True
    first = cli("transmit", number)
    assert first.exit_code == 1
    assert "did not answer" in first.output
    [record] = transmissions(folder, number)
    assert record["status"] == "pending" and "flow_id" not in record
    second = cli("transmit", number)
    assert second.exit_code == 0, second.output
    assert "already on the platform" in second.stdout
    [flow] = platform.posted(record["tracking_id"])
    assert len(platform.posts) == 1
    [record] = transmissions(folder, number)
    assert record["status"] == "sent" and record["flow_id"] == flow.meta["flowId"]


def test_a_process_killed_after_the_post_does_not_post_again(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    platform.hang_after_store = True
    process = subprocess.Popen(
        facturo_command(folder, "transmit", number),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert platform.stored.wait(120)
    finally:
        process.kill()
        process.communicate(timeout=60)
    [record] = transmissions(folder, number)
    assert record["status"] == "pending"
    result = facturo(folder, "transmit", "--pending")
    assert result.returncode == 0, result.stderr
    assert len(platform.posts) == 1
    assert transmissions(folder, number)[0]["status"] == "sent"


def test_parallel_runs_post_each_document_once(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03", "d2")
    processes = [
        subprocess.Popen(
            facturo_command(folder, "transmit", "--pending"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    for process in processes:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    assert sorted(p["name"] for p in platform.posts) == ["F-2026-0001.pdf", "F-2026-0002.pdf"]


def test_statuses_are_recorded_once_and_a_rejection_names_its_rule(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    assert cli("transmit", "--status").output == ""
    platform.add_status(number, 200)
    deposited = cli("transmit", "--status")
    assert deposited.exit_code == 0
    assert deposited.stdout == f"{number}: deposited (200)\n"
    platform.add_status(number, 213, "BR-FR-12: the buyer's SIREN is missing", "REJ_SEMAN")
    rejected = cli("transmit", "--status")
    assert rejected.exit_code == 1
    assert "rejected by the platform (213): rule BR-FR-12" in rejected.stderr
    assert cli("transmit", "--status").output == ""  # cron: silent when nothing changed
    [record] = transmissions(folder, number)
    codes = [(s["code"], s.get("rule")) for s in record["statuses"]]
    assert codes == [(200, None), (213, "BR-FR-12")]
    shown = cli("show", number).stdout
    assert "rejected by the platform (213) on 2026-11-22: rule BR-FR-12" in shown
    assert cli("check").exit_code == 0


def test_an_expired_token_is_renewed_once(folder: Path, platform: PlatformServer) -> None:
    config = json.loads(json.dumps({"pa": _pa_of(platform)}))
    client = Platform(settings_from(config, folder))
    assert client.search_flows({"flowDirection": ["In"]}) == []
    platform.expire_tokens()
    assert client.search_flows({"flowDirection": ["In"]}) == []
    assert platform.tokens_issued == 2


def _pa_of(platform: PlatformServer) -> dict[str, str]:
    return {
        "flow_url": f"{platform.url}/flow-service",
        "token_url": f"{platform.url}/auth/token",
        "client_id": "facturo-test",
    }


def test_the_secret_never_comes_from_the_folder(
    cli: Cli, draft, folder: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FACTURO_PA_SECRET")
    (folder / "secret").write_text(SECRET)
    write(folder / "facturo.yaml", CONFIG + platform.config() + "  secret_file: secret\n")
    number = issue(cli, draft, "2026-11-02")
    result = cli("transmit", number)
    assert result.exit_code == 1
    assert "pa.secret_file must be outside the billing folder" in result.output
    outside = folder.parent / "pa-secret"
    outside.write_text(SECRET + "\n")
    write(folder / "facturo.yaml", CONFIG + platform.config() + f"  secret_file: {outside}\n")
    assert cli("transmit", number).exit_code == 0
    assert len(platform.posts) == 1


def test_directory_shows_where_a_company_receives_invoices(
    cli: Cli, platform: PlatformServer
) -> None:
    platform.directory["552100554"] = {
        "siren": "552100554", "businessName": "Atelier Dupont SARL",
        "entityType": "Assujetti", "administrativeStatus": "A",
        "lines": [{"addressingIdentifier": "552100554", "siren": "552100554",
                   "directoryLineStatus": "Enabled", "platformType": "WK"}],
    }  # fmt: skip
    result = cli("directory", "552 100 554")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "552100554 Atelier Dupont SARL (A)",
        "  552100554  Enabled  WK",
    ]
    unknown = cli("directory", "732829320")
    assert unknown.exit_code == 1 and "not in the directory" in unknown.output
    assert cli("directory", "123456789").exit_code == 1  # not a SIREN: no request


def test_a_paid_services_invoice_sends_its_paid_status_once(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")  # 3 days of development: services, 1620.00
    assert cli("transmit", number).exit_code == 0
    assert cli("pay", number, "1000", "--date", "2026-11-10").exit_code == 0
    assert cli("transmit", "--status").output == ""  # partly paid: nothing to say yet
    assert cli("pay", number, "620", "--date", "2026-11-20").exit_code == 0
    result = cli("transmit", "--status")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{number}: paid status (212) sent: flow lc-")
    assert platform.refused == []
    [status] = [p for p in platform.posts if p["flowSyntax"] == "CDAR"]
    [flow] = platform.posted(status["trackingId"])
    assert b"<ram:ValueAmount>1620.00</ram:ValueAmount>" in flow.data
    assert b"<ram:ValuePercent>20</ram:ValuePercent>" in flow.data
    # BR-FR-CDV-13: the referenced invoice's issuer is the seller (BT-30), not the buyer.
    issuer = flow.data.split(b"<ram:ReferenceReferencedDocument>")[1].split(
        b"</ram:IssuerTradeParty>"
    )[0]
    assert issuer.endswith(b'<ram:GlobalID schemeID="0002">812345676</ram:GlobalID>')
    assert cli("transmit", "--status").output == ""
    assert len(platform.posts) == 2
    [record] = transmissions(folder, number)
    [paid] = record["statuses"]
    assert paid["code"] == 212 and paid["flow_id"] == flow.meta["flowId"]
    assert cli("check").exit_code == 0


def test_the_posted_pdf_passes_the_platform_judges(
    cli: Cli, draft, folder: Path, platform: PlatformServer, judges: dict[str, Any]
) -> None:
    from facturx import get_xml_from_pdf

    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    [flow] = platform.posted(f"812345676-{number}")
    _, xml = get_xml_from_pdf(flow.data, check_xsd=True)
    fatal = {name: [f.rule for f in judge(xml) if f.fatal] for name, judge in judges.items()}
    assert fatal == {name: [] for name in judges}


def test_a_refused_post_is_an_error_naming_the_rule_and_can_be_posted_again(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    platform.refuse_next = "BR-FR-10: the seller's SIREN is not registered"
    result = cli("transmit", number)
    assert result.exit_code == 1
    assert f"{number}: the platform refused the flow: HTTP 422 INVALID_FLOW: BR-FR-10" in (
        result.stderr
    )
    assert transmissions(folder, number) == []
    assert cli("transmit", number).exit_code == 0
    assert [r["status"] for r in transmissions(folder, number)] == ["sent"]


def test_a_wrong_secret_is_refused_before_anything_is_recorded(
    cli: Cli, draft, folder: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTURO_PA_SECRET", "not-the-secret")
    number = issue(cli, draft, "2026-11-02")
    result = cli("transmit", number)
    assert result.exit_code == 1
    assert "refused the client id 'facturo-test' (401)" in result.stderr
    assert transmissions(folder, number) == [] and platform.posts == []
