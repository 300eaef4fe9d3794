"""Time and materials: imports from trackers, bill-time drafts, each entry billed once."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import yaml

from conftest import Cli, write


def D(day: int) -> dt.date:
    return dt.date(2026, 11, day)


TOGGL = """\
"User","Email","Client","Project","Task","Description","Billable","Start date","Start time","End date","End time","Duration","Tags","Amount (EUR)"
"Camille","camille@example.fr","Atelier Dupont SARL","Site","API","Login","Yes","2026-11-02","09:00:00","2026-11-02","10:10:00","01:10:00","","87.50"
"Camille","camille@example.fr","Atelier Dupont SARL","Site","Design","Maquettes","Yes","2026-11-03","14:00:00","2026-11-03","16:00:00","02:00:00","","150.00"
"Camille","camille@example.fr","Atelier Dupont SARL","Site","Design","Pause","No","2026-11-03","16:00:00","2026-11-03","16:30:00","00:30:00","","0.00"
"""

CLOCKIFY = """\
"Project","Client","Description","Task","User","Group","Email","Tags","Billable","Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)","Billable Rate (EUR)","Billable Amount (EUR)"
"Site","dupont","Revue","","Camille","","c@example.fr","","Yes","25/11/2026","10:00","25/11/2026","10:20","0:20","0.33","90.00","30.00"
"""

KIMAI = """\
"Date","From","To","Duration","Rate","User","Customer","Project","Activity","Description","Exported","Tags","Hourly rate","Fixed rate"
"2026-11-04","09:00","12:00","10800","270.00","camille","Atelier Dupont SARL","Audit","Analyse","Audit","0","","90.00","0"
"""

TIMEW = """[
{"id":2,"start":"20261105T080000Z","end":"20261105T094500Z","tags":["client:dupont","project:Site","task:API","rate:80"],"annotation":"tests"},
{"id":1,"start":"20261106T080000Z","tags":["client:dupont","project:Site"]}
]
"""

PLAIN = """\
date,client,project,task,hours,rate
2026-11-02,dupont,Site,API,1.1,75
2026-11-02,berlin,Shop,Cart,2,100
"""


def imported(cli: Cli, tmp_path: Path, name: str, text: str, *args: str) -> str:
    path = write(tmp_path / name, text)
    result = cli("time", "import", str(path), *args)
    assert result.exit_code == 0, result.output
    return str(result.output)


def entries(cli: Cli, *args: str) -> list[dict[str, str]]:
    result = cli("time", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.stdout)
    return rows


def draft_of(folder: Path, output: str) -> Path:
    name = output.split("wrote ", 1)[1].split(":", 1)[0]
    return folder / name


def test_each_tracker_export_is_read_with_its_own_columns(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    assert "added 2 toggl entries" in imported(cli, tmp_path, "toggl.csv", TOGGL)
    assert "added 1 clockify" in imported(cli, tmp_path, "clockify.csv", CLOCKIFY)
    assert "added 1 kimai" in imported(cli, tmp_path, "kimai.csv", KIMAI)
    out = imported(cli, tmp_path, "timew.json", TIMEW)
    assert "added 1 timewarrior" in out and "still running" in out
    rows = {(r["source"], r["date"]): r for r in entries(cli)}
    assert rows["toggl", "2026-11-02"]["hours"] == "1.1667"
    assert rows["toggl", "2026-11-02"]["rate"] == "75"  # 87.50 for 1 h 10
    assert rows["clockify", "2026-11-25"]["hours"] == "0.3333"  # day first: 25/11
    assert rows["clockify", "2026-11-25"]["rate"] == "90"
    assert (
        rows["kimai", "2026-11-04"]["hours"] == "3"
        and rows["kimai", "2026-11-04"]["task"] == "Analyse"
    )
    assert rows["timewarrior", "2026-11-05"]["hours"] == "1.75"
    assert sorted(p.name for p in (folder / "time").iterdir()) == [
        "clockify.csv", "kimai.csv", "timewarrior.csv", "toggl.csv",
    ]  # fmt: skip


def test_importing_again_adds_nothing(cli: Cli, folder: Path, tmp_path: Path) -> None:
    imported(cli, tmp_path, "toggl.csv", TOGGL)
    before = (folder / "time" / "toggl.csv").read_bytes()
    out = imported(cli, tmp_path, "toggl.csv", TOGGL)
    assert "added 0" in out and "2 entries were imported before" in out
    assert (folder / "time" / "toggl.csv").read_bytes() == before
    assert len(entries(cli)) == 2


def test_a_bad_row_is_named_by_line_and_nothing_is_imported(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "t.csv", PLAIN.replace("1.1,75", "one,75"))
    result = cli("time", "import", str(path))
    assert result.exit_code != 0
    assert f"{path}:2:1: expected a number for hours, got 'one'" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "time").exists()


def test_bill_time_groups_and_rounds_each_entry_up(cli: Cli, folder: Path) -> None:
    write(folder / "time" / "mine.csv", """\
        date,client,project,task,hours,rate
        2026-11-02,dupont,Site,API,1.1,75
        2026-11-03,dupont,Site,Design,0.2,75
        2026-11-04,dupont,Audit,Analyse,2,90
        2026-11-04,Atelier Dupont SARL,Audit,Analyse,0.5,90
        2026-11-04,berlin,Shop,Cart,2,100
        """)  # fmt: skip
    result = cli("bill-time", "dupont", "--round", "15m")
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load(draft_of(folder, result.output).read_text("utf-8"))
    lines = {line["description"]: line for line in draft["lines"]}
    assert lines["Site"]["quantity"] == 1.5  # 1.1 h -> 1.25, 0.2 h -> 0.25
    assert lines["Site"]["unit_price"] == 75
    assert lines["Site"]["service_period"] == {"start": D(2), "end": D(3)}
    assert lines["Audit"]["quantity"] == 2.5
    assert draft["service_period"] == {"start": D(2), "end": D(4)}
    assert len(draft["time_entries"]) == 4
    issued = cli("issue", str(draft_of(folder, result.output)), "--date", "2026-11-20")
    assert issued.exit_code == 0, issued.output
    shown = json.loads(cli("show", issued.stdout.strip(), "--json").stdout)
    assert len(shown["time_entries"]) == 4
    assert Decimal(shown["totals"]["net"]) == Decimal("337.50")  # 1.5 x 75 + 2.5 x 90


def test_group_by_task_and_day_in_days(cli: Cli, folder: Path) -> None:
    write(folder / "time" / "mine.csv", PLAIN + "2026-11-03,dupont,Site,Design,4,75\n")
    by_task = cli("bill-time", "dupont", "--group-by", "task", "--unit", "days")
    assert by_task.exit_code == 0, by_task.output
    path = draft_of(folder, by_task.output)
    draft = yaml.safe_load(path.read_text("utf-8"))
    assert [(x["description"], x["quantity"], x["unit"], x["unit_price"]) for x in draft["lines"]] == [
        ("Site - API", 0.138, "jour", 600), ("Site - Design", 0.5, "jour", 600),
    ]  # fmt: skip
    path.unlink()
    by_day = cli("bill-time", "dupont", "--group-by", "day", "--to", "2026-11-02")
    draft = yaml.safe_load(draft_of(folder, by_day.output).read_text("utf-8"))
    assert [x["description"] for x in draft["lines"]] == ["2026-11-02 - Site"]
    assert draft["service_date"] == D(2)


def test_pending_in_a_draft_then_released_when_it_is_deleted(cli: Cli, folder: Path) -> None:
    write(folder / "time" / "mine.csv", PLAIN)
    first = cli("bill-time", "dupont")
    path = draft_of(folder, first.output)
    assert [r["state"] for r in entries(cli, "--client", "dupont")] == ["pending"]
    second = cli("bill-time", "dupont")
    assert second.exit_code == 0 and "billed or in a draft already" in second.output
    assert len(list((folder / "drafts").iterdir())) == 1
    path.unlink()
    assert entries(cli, "--client", "dupont", "--unbilled")[0]["state"] == "unbilled"
    third = cli("bill-time", "dupont")
    assert "wrote drafts/" in third.output


def test_never_billed_twice(cli: Cli, folder: Path, tmp_path: Path) -> None:
    imported(cli, tmp_path, "toggl.csv", TOGGL)
    path = draft_of(folder, cli("bill-time", "dupont").output)
    copy = folder / "drafts" / "copy.yaml"
    copy.write_bytes(path.read_bytes())
    both = cli("issue", str(path), str(copy), "--date", "2026-11-20")
    assert both.exit_code != 0 and "is billed by drafts/" in both.output
    assert cli("issue", str(path), "--date", "2026-11-20").exit_code == 0
    checked = cli("check")
    assert checked.exit_code == 1 and "drafts/copy.yaml: time entry t-" in checked.output
    again = cli("issue", str(copy), "--date", "2026-11-21")
    assert again.exit_code != 0
    assert "is already billed by F-2026-0001" in again.output
    imported(cli, tmp_path, "toggl.csv", TOGGL)  # the same export, once more
    assert "billed or in a draft already" in cli("bill-time", "dupont").output
    assert {r["state"] for r in entries(cli)} == {"billed"}


def test_parallel_processes_bill_each_entry_once(folder: Path, tmp_path: Path) -> None:
    write(folder / "time" / "mine.csv", PLAIN)
    base = [sys.executable, "-m", "facturo", "--dir", str(folder), "--today", "2026-11-22"]
    export = write(tmp_path / "toggl.csv", TOGGL)
    commands = [[*base, "bill-time", "dupont"] for _ in range(3)]
    commands += [[*base, "time", "import", str(export)] for _ in range(2)]
    runs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for c in commands]  # fmt: skip
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert len(entries(Cli(folder))) == 4  # the export imported once, beside mine.csv
    ids = []
    for path in (folder / "drafts").iterdir():
        ids += yaml.safe_load(path.read_text("utf-8"))["time_entries"]
    assert len(ids) == len(set(ids)) >= 1


def test_an_entry_without_a_rate_needs_one(cli: Cli, folder: Path) -> None:
    write(
        folder / "time" / "mine.csv",
        "date,client,project,task,hours,rate\n2026-11-02,dupont,Site,,2,\n",
    )
    refused = cli("bill-time", "dupont")
    assert refused.exit_code != 0 and "has no hourly rate" in refused.output
    given = cli("bill-time", "dupont", "--rate", "70")
    draft = yaml.safe_load(draft_of(folder, given.output).read_text("utf-8"))
    assert draft["lines"][0]["unit_price"] == 70


def test_a_row_keeps_its_id_when_rows_are_added_above_it(cli: Cli, folder: Path) -> None:
    path = write(folder / "time" / "mine.csv", PLAIN + "2026-11-02,berlin,Shop,Cart,2,100\n")
    assert len({r["id"] for r in entries(cli)}) == 3  # the same work twice: two entries
    issued = cli("issue", str(draft_of(folder, cli("bill-time", "dupont").output)))
    assert issued.exit_code == 0, issued.output
    lines = path.read_text("utf-8").splitlines()
    lines.insert(1, "2026-11-01,dupont,Site,API,3,75")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    states = {r["date"]: r["state"] for r in entries(cli, "--client", "dupont")}
    assert states == {"2026-11-01": "unbilled", "2026-11-02": "billed"}


def test_the_freelance_example_bills_its_november_hours(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "freelance"
    examples = Path(__file__).parents[1] / "examples" / "freelance"
    shutil.copytree(examples, root, ignore=shutil.ignore_patterns(".facturo", "out"))
    cli = Cli(root)
    result = cli("bill-time", "velo-partage", "--to", "2026-11-30", "--round", "15m")
    assert result.exit_code == 0, result.output
    path = draft_of(root, result.output)
    draft = yaml.safe_load(path.read_text("utf-8"))
    assert [(x["description"], x["quantity"], x["unit"]) for x in draft["lines"]] == [
        ("Application mobile", 10, "heure"), ("Tableau de bord", 3.25, "heure"),
    ]  # fmt: skip
    assert "unit_price: 85.00" in path.read_text("utf-8")
    assert cli("check", "drafts").exit_code == 0


def test_two_drafts_of_the_same_entries_issued_in_parallel_bill_them_once(folder: Path) -> None:
    write(folder / "time" / "mine.csv", PLAIN)
    path = draft_of(folder, Cli(folder)("bill-time", "dupont").output)
    copy = folder / "drafts" / "copy.yaml"
    copy.write_bytes(path.read_bytes())
    base = [sys.executable, "-m", "facturo", "--dir", str(folder), "--today", "2026-11-22"]
    runs = [subprocess.Popen([*base, "issue", str(p), "--no-pdf"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for p in (path, copy)]  # fmt: skip
    outputs = [run.communicate(timeout=120) for run in runs]
    assert sorted(run.returncode for run in runs)[0] == 0, outputs
    assert sum(run.returncode == 0 for run in runs) == 1, outputs
    assert any("is already billed by F-2026-0001" in err for _, err in outputs), outputs
