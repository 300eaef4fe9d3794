"""Templates, stylesheets, fonts and logos are read only from the billing folder's
`templates/` (the logo: from the folder) and the packaged templates, judged by their real
path: a symbolic link that leads elsewhere is refused, with an error naming the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import render_documents as documents
from conftest import CONFIG, Cli, issue, write
from facturo.output.mail.compose import MessageError, compose
from facturo.output.pdf.engine import Renderer, RenderError
from facturo.output.sandbox import find_packaged_templates
from smtp_server import SmtpServer, running

PASSWORD = "s3cret-smtp-password"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the billing folder, as the SMTP password file would be."""
    path = tmp_path / "private" / "smtp-password"
    path.parent.mkdir()
    path.write_text(f"Subject: {PASSWORD}\n\n{PASSWORD}\n", "utf-8")
    return path


@pytest.fixture
def mailing(folder: Path) -> Iterator[SmtpServer]:
    with running() as server:
        write(folder / "facturo.yaml", CONFIG + server.mail_config())
        yield server


def link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def test_a_mail_template_linked_to_the_password_file_is_refused(
    cli: Cli, draft, folder: Path, secret: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    link(folder / "templates" / "mail" / "document.fr.txt", secret)
    result = cli("send", number)
    assert result.exit_code == 1
    assert "templates/mail/document.fr.txt" in result.stderr
    assert "outside" in result.stderr and "Traceback" not in result.output
    assert PASSWORD not in result.output
    assert mailing.messages == []


def test_a_linked_mail_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thanks.fr.txt").write_text("Subject: hi\n\nhello\n", "utf-8")
    (elsewhere / "thanks.fr.html").write_text("<p>hello</p>\n", "utf-8")
    link(folder / "templates" / "mail", elsewhere)
    with pytest.raises(MessageError, match=r"templates/mail/thanks\.fr\.txt.*outside"):
        compose("thanks", documents.document_context(), folder_root=folder)


def test_a_link_inside_the_templates_folder_is_followed(folder: Path) -> None:
    mail = folder / "templates" / "mail"
    mail.mkdir(parents=True)
    (mail / "thanks.fr.txt").write_text("Subject: Merci\n\nMerci.\n", "utf-8")
    (mail / "thanks.fr.html").write_text("<p>Merci.</p>\n", "utf-8")
    link(mail / "merci.fr.txt", mail / "thanks.fr.txt")
    link(mail / "merci.fr.html", Path("thanks.fr.html"))  # relative links too
    assert compose("merci", documents.document_context(), folder_root=folder).subject == "Merci"


@pytest.mark.parametrize("name", ["invoice.html", "base.html"])
def test_a_pdf_template_linked_outside_is_refused(folder: Path, secret: Path, name: str) -> None:
    link(folder / "templates" / name, secret)
    with pytest.raises(RenderError) as error:
        Renderer(folder).render_pdf(documents.standard_invoice())
    assert f"templates/{name}" in str(error.value) and "outside" in str(error.value)
    assert PASSWORD not in str(error.value)


def test_an_included_template_linked_outside_is_refused(folder: Path, secret: Path) -> None:
    write(
        folder / "templates" / "invoice.html",
        '{% extends "base.html" %}{% block closing %}{% include "terms.html" %}{% endblock %}',
    )
    link(folder / "templates" / "terms.html", secret)
    with pytest.raises(RenderError, match=r"templates/terms\.html.*outside"):
        Renderer(folder).render_pdf(documents.standard_invoice())


@pytest.mark.parametrize("name", ["style.css", "fonts/Inter-Regular.otf"])
def test_a_stylesheet_or_font_linked_outside_is_refused(
    folder: Path, secret: Path, name: str
) -> None:
    assert (find_packaged_templates() / name).is_file()
    link(folder / "templates" / name, secret)
    with pytest.raises(RenderError) as error:
        Renderer(folder).render_pdf(documents.standard_invoice())
    assert f"templates/{name}" in str(error.value) and "outside" in str(error.value)


def test_a_linked_templates_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "invoice.html", '{% extends "base.html" %}')
    link(folder / "templates", elsewhere)
    with pytest.raises(RenderError, match=r"templates/invoice\.html.*outside"):
        Renderer(folder).render_pdf(documents.standard_invoice())


def test_a_logo_linked_outside_is_refused(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "logo.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    link(folder / "assets" / "logo.png", outside)
    with pytest.raises(RenderError, match=r"logo assets/logo\.png.*outside"):
        Renderer(folder, logo="assets/logo.png")


def test_render_names_the_refused_template(cli: Cli, draft, folder: Path, secret: Path) -> None:
    number = issue(cli, draft, "2026-11-20")
    link(folder / "templates" / "invoice.html", secret)
    result = cli("render", number)
    assert result.exit_code != 0
    assert "templates/invoice.html" in result.stderr and "outside" in result.stderr
    assert "Traceback" not in result.output
    assert list(folder.rglob("*.pdf")) == []
