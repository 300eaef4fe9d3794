"""`transmit --status` searches since its last run, over every page, each status read once.

The local platform (tests/pa_server.py) pages its answers by cursor and filters them by
`updatedAfter` strictly, as the Flow Service OpenAPI says.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import CONFIG, Cli, issue, write
from pa_server import PlatformServer, transmissions

MARK = ".facturo/cache/statuses.json"


def _updated(platform: PlatformServer, flow_id: str) -> dt.datetime:
    [flow] = [f for f in platform.flows if f.meta["flowId"] == flow_id]
    return dt.datetime.fromisoformat(flow.meta["updatedAt"])


def test_the_first_run_reads_everything_and_the_next_ones_since_the_last_with_an_overlap(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    assert cli("transmit", "--status").stdout == ""  # nothing yet: no mark either
    assert "updatedAfter" not in platform.searches[-1] and not (folder / MARK).exists()
    first = platform.add_status(number, 200)
    assert cli("transmit", "--status").stdout == f"{number}: deposited (200)\n"
    second = platform.add_status(number, 202)
    assert cli("transmit", "--status").stdout == f"{number}: received by the platform (202)\n"
    since = _updated(platform, first) - dt.timedelta(minutes=10)
    assert platform.searches[-1]["updatedAfter"] == since.isoformat()
    # made visible late, with a time before the last one read: the overlap finds it
    late = _updated(platform, second) - dt.timedelta(minutes=1)
    platform.add_status(number, 203, updated_at=late)
    assert cli("transmit", "--status").stdout == f"{number}: made available (203)\n"
    assert cli("transmit", "--status").stdout == ""  # each status once
    codes = [s["code"] for s in transmissions(folder, number)[0]["statuses"]]
    assert codes == [200, 202, 203]
    (folder / MARK).unlink()  # a lost mark: a full search, nothing recorded twice
    assert cli("transmit", "--status").stdout == ""
    assert "updatedAfter" not in platform.searches[-1]


def test_every_page_of_the_search_is_read(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    platform.page_size = 2
    number = issue(cli, draft, "2026-11-02")
    assert cli("transmit", number).exit_code == 0
    for code in (200, 202, 203, 204, 205):
        platform.add_status(number, code)
    result = cli("transmit", "--status")
    assert result.exit_code == 0, result.output
    assert [line.split("(")[-1] for line in result.stdout.splitlines()] == [
        "200)", "202)", "203)", "204)", "205)",
    ]  # fmt: skip
    assert len(platform.searches) == 3


def test_a_status_of_a_document_still_pending_is_read_once_its_post_is_settled(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    write(folder / "facturo.yaml", CONFIG + platform.config(timeout_seconds=1))
    sent = issue(cli, draft, "2026-11-02")
    pending = issue(cli, draft, "2026-11-03", "d2")
    assert cli("transmit", sent).exit_code == 0
    platform.hang_after_store = True
    assert cli("transmit", pending).exit_code == 1  # no answer: recorded as pending
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    platform.add_status(pending, 200, updated_at=an_hour_ago)
    platform.add_status(sent, 200)
    assert cli("transmit", "--status").stdout == f"{sent}: deposited (200)\n"
    assert cli("transmit", pending).exit_code == 0  # found on the platform: sent
    assert cli("transmit", "--status").stdout == f"{pending}: deposited (200)\n"
    assert cli("transmit", "--status").stdout == ""
    assert [s["code"] for s in transmissions(folder, pending)[0]["statuses"]] == [200]


def test_a_status_of_ours_that_comes_before_its_transmission_record_is_read_once_it_is_there(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    # Another clone issued and transmitted them; this one has not pulled yet: the status of
    # a number of our series waits (the mark stays before it), one of another series or naming
    # another seller as its issuer does not.
    sent = issue(cli, draft, "2026-11-02")
    assert cli("transmit", sent).exit_code == 0
    untransmitted = issue(cli, draft, "2026-11-03", "d2")
    absent = sent[:-1] + "3"  # the number the next document issued here gets
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    platform.add_status(untransmitted, 213, "Destinataire inconnu", "DEST_INC", an_hour_ago)
    platform.add_status(absent, 200, updated_at=an_hour_ago + dt.timedelta(minutes=1))
    platform.add_status("OTHER-7", 200, updated_at=an_hour_ago - dt.timedelta(minutes=30))
    another_sellers = an_hour_ago - dt.timedelta(minutes=20)
    platform.add_status(absent, 202, updated_at=another_sellers, issuer="552100554")
    platform.add_status(sent, 200)
    assert cli("transmit", "--status").stdout == f"{sent}: deposited (200)\n"
    mark = dt.datetime.fromisoformat(json.loads((folder / MARK).read_text())["updated_after"])
    assert mark == an_hour_ago
    assert issue(cli, draft, "2026-11-04", "d3") == absent
    assert cli("transmit", untransmitted).exit_code == 0
    assert cli("transmit", absent).exit_code == 0
    result = cli("transmit", "--status")
    assert result.exit_code == 1  # the rejection is said
    assert f"{absent}: deposited (200)" in result.stdout
    assert f"{untransmitted}: rejected by the platform (213)" in result.stderr
    assert [s["code"] for s in transmissions(folder, untransmitted)[0]["statuses"]] == [213]
    assert [s["code"] for s in transmissions(folder, absent)[0]["statuses"]] == [200]
    assert cli("transmit", "--status").output == ""
