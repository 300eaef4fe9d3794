"""Promises about the code itself: the core/CLI split, documented commands, no floats."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from conftest import TODAY, Cli, issue
from facturo.cli import full_app

app = full_app()

SRC = Path(__file__).parents[1] / "src" / "facturo"
README = Path(__file__).parents[1] / "README.md"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_never_imports_typer_or_rich() -> None:
    core = [p for p in SRC.rglob("*.py") if "cli" not in p.relative_to(SRC).parts]
    assert core
    for path in core:
        assert not _imports(path) & {"typer", "rich", "click"}, path


def test_money_never_goes_through_float() -> None:
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        calls = [
            n for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "float"
        ]  # fmt: skip
        assert not calls, f"{path}: float() call"


def _commands() -> list[tuple[str, Any]]:
    group: Any = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.extend((f"{name} {sub}", c) for sub, c in command.commands.items())
        else:
            found.append((name, command))
    return found


def test_every_command_has_an_example_and_is_in_the_readme() -> None:
    readme = README.read_text("utf-8")
    for name, command in _commands():
        assert "Example:" in (command.help or ""), f"{name}: help has no example"
        assert f"facturo {name}" in readme, f"{name}: not in the README's command reference"


HELP_MAY_IMPORT = (
    "facturo",
    "facturo.cli",
    "facturo.errors",
    "facturo.model",
    "facturo.model.statuses",
)
HEAVY = ("weasyprint", "babel", "stdnum", "jinja2", "yaml", "rich", "segno", "facturx")


@pytest.mark.parametrize("args", [["--help"], ["list", "--help"], ["report", "--help"]])
def test_help_does_not_import_heavy_modules(args: list[str]) -> None:
    """Help is read at the terminal: it loads the command line and nothing of the core
    (no YAML, no reports, no templates, no PDF engine) until a command runs."""
    code = (
        f"import sys; sys.argv=['facturo', *{args!r}]\n"
        "from facturo.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "names = sorted(m for m in sys.modules if m.split('.')[0] in ('facturo', *%r))\n"
        "sys.stderr.write('loaded:' + ','.join(names))" % (HEAVY,)
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "Usage" in result.stdout
    loaded = result.stderr.strip().splitlines()[-1].removeprefix("loaded:").split(",")
    unexpected = [
        name
        for name in loaded
        if name and name not in HELP_MAY_IMPORT and not name.startswith("facturo.cli.")
    ]
    assert unexpected == []


def _loaded_by(root: Path, args: list[str], packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` a facturo command loads, run in a process of its own."""
    code = (
        "import sys\n"
        f"sys.argv = ['facturo', '--dir', {str(root)!r}, '--today', {str(TODAY)!r}, *{args!r}]\n"
        "from facturo.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "names = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
        "sys.stderr.write('loaded:' + ','.join(names))" % (packages,)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [
        name for name in result.stderr.splitlines()[-1].removeprefix("loaded:").split(",") if name
    ]


# Loaded by no reading command: the PDF engine and its templates, e-invoices, spreadsheets,
# and pydantic (typer 0.29 coerces every option through it, ~0.1 s: pyproject.toml keeps
# typer below). A warm `list` or `show` checks no identifier (stdnum), opens no mail and no
# TLS, and `list` formats nothing with babel.
NEVER_WHEN_READING = ("pydantic", "weasyprint", "jinja2", "segno", "facturx", "openpyxl", "rich")
NOT_WHEN_WARM = ("stdnum", "email", "ssl", "smtplib")


@pytest.mark.parametrize(
    ("args", "unexpected"),
    [
        (["list"], (*NEVER_WHEN_READING, *NOT_WHEN_WARM, "babel")),
        (["show", "F-2026-0001"], (*NEVER_WHEN_READING, *NOT_WHEN_WARM)),
        (["statement", "dupont"], NEVER_WHEN_READING),
        (["check"], NEVER_WHEN_READING),
    ],
)
def test_reading_commands_load_only_what_they_use(
    folder: Path, draft: Any, args: list[str], unexpected: tuple[str, ...]
) -> None:
    """Every command pays for what it imports before it does any work: a warm `list` or
    `show` loads the command line, the index and the words of a table, and no more."""
    assert issue(Cli(folder), draft, "2026-03-02") == "F-2026-0001"
    _loaded_by(folder, ["list"], ())  # builds the index cache
    assert _loaded_by(folder, args, unexpected) == []


def _exits(path: Path) -> list[str]:
    """`typer.Exit`, `sys.exit` and `SystemExit` named in a module."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr, ast.unparse(node.value)) in {
            ("Exit", "typer"),
            ("exit", "sys"),
        }:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Name) and node.id == "SystemExit":
            found.append(f"{path.name}:{node.lineno}: SystemExit")
    return found


def test_commands_return_their_exit_code_and_only_the_app_exits() -> None:
    modules = [p for p in (SRC / "cli").glob("*.py") if p.name != "app.py"]
    assert modules
    assert [found for path in modules for found in _exits(path)] == []
    assert _exits(SRC / "cli" / "app.py")  # the check would see an exit if there were one


def test_core_messages_never_name_a_command_line_option() -> None:
    """The core raises about values; the CLI names its options (see FacturoError.remedy)."""
    import re

    option = re.compile(r"(?<![\w-])--[a-z]")
    found = []
    for path in SRC.rglob("*.py"):
        if "cli" in path.relative_to(SRC).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            problem = isinstance(node, ast.Call) and ast.unparse(node.func) == "Problem"
            if not (isinstance(node, ast.Raise) or problem):
                continue
            texts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)]
            found += [
                f"{path.name}:{node.lineno}: {text}"
                for text in texts
                if isinstance(text, str) and option.search(text)
            ]
    assert found == []


# The layers, in the order the data flows: each may import only those before it.
LAYERS = ("errors", "model", "files", "store", "checks", "lifecycle", "reports", "output", "cli")


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "facturo" or len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def _facturo_imports(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    package = ".".join(("facturo", *path.relative_to(root).parent.parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1]
                    + ([base] if base else [])
                )
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in {"import_module", "importlib.import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))  # an import by name, at run time
    return [(line, name) for line, name in found if name.startswith("facturo.")]


def layer_violations(root: Path = SRC) -> list[str]:
    """Every import of a later layer, as `path:line: layer imports later layer`."""
    wrong: list[str] = []
    for path in sorted(root.rglob("*.py")):
        own = _layer(".".join(("facturo", *path.relative_to(root).with_suffix("").parts)))
        if own is None:
            continue
        for line, name in _facturo_imports(path, root):
            other = _layer(name)
            if other is not None and other > own:
                wrong.append(f"{path.relative_to(root)}:{line}: {LAYERS[own]} imports {name}")
    return wrong


def test_every_module_belongs_to_a_layer() -> None:
    loose = [
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if _layer(".".join(("facturo", *p.relative_to(SRC).with_suffix("").parts))) is None
    ]
    assert sorted(loose) == ["__init__.py", "__main__.py"]


def test_layers_import_only_earlier_layers() -> None:
    assert layer_violations() == []


def test_the_layer_check_catches_an_import_against_the_order(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "money.py").write_text("from facturo.output.words import format_money\n")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "app.py").write_text("from facturo.model import money\n")
    assert layer_violations(tmp_path) == [
        "model/money.py:1: model imports facturo.output.words",
        "model/money.py:1: model imports facturo.output.words.format_money",
    ]


def test_the_layer_check_reads_imports_inside_functions_relative_and_by_name(
    tmp_path: Path,
) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "money.py").write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from facturo.store.index import Ledger\n"
        "def total():\n"
        "    import facturo.cli.app\n"
        "    from ..reports import listing\n"
        "    from . import vat\n"
        "    return importlib.import_module('facturo.output.words')\n"
    )
    assert layer_violations(tmp_path) == [
        "model/money.py:4: model imports facturo.store.index",
        "model/money.py:4: model imports facturo.store.index.Ledger",
        "model/money.py:6: model imports facturo.cli.app",
        "model/money.py:7: model imports facturo.reports",
        "model/money.py:7: model imports facturo.reports.listing",
        "model/money.py:9: model imports facturo.output.words",
    ]


def test_every_module_opens_with_a_docstring() -> None:
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(SRC)}: no module docstring"


def test_architecture_md_lists_every_module_with_its_docstring() -> None:
    listed = (SRC.parent.parent / "ARCHITECTURE.md").read_text("utf-8")
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
        first = docstring.strip().splitlines()[0] if docstring.strip() else ""
        name = path.relative_to(SRC).as_posix()
        if f"- `{name}` — {first}" not in listed:
            missing.append(f"- `{name}` — {first}")
    assert not missing, "ARCHITECTURE.md lacks or misdescribes:\n" + "\n".join(missing)


LONGEST = 500


def test_a_long_module_says_why_in_its_docstring() -> None:
    long = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text("utf-8")
        if text.count("\n") > LONGEST and "Why so long:" not in (
            ast.get_docstring(ast.parse(text)) or ""
        ):
            long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
    assert long == []
