"""A large billing folder for benchmarks, issued through the core as `facturo issue` does."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import facturo
from facturo.files import schema
from facturo.files.canonical import dump
from facturo.files.reading import read_file
from facturo.files.yamlio import parse
from facturo.lifecycle.drafting import build_document
from facturo.lifecycle.issuing import _header
from facturo.model.numbering import SERIES_OF_KIND, series_from_config
from facturo.store.folder import Folder
from facturo.store.index import Ledger
from facturo.store.seal import compute_seal

REPO = Path(__file__).resolve().parents[1]
CONFIG_SOURCE = REPO / "examples" / "freelance"
FIRST_DAY = dt.date(2022, 1, 3)
LAST_DAY = dt.date(2026, 11, 20)
STALE_NAME = re.compile(r"facturo-bench-[0-9][0-9A-Za-z.+-]*-[0-9a-f]{10}")

# The packages that decide what an issued file holds: a change in them invalidates the
# generated folders (a change elsewhere, in output or the CLI, keeps them).
SHAPING_PACKAGES = ("model", "files", "store", "lifecycle")
# Reminders are sent by email: a folder ten years old has its settings (never used here).
MAIL_SETTINGS = """\
mail:
  host: smtp.example.org
  port: 587
  security: starttls
  user: facturation@example.org
  from: facturation@example.org
"""
DESCRIPTIONS = (
    "Développement de l'API de réservation — sprint {n}",
    "Atelier de formation Python (2 jours) — session {n}",
    "Maintenance applicative — lot {n}",
    "Revue de code et audit d'architecture — module {n}",
    "Intégration continue et déploiement — étape {n}",
    "Accompagnement technique de l'équipe — semaine {n}",
)
REDUCED_RATE_LINES = (
    ("Déjeuners des participants, servis sur place", "repas", "18.50", "10"),
    ("Ouvrage « Python au quotidien », exemplaire imprimé", "exemplaire", "29.00", "5.5"),
)


def cache_key(packages: tuple[str, ...] = SHAPING_PACKAGES) -> str:
    """facturo's version and a digest of this generator and of the sources in `packages`."""
    digest = hashlib.sha256()
    package = Path(facturo.__file__).parent
    sources = [path for name in packages for path in sorted((package / name).rglob("*.py"))]
    for source in [Path(__file__), *sources]:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return f"{facturo.__version__}-{digest.hexdigest()[:10]}"


def cached_folder(invoices: int, clients: int) -> Path:
    """A folder of `invoices` issued invoices over `clients` clients, built once per code state.

    It is built in a temporary name, checked with `facturo check`, then renamed into place,
    so an interrupted build never leaves a half folder in the cache.
    """
    base = Path(tempfile.gettempdir()) / f"facturo-bench-{cache_key()}"
    final = base / f"{invoices}-invoices-{clients}-clients"
    if final.is_dir():
        return final
    remove_stale_caches(base)
    base.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=base))
    try:
        build_folder(building, invoices, clients)
        commit_to_git(building)
        check_once(building)
        building.rename(final)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


def remove_stale_caches(current: Path) -> None:
    """Folders generated for earlier states of the code are never read again."""
    for stale in current.parent.glob("facturo-bench-*"):
        if stale != current and STALE_NAME.fullmatch(stale.name) and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def luhn_complete(digits: str) -> str:
    from stdnum import luhn

    return digits + luhn.calc_check_digit(digits)


def german_vat_number(rng: random.Random) -> str:
    from stdnum.iso7064 import mod_11_10

    digits = str(rng.randrange(10_000_000, 99_999_999))
    return f"DE{digits}{mod_11_10.calc_check_digit(digits)}"


def client_text(index: int, rng: random.Random) -> str:
    """A client file: mostly French companies, some EU, Swiss and private clients."""
    street = f"{rng.randrange(1, 120)} rue de la République"
    if index % 20 == 0:
        return (
            f"name: Client particulier {index}\nkind: individual\n"
            f'address: {{street: {street}, postcode: "69003", city: Lyon, country: FR}}\n'
            f"email: particulier{index}@example.org\npayment_terms: à réception\n"
        )
    if index % 20 == 1:
        return (
            f"name: Kundenfirma {index} GmbH\n"
            f'address: {{street: Torstraße {index}, postcode: "10119", city: Berlin, '
            "country: DE}\n"
            f"vat_number: {german_vat_number(rng)}\nvat: reverse-charge\nlanguage: en\n"
            f"email: buchhaltung{index}@kunde.example\n"
        )
    if index % 20 == 2:
        return (
            f"name: Client Suisse {index} SA\n"
            f'address: {{street: Rue du Rhône {index}, postcode: "1204", city: Genève, '
            "country: CH}\n"
            f"vat: outside-scope\nemail: comptabilite{index}@client.example\n"
        )
    siren = luhn_complete(str(rng.randrange(10_000_000, 99_999_999)))
    terms = rng.choice(["30 jours", "45 jours fin de mois", "60 jours"])
    return (
        f"name: Entreprise Cliente {index} SAS\n"
        f'address: {{street: {street}, postcode: "69002", city: Lyon, country: FR}}\n'
        f'siren: "{siren}"\nemail: compta{index}@client.example\npayment_terms: {terms}\n'
    )


