"""Rules of facturo.yaml and client files beyond types: what the law requires, reminder levels."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from facturo.files.marked import YList, YMap, locate
from facturo.files.reading import Report
from facturo.model.document import DEFAULTS


def check_reminder_levels(policy: YMap, report: Report) -> None:
    """Levels are 0 to 3, each once, later levels later; level 0 comes before the due date."""
    levels = policy.get("levels")
    if not isinstance(levels, YList):
        return
    seen: dict[int, int] = {}
    for index, item in enumerate(levels):
        if not isinstance(item, YMap) or "level" not in item or "days" not in item:
            continue
        level, days = item["level"], item["days"]
        mark = levels.mark(index)
        if not 0 <= level <= 3:
            report.error(mark, f"reminder levels go from 0 to 3, not {level}")
        elif level in seen:
            report.error(mark, f"reminder level {level} is defined twice")
        elif any(other < level and other_days >= days for other, other_days in seen.items()):
            report.error(mark, f"level {level} must come later than the levels before it")
        elif level == 0 and days > 0:
            report.error(mark, "level 0 is a courtesy note before the due date: days must be <= 0")
        elif level > 0 and days < 1:
            report.error(mark, f"level {level} is sent after the due date: days must be >= 1")
        seen[level] = days


def check_config(config: YMap, report: Report) -> None:
    """Rules of facturo.yaml beyond types: what the law requires of the seller (its bytes
    alone decide them; check_config_places judges what it names elsewhere, its problems
    listed between those of these two halves)."""
    check_config_before_places(config, report)
    check_config_after_places(config, report)


def check_config_before_places(config: YMap, report: Report) -> None:
    """The rules of facturo.yaml judged before check_config_places: the seller's, the
    numbering's, the mail login's."""
    seller = config.get("seller")
    if not isinstance(seller, YMap):
        return
    address = seller.get("address")
    country = address.get("country") if isinstance(address, YMap) else None
    if country == "FR" and "siren" not in seller and "siren" in seller.key_marks:
        pass  # already reported as invalid
    elif country == "FR" and "siren" not in seller:
        report.error(seller.mark("name"), "missing 'siren': French invoices must show it")
    _check_vat_number_siren(seller, report)
    where = locate(config, "seller.electronic_address")
    _check_electronic_address(seller, country, report, "seller", where)
    regime = seller.get("vat_regime", "standard")
    if regime == "standard" and "vat_number" not in seller and "vat_number" not in seller.key_marks:
        report.error(
            seller.mark("vat_regime") if "vat_regime" in seller else seller.mark("name"),
            "missing 'vat_number': a VAT-registered seller must show it "
            "(or set vat_regime: franchise under art. 293 B du CGI)",
        )
    numbering = config.get("numbering")
    if isinstance(numbering, YMap):
        _check_numbering(numbering, report)
    mail = config.get("mail")
    if isinstance(mail, YMap):
        _check_clear_text_login(mail, report)


def check_config_after_places(config: YMap, report: Report) -> None:
    """The rules of facturo.yaml judged after check_config_places: the reminder levels', the
    defaults'."""
    seller = config.get("seller")
    if not isinstance(seller, YMap):
        return
    regime = seller.get("vat_regime", "standard")
    reminders = config.get("reminders")
    if isinstance(reminders, YMap):
        check_reminder_levels(reminders, report)
    defaults = config.get("defaults")
    if not isinstance(defaults, YMap) or "late_penalty_rate_percent" not in defaults.key_marks:
        where = (defaults.line, defaults.col) if isinstance(defaults, YMap) else (config.line, 1)
        report.error(
            where,
            "missing defaults.late_penalty_rate_percent: invoices must state the late-payment "
            "penalty rate (ECB refinancing rate + 10 points, Code de commerce L441-10)",
        )
    rate = defaults.get("vat_rate") if isinstance(defaults, YMap) else None
    if isinstance(defaults, YMap) and regime != "franchise" and rate is not None:
        from facturo.model.vat import unknown_rate

        if (why := unknown_rate(rate)) is not None:
            report.warning(defaults.mark("vat_rate"), why)
    if isinstance(defaults, YMap) and regime == "franchise" and defaults.get("vat_rate"):
        report.warning(
            defaults.mark("vat_rate"),
            "vat_rate is ignored: a seller under VAT franchise charges no VAT",
        )


