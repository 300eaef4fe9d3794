"""Rules of facturo.yaml and client files beyond types: what the law requires, reminder levels."""

from __future__ import annotations

import re
from pathlib import Path

from facturo.files.reading import Report
from facturo.files.yamlio import YList, YMap


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


def check_config(config: YMap, report: Report, root: Path | None = None) -> None:
    """Rules of facturo.yaml beyond types: what the law requires of the seller."""
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
    regime = seller.get("vat_regime", "standard")
    if regime == "standard" and "vat_number" not in seller and "vat_number" not in seller.key_marks:
        report.error(
            seller.mark("vat_regime") if "vat_regime" in seller else seller.mark("name"),
            "missing 'vat_number': a VAT-registered seller must show it "
            "(or set vat_regime: franchise under art. 293 B du CGI)",
        )
    numbering = config.get("numbering")
    if isinstance(numbering, YMap):
        from facturo.model.numbering import yearly_pattern_problem

        for series in numbering.values():
            if isinstance(series, YMap) and "pattern" in series:
                message = yearly_pattern_problem(series["pattern"], series.get("reset", "yearly"))
                if message:
                    report.error(series.mark("pattern"), message)
    mail = config.get("mail")
    if isinstance(mail, YMap) and "password_file" in mail and root is not None:
        secret = (root / Path(mail["password_file"]).expanduser()).resolve()
        if secret.is_relative_to(root.resolve()):
            report.error(
                mail.mark("password_file"),
                "the password file is inside the billing folder (git would keep it): move it "
                "out, e.g. ~/.config/facturo/smtp-password",
            )
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


def _check_vat_number_siren(party: YMap, report: Report) -> None:
    from facturo.files.identifiers import vat_number_siren_problem

    vat_number, siren = party.get("vat_number"), party.get("siren")
    if not isinstance(vat_number, str) or not isinstance(siren, str):
        return
    if (message := vat_number_siren_problem(vat_number, siren)) is not None:
        report.error(party.mark("vat_number"), message)


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
    kind = client.get("kind", "business")
    address = client.get("address")
    country = address.get("country") if isinstance(address, YMap) else None
    if kind == "business" and country == "FR" and "siren" not in client.key_marks:
        report.error(
            client.mark("name"),
            "missing 'siren': invoices to a French business must show its SIREN "
            "(or set kind: individual for a private person)",
        )
    _check_vat_number_siren(client, report)
    if kind == "individual" and "vat_number" in client:
        report.warning(client.mark("vat_number"), "a private individual has no VAT number")
    if client.get("vat") == "reverse-charge" and "vat_number" not in client.key_marks:
        report.error(client.mark("vat"), "reverse charge needs the client's 'vat_number'")
