"""After a rejection (213): a new attempt when the addressing was at fault, never otherwise.

The local platform (tests/pa_server.py) answers the statuses; the document stays sealed, and
only a rejection outside its content lets `transmit --again` deposit it a second time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, Cli, issue, write
from pa_server import PlatformServer, transmissions


def _rejected(cli: Cli, platform: PlatformServer, number: str, reason: str, code: str) -> str:
    platform.add_status(number, 213, reason, code)
    result = cli("transmit", "--status")
    assert result.exit_code == 1
    return str(result.stderr)


def _again_unanswered(
    cli: Cli, draft: Any, folder: Path, platform: PlatformServer, reason: str, code: str
) -> str:
    """An invoice rejected for `code`, then deposited again with no answer: still pending."""
    write(folder / "facturo.yaml", CONFIG + platform.config(timeout_seconds=1))
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    _rejected(cli, platform, number, reason, code)
    platform.hang_after_store = True
    assert cli("transmit", number, "--again").exit_code == 1
    return number


def test_a_rejected_addressing_is_deposited_again_as_a_new_attempt(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    early = cli("transmit", number, "--again")
    assert early.exit_code == 1
    assert "was not rejected by the platform (last: no status yet)" in early.stderr
    said = _rejected(cli, platform, number, "Destinataire inconnu", "DEST_INC")
    assert f"{number}: rejected by the platform (213): rule DEST_INC: Destinataire inconnu" in said
    assert "next: the invoice is not at fault" in said
    assert f"facturo transmit {number} --again" in said
    assert cli("transmit", number).exit_code == 0 and len(platform.posts) == 1  # not by itself
    dry = cli("transmit", number, "--again", "--dry-run")
    assert f"would post {number} (B2B, 812345676-{number}-2) (attempt 2)" in dry.stdout
    again = cli("transmit", number, "--again")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"posted {number}: flow flow-") and "(attempt 2)" in again.stdout
    assert [p["trackingId"] for p in platform.posts] == [
        f"812345676-{number}", f"812345676-{number}-2",
    ]  # fmt: skip
    first, second = transmissions(folder, number)
    assert [s["reason_code"] for s in first["statuses"]] == ["DEST_INC"]
    assert (second["status"], second["attempt"], second["tracking_id"]) == (
        "sent", 2, f"812345676-{number}-2",
    )  # fmt: skip
    twice = cli("transmit", number, "--again")
    assert twice.exit_code == 1 and "never deposited twice" in twice.stderr
    assert len(platform.posts) == 2
    platform.add_status(number, 200)
    assert cli("transmit", "--status").stdout == f"{number}: deposited (200)\n"
    assert len(transmissions(folder, number)[1]["statuses"]) == 1
    assert "(attempt 2), deposited (200)" in cli("show", number).stdout
    assert cli("check").exit_code == 0


@pytest.mark.parametrize(
    ("reason", "code", "said", "refusal"),
    [
        (
            "BR-FR-12: the buyer's SIREN is missing", "REJ_SEMAN",
            "rule BR-FR-12: BR-FR-12: the buyer's SIREN is missing\n  next: the sealed invoice "
            "cannot change: facturo credit {n} --reason '...' cancels it, then facturo new "
            "--from {n} drafts the corrected invoice",
            "{n} was rejected for its content (REJ_SEMAN): the sealed invoice would be rejected "
            "again; cancel it with a credit note and issue a corrected invoice",
        ),
        (
            "Facture en doublon", "DOUBLON",
            "next: the platform has this invoice already: nothing to post again",
            "the platform says it has {n} already (DOUBLON): it is not deposited twice",
        ),
    ],
)  # fmt: skip
def test_a_content_rejection_or_a_duplicate_is_never_posted_again(
    cli: Cli, draft, folder: Path, platform: PlatformServer, reason: str, code: str, said: str,
    refusal: str,
) -> None:  # fmt: skip
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    assert said.format(n=number) in _rejected(cli, platform, number, reason, code)
    refused = cli("transmit", number, "--again")
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {number}: {refusal.format(n=number)}\n"
    assert len(platform.posts) == 1 and len(transmissions(folder, number)) == 1


def test_a_new_attempt_left_unanswered_is_found_by_its_own_tracking_id(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    write(folder / "facturo.yaml", CONFIG + platform.config(timeout_seconds=1))
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    _rejected(cli, platform, number, "Adresse erronée", "ADR_ERR")
    platform.hang_after_store = True
    lost = cli("transmit", number, "--again")
    assert lost.exit_code == 1 and "did not answer" in lost.stderr
    assert transmissions(folder, number)[1]["status"] == "pending"
    found = cli("transmit", number)
    assert found.exit_code == 0, found.output
    assert "already on the platform" in found.stdout and "(attempt 2)" in found.stdout
    assert len(platform.posts) == 2
    [flow] = platform.posted(f"812345676-{number}-2")
    assert transmissions(folder, number)[1]["flow_id"] == flow.meta["flowId"]


def test_again_goes_with_the_documents_named(cli: Cli, platform: PlatformServer) -> None:
    result = cli("transmit", "--pending", "--again")
    assert result.exit_code == 2 and "not with --pending" in result.stderr


def test_a_rejected_invoice_paid_later_sends_no_paid_status(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    _rejected(cli, platform, number, "Destinataire inconnu", "DEST_INC")
    assert cli("pay", number, "1620", "--date", "2026-11-20").exit_code == 0
    assert cli("transmit", "--status").output == ""
    assert len(platform.posts) == 1  # the invoice only: no 212 about a rejected one
    shown = json.loads(cli("show", number, "--json").stdout)
    assert (shown["platform"], shown["platform_code"]) == ("rejected", 213)


@pytest.mark.parametrize("named_by", ["tracking_id", "about_flow"])
def test_a_late_status_of_the_first_attempt_goes_to_the_first_attempt(
    cli: Cli, draft, folder: Path, platform: PlatformServer, named_by: str
) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    _rejected(cli, platform, number, "Destinataire inconnu", "DEST_INC")
    assert cli("transmit", number, "--again").exit_code == 0
    first, second = transmissions(folder, number)
    # A status about the first deposit arrives after the second one was made: it names that
    # deposit by the tracking id of its flow, or its CDAR names the first flow's id.
    names = {"tracking_id": first["tracking_id"], "about_flow": first["flow_id"]}
    platform.add_status(number, 202, **{named_by: names[named_by]})
    assert cli("transmit", "--status").exit_code == 0
    first, second = transmissions(folder, number)
    assert [s["code"] for s in first["statuses"]] == [213, 202]
    assert second.get("statuses") in (None, [])
    # One naming the second deposit goes there; one naming nothing, to the newest.
    platform.add_status(number, 200, tracking_id=second["tracking_id"])
    platform.add_status(number, 203)
    assert cli("transmit", "--status").exit_code == 0
    first, second = transmissions(folder, number)
    assert [s["code"] for s in first["statuses"]] == [213, 202]
    assert sorted(s["code"] for s in second["statuses"]) == [200, 203]
    assert cli("check").exit_code == 0


def test_a_status_naming_an_attempt_still_pending_waits_for_it(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = _again_unanswered(cli, draft, folder, platform, "Adresse erronée", "ADR_ERR")
    platform.add_status(number, 200, tracking_id=f"812345676-{number}-2")
    assert cli("transmit", "--status").output == ""  # not given to the first attempt
    assert [s["code"] for s in transmissions(folder, number)[0]["statuses"]] == [213]
    assert cli("transmit", number).exit_code == 0  # found on the platform: sent
    assert cli("transmit", "--status").stdout == f"{number}: deposited (200)\n"
    assert [s["code"] for s in transmissions(folder, number)[1]["statuses"]] == [200]


def test_a_status_naming_no_attempt_waits_while_the_last_attempt_is_pending(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = _again_unanswered(cli, draft, folder, platform, "Adresse erronée", "ADR_ERR")
    first = transmissions(folder, number)[0]
    platform.add_status(number, 200)  # names no attempt: the pending one, most likely
    platform.add_status(number, 207, tracking_id=first["tracking_id"])  # names the first
    assert cli("transmit", "--status").stdout == f"{number}: disputed (207)\n"
    assert [s["code"] for s in transmissions(folder, number)[0]["statuses"]] == [213, 207]
    assert cli("transmit", number).exit_code == 0  # found on the platform: sent
    assert cli("transmit", "--status").stdout == f"{number}: deposited (200)\n"
    first, second = transmissions(folder, number)
    assert [s["code"] for s in first["statuses"]] == [213, 207]
    assert [s["code"] for s in second["statuses"]] == [200]


def test_no_paid_status_while_a_new_attempt_after_a_rejection_is_pending(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = _again_unanswered(cli, draft, folder, platform, "Destinataire inconnu", "DEST_INC")
    assert cli("pay", number, "1620", "--date", "2026-11-20").exit_code == 0
    assert cli("transmit", "--status").output == ""
    assert len(platform.posts) == 2  # the two deposits: no 212 about the rejected first one
    assert [s["code"] for s in transmissions(folder, number)[0]["statuses"]] == [213]
    assert cli("transmit", number).exit_code == 0  # the second deposit settles: now it is due
    assert cli("transmit", "--status").exit_code == 0
    assert [p["trackingId"] for p in platform.posts][-1] == f"812345676-{number}-2-212"