def check_config_places(config: YMap, report: Report, root: Path) -> None:
    """Rules of facturo.yaml on the files it names: the logo is an image inside the billing
    folder, the mail password file is outside it (judged, as the other rules, once the seller
    is a mapping)."""
    if not isinstance(config.get("seller"), YMap):
        return
    pdf = config.get("pdf")
    if isinstance(pdf, YMap) and isinstance(pdf.get("logo"), str):
        problem = logo_problem(pdf["logo"], root)
        if problem:
            report.error(pdf.mark("logo"), f"pdf.logo {pdf['logo']}: {problem}")
    mail = config.get("mail")
    if isinstance(mail, YMap) and "password_file" in mail:
        secret = (root / Path(mail["password_file"]).expanduser()).resolve()
        if secret.is_relative_to(root.resolve()):
            report.error(
                mail.mark("password_file"),
                "the password file is inside the billing folder (git would keep it): move it "
                "out, e.g. ~/.config/facturo/smtp-password",
            )


def _check_numbering(numbering: YMap, report: Report) -> None:
    """Each series' pattern and start, the names of named series, and that no two series
    can ever give the same number (numbers are looked up ignoring case)."""
    from facturo.model.numbering import (
        DEFAULT_PATTERNS,
        SERIES_KINDS,
        Series,
        pattern_problem,
        shared_number,
        yearly_pattern_problem,
    )

    named = numbering.get("series")
    specs: list[tuple[str, str, YMap | None]] = [
        (name, "", spec if isinstance(spec := numbering.get(name), YMap) else None)
        for name in SERIES_KINDS
    ]
    seen: set[str] = set()
    for spec in named if isinstance(named, YList) else []:
        if not isinstance(spec, YMap) or not isinstance(spec.get("name"), str):
            continue
        name = spec["name"]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
            report.error(spec.mark("name"), f"a series name uses A-Z a-z 0-9 - _, not {name!r}")
        elif name in SERIES_KINDS:
            report.error(
                spec.mark("name"),
                f"{name!r} is the name of the default {name} series: give this one another name",
            )
        elif name in seen:
            report.error(spec.mark("name"), f"another series is already named {name!r}")
        seen.add(name)
        specs.append((name, str(spec.get("kind") or ""), spec))
    series: list[tuple[Series, YMap | None]] = []
    for name, kind, spec in specs:
        pattern = spec.get("pattern") if spec is not None else DEFAULT_PATTERNS[name]
        if not isinstance(pattern, str):
            continue
        reset = spec.get("reset", "yearly") if spec is not None else "yearly"
        if spec is not None and (message := yearly_pattern_problem(pattern, reset)):
            report.error(spec.mark("pattern"), message)
        start = spec.get("start") if spec is not None else None
        if spec is not None and start and not Series("", pattern, "never").parse(start):
            message = f"start {start!r} does not follow the pattern {pattern!r}"
            report.error(spec.mark("start"), message)
        if pattern_problem(pattern) is None:
            series.append((Series(name, pattern, reset, kind=kind), spec))
    for index, (later, spec) in enumerate(series):
        for earlier, _ in series[:index]:
            number = shared_number(earlier, later)
            if number is None or spec is None:
                continue
            report.error(
                spec.mark("pattern"),
                f"the series {later.name!r} ({later.pattern!r}) could give the numbers of the "
                f"series {earlier.name!r} ({earlier.pattern!r}), e.g. {number}: two series "
                "must never give the same number; give each its own prefix",
            )
            break


def _check_vat_number_siren(party: YMap, report: Report) -> None:
    from facturo.files.identifiers import vat_number_siren_problem

    vat_number, siren = party.get("vat_number"), party.get("siren")
    if not isinstance(vat_number, str) or not isinstance(siren, str):
        return
    if (message := vat_number_siren_problem(vat_number, siren)) is not None:
        report.error(party.mark("vat_number"), message)


def _check_clear_text_login(mail: YMap, report: Report) -> None:
    from facturo.files.identifiers import is_loopback

    host = mail.get("host")
    clear = mail.get("security") == "none" and bool(mail.get("user"))
    if clear and isinstance(host, str) and not is_loopback(host):
        report.error(mail.mark("security"), clear_text_login_problem(host))


def clear_text_login_problem(host: str) -> str:
    return (
        f"security none with a user would send the password in clear to {host}: use starttls "
        "or ssl (none is for a relay on this machine: localhost, 127.0.0.1)"
    )


# What WeasyPrint draws as a logo, by suffix, and how each file type starts.
LOGO_TYPES = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
_SIGNATURES = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}