def draft_text(client_id: str, standard: bool, sequence: int, rng: random.Random) -> str:
    """A draft of one to four lines, with rates, discounts and periods like real ones."""
    lines = []
    for _ in range(rng.randrange(1, 4)):
        description = rng.choice(DESCRIPTIONS).format(n=rng.randrange(1, 40))
        quantity = rng.choice(["1", "2", "3", "5", "8", "9.5", "10"])
        line = (
            f"  - description: {description}\n    quantity: {quantity}\n    unit: jour\n"
            f"    unit_price: {rng.choice(['450.00', '520.00', '600.00', '650.00'])}\n"
        )
        if rng.random() < 0.15:
            line += f'    discount: "{rng.choice([5, 10])}%"\n'
        lines.append(line)
    if standard and rng.random() < 0.3:
        description, unit, price, rate = rng.choice(REDUCED_RATE_LINES)
        lines.append(
            f"  - description: {description}\n    quantity: {rng.randrange(4, 20)}\n"
            f"    unit: {unit}\n    unit_price: {price}\n    vat_rate: {rate}\n"
        )
    text = f"client: {client_id}\norder_reference: BC-{sequence:06d}\nlines:\n" + "".join(lines)
    if rng.random() < 0.1:
        text += 'discount: "5%"\n'
    return text