def logo_problem(logo: str, root: Path) -> str | None:
    """What is wrong with a logo path: a URL, outside the folder (links followed), not an
    image WeasyPrint draws, missing, or content of another type; None when it is fine."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", logo) and not re.match(r"[A-Za-z]:[\\/]", logo):
        return "a URL is not allowed; give a path inside the billing folder (e.g. assets/logo.svg)"
    base = root.resolve()
    path = (base / logo).resolve()
    if not path.is_relative_to(base):
        return (
            f"outside the billing folder {base} (links followed); put the file inside it "
            "(e.g. assets/logo.svg)"
        )
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        return "must be an SVG, PNG or JPEG image (.svg, .png, .jpg)"
    if not path.is_file():
        return f"no such file in the billing folder {base}"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if kind == "SVG":
        if b"<svg" not in head.lower():
            return "not an SVG image (no <svg element at its start)"
    elif not head.startswith(_SIGNATURES[kind]):
        return f"not a {kind} image (its content is of another type)"
    return None


CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def client_id_problem(client_id: str) -> str | None:
    if CLIENT_ID.match(client_id):
        return None
    return (
        f"invalid client id {client_id!r}: use lower-case letters, digits, '-' and '_' "
        "(at most 64 characters)"
    )


def check_client(client: YMap, report: Report) -> None:
    """Rules of a client file beyond types."""
    if isinstance(client.get("reminders"), YMap):
        check_reminder_levels(client["reminders"], report)
    kind = client.get("kind", DEFAULTS.client_kind)
    address = client.get("address")
    country = address.get("country") if isinstance(address, YMap) else None
    if kind == "business" and country == "FR" and "siren" not in client.key_marks:
        report.error(
            client.mark("name"),
            "missing 'siren': invoices to a French business must show its SIREN "
            "(or set kind: individual for a private person)",
        )
    _check_vat_number_siren(client, report)
    if kind == "business":
        where = locate(client, "electronic_address")
        _check_electronic_address(client, country, report, "client", where)
    if kind == "individual" and "vat_number" in client:
        report.warning(client.mark("vat_number"), "a private individual has no VAT number")
    if client.get("vat") == "reverse-charge" and "vat_number" not in client.key_marks:
        report.error(client.mark("vat"), "reverse charge needs the client's 'vat_number'")


def no_electronic_address(who: str) -> str:
    """The warning for a business without electronic address: the client or the seller."""
    term = "BT-34" if who == "seller" else "BT-49"
    return (
        f"no electronic address for the {who} ({term}): approved platforms reject e-invoices "
        "without one (BR-FR-12, BR-FR-13); add electronic_address (SIREN, SIREN_SIRET, an "
        "email or SCHEME:identifier) or an email"
    )


def _check_electronic_address(
    party: YMap, country: str | None, report: Report, who: str, mark: tuple[int, int]
) -> None:
    """A business is reached by approved platforms at an electronic address (BT-34, BT-49):
    a French one at its SIREN in the directory, unless it says otherwise."""
    from facturo.model.document import DIRECTORY_SCHEME, Party

    endpoint = Party.of(party).endpoint
    siren = "".join(str(party.get("siren") or "").split())
    address = endpoint[1] if endpoint and endpoint[0] == DIRECTORY_SCHEME else None
    if "electronic_address" in party and address and siren and not address.startswith(siren):
        report.error(
            party.mark("electronic_address"),
            f"the directory address {address!r} must start with the SIREN {siren} (BR-FR-21)",
        )
    if endpoint is None:
        report.warning(mark, no_electronic_address(who))


def check_subscription(subscription: YMap, report: Report, clients: set[str]) -> None:
    """Rules of a subscription file beyond types: its client, its schedule, its prices."""
    from facturo.files.reading import suggest

    client = subscription.get("client")
    if isinstance(client, str) and client not in clients:
        report.error(
            subscription.mark("client"),
            f"unknown client {client!r} ({suggest(client, sorted(clients))})",
        )
    schedule = subscription.get("schedule")
    if isinstance(schedule, YMap):
        interval = schedule.get("interval", 1)
        if isinstance(interval, int) and not 1 <= interval <= 120:
            report.error(schedule.mark("interval"), "the interval is a number from 1 to 120")
        day = schedule.get("day")
        if isinstance(day, int) and not 1 <= day <= 31:
            report.error(schedule.mark("day"), "the day of the month is from 1 to 31")
        if day is not None and schedule.get("every") == "week":
            report.error(schedule.mark("day"), "weekly periods start on the start date's weekday")
    start, end = subscription.get("start"), subscription.get("end")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        report.error(subscription.mark("end"), "the subscription ends before it starts")
    lines = subscription.get("lines")
    if isinstance(lines, YList) and not lines:
        report.error(subscription.mark("lines"), "a subscription bills at least one line")
    for line in lines if isinstance(lines, YList) else []:
        changes = line.get("price_changes") if isinstance(line, YMap) else None
        if not isinstance(changes, YList):
            continue
        previous: dt.date | None = None
        for change in changes:
            day_from = change.get("from") if isinstance(change, YMap) else None
            if not isinstance(day_from, dt.date):
                continue
            if isinstance(start, dt.date) and day_from <= start:
                report.error(change.mark("from"), "a price change starts after the subscription")
            if previous is not None and day_from <= previous:
                report.error(change.mark("from"), "price changes are listed in date order")
            previous = day_from