def issue_dates(count: int) -> list[dt.date]:
    """`count` dates spread evenly from FIRST_DAY to LAST_DAY, in order."""
    span = (LAST_DAY - FIRST_DAY).days
    return [FIRST_DAY + dt.timedelta(days=span * i // max(count - 1, 1)) for i in range(count)]


def build_folder(root: Path, invoices: int, clients: int, seed: int = 2026) -> None:
    """Write facturo.yaml, clients and `invoices` issued invoices as `facturo issue` would.

    Numbers come from the invoice series (yearly reset) and each seal chains to the
    previous document of the series and year, as in lifecycle._issue_one; only the per-issue
    re-reading of the folder and the exclusive claim are left out, which is what
    makes 10,000 invoices take seconds instead of an hour.
    """
    rng = random.Random(seed)
    shutil.copy(CONFIG_SOURCE / "facturo.yaml", root / "facturo.yaml")
    with (root / "facturo.yaml").open("a", encoding="utf-8") as config:
        config.write(MAIL_SETTINGS)
    shutil.copytree(CONFIG_SOURCE / "assets", root / "assets")
    (root / ".gitignore").write_text(".facturo/\nout/\n", "utf-8")
    (root / "clients").mkdir()
    client_ids = [f"client-{i:03d}" for i in range(clients)]
    for index, client_id in enumerate(client_ids):
        (root / "clients" / f"{client_id}.yaml").write_text(client_text(index, rng), "utf-8")
    (root / "drafts").mkdir()
    for index in range(2):
        text = draft_text(client_ids[3 + index], True, invoices + index + 1, rng)
        (root / "drafts" / f"pending-{index + 1}.yaml").write_text(text, "utf-8")

    ledger = Ledger(Folder(root), use_cache=False)
    config = ledger.config()
    series = series_from_config(config, SERIES_OF_KIND["invoice"])
    previous: str | None = None
    seq_by_year: dict[int, int] = {}
    for index, issue_date in enumerate(issue_dates(invoices)):
        client_id = client_ids[rng.randrange(clients)]
        client = ledger.client(client_id)
        standard = client.get("vat", "standard") == "standard"
        text = draft_text(client_id, standard, index + 1, rng)
        name = f"drafts/{client_id}-{index + 1:05d}.yaml"
        document = _document(text, name, config, client_id, client, issue_date)
        if issue_date.year not in seq_by_year:
            previous = None  # the chain runs per series and period (store/seal.py)
        seq_by_year[issue_date.year] = seq_by_year.get(issue_date.year, 0) + 1
        number = series.format(issue_date.year, seq_by_year[issue_date.year])
        document["number"] = number
        document["source"] = {
            "draft": name,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        document["seal"] = compute_seal(document, previous)
        previous = document["seal"]["sha256"]
        tracking = payments_received(document, rng)
        if tracking:
            document["tracking"] = tracking
        target = root / series.folder / str(issue_date.year) / f"{number}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(document, _header(document)), "utf-8")


def payments_received(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """What ten years of clients do: most pay in full, late or not, some in two parts.

    Invoices of the last two months are mostly still open; older ones are paid but for a
    few (about 3%) that stay open and late, some of them already reminded.
    """
    due = document["totals"]["due"]
    due_date = document["due_date"]
    age = (LAST_DAY - document["issue_date"]).days
    if age < 60 and rng.random() < 0.7:
        return {}
    if age >= 60 and rng.random() < 0.03:
        late = LAST_DAY - due_date
        if late.days > 20:
            reminder = {
                "date": due_date + dt.timedelta(days=1),
                "level": 1,
                "to": ["compta@client.example"],
                "message_id": f"<reminder-{document['number']}@example.org>",
            }
            return {"reminders": [reminder]}
        return {}
    paid_on = min(due_date + dt.timedelta(days=rng.randrange(-20, 25)), LAST_DAY)
    paid_on = max(paid_on, document["issue_date"])
    if rng.random() < 0.1:
        first = (due / 2).quantize(Decimal("0.01"))
        return {
            "payments": [
                {"date": paid_on, "amount": first, "method": "transfer"},
                {
                    "date": min(paid_on + dt.timedelta(days=15), LAST_DAY),
                    "amount": due - first,
                    "method": "transfer",
                },
            ]
        }
    return {
        "payments": [
            {
                "date": paid_on,
                "amount": due,
                "method": "transfer",
                "reference": f"VIR-{document['number']}",
            }
        ]
    }


def _document(
    text: str,
    name: str,
    config: dict[str, Any],
    client_id: str,
    client: dict[str, Any],
    issue_date: dt.date,
) -> dict[str, Any]:
    """The document a draft's text becomes, as lifecycle.prepare_draft builds it."""
    data, problems = parse(text, name)
    draft, report = read_file(data, schema.DRAFT, name)
    document = build_document(draft, config, client_id, client, issue_date, report)
    errors = problems + [p for p in report.problems if p.is_error]
    if document is None or errors:
        raise SystemExit(f"generated an invalid draft {name}: {errors}\n{text}")
    return document


def commit_to_git(root: Path) -> None:
    """Version the folder as users do: the set-up in one commit, then one commit per issue.

    The history is written with `git fast-import` (seconds for 50,000 commits); `check`
    reads it to find issued documents deleted or renamed, so its length matters.
    """
    if shutil.which("git") is None:
        return
    issued = sorted(
        (path for path in root.glob("*/*/*.yaml") if path.parts[-3] != "drafts"),
        key=lambda path: (path.parent.name, path.name),
    )
    issued_set = set(issued)
    setup = sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.parts and path not in issued_set
    )
    stream = bytearray()
    moment = 1_640_995_200  # 2022-01-01, one minute per commit after it

    def commit(message: str, paths: list[Path], parent: bool) -> None:
        nonlocal moment
        moment += 60
        stream.extend(b"commit refs/heads/main\n")
        stream.extend(f"committer bench <bench@example.org> {moment} +0000\n".encode())
        stream.extend(f"data {len(message.encode())}\n{message}\n".encode())
        if not parent:
            stream.extend(b"deleteall\n")
        for path in paths:
            content = path.read_bytes()
            name = path.relative_to(root).as_posix()
            stream.extend(f"M 100644 inline {name}\ndata {len(content)}\n".encode())
            stream.extend(content + b"\n")

    commit("Set up the billing folder", setup, parent=False)
    for path in issued:
        commit(f"Issue {path.stem}", [path], parent=True)
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "reset", "-q"], cwd=root, check=True)


def facturo_command() -> list[str]:
    """The installed `facturo` script beside this Python, else `python -m facturo`."""
    script = Path(sys.executable).with_name("facturo")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "facturo"]


def check_once(root: Path) -> None:
    """Stop the benchmark if the generated folder does not pass `facturo check`."""
    result = subprocess.run(
        [*facturo_command(), "check"], cwd=root, capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or result.stdout.strip():
        raise SystemExit(
            f"the generated folder {root} fails facturo check:\n{result.stdout[:3000]}"
        )
    shutil.rmtree(root / ".facturo", ignore_errors=True)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(cached_folder(count, 200))
