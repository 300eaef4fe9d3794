"""Time facturo on a large folder (start-up, list, check, render); prints figures only."""

# Run: .venv/bin/python benchmarks/bench.py [--profile]
# The folder of 10,000 invoices is generated once per state of the code (generate.py) and
# cached in the temporary directory. "Cold" means facturo's own cache (.facturo/cache) is
# removed before each run; the operating system's file cache stays warm.

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from generate import cached_folder, facturo_command

import facturo

INVOICES = 10_000
CLIENTS = 200
RENDER_BATCH = 200
CORE_RENDER_BATCH = 50
HELLO_WORLD = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"Hello {name}")


if __name__ == "__main__":
    app()
'''
RENDER_ONE = """\
import sys
from pathlib import Path
from facturo.output.pdf.engine import render_pdf
from facturo.files.yamlio import load_mapping
document, _ = load_mapping(Path(sys.argv[1]), "invoice")
Path(sys.argv[2]).write_bytes(render_pdf(document))
"""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FACTURO_")}


def run_once(command: list[str], cwd: Path, before: Callable[[], None] | None = None) -> float:
    """Wall time of one whole process, in seconds (nan when it fails)."""
    if before is not None:
        before()
    start = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        error = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        print(f"    ! {' '.join(command[-3:])} exited {result.returncode}: {''.join(error)}")
        return float("nan")
    return elapsed


def median_time(
    command: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None
) -> float:
    run_once(command, cwd)  # warm the interpreter's bytecode and the file cache
    return statistics.median(run_once(command, cwd, before) for _ in range(runs))


def fmt(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "failed"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def row(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<44} {fmt(seconds):>9}   {note}".rstrip())


def drop_cache(root: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(root / ".facturo" / "cache", ignore_errors=True)


def bench_startup(work: Path) -> None:
    print("\nStart-up, whole process (median of 10)")
    hello = work / "hello.py"
    hello.write_text(HELLO_WORLD, "utf-8")
    bare = median_time([sys.executable, "-c", "pass"], work, 10)
    typer_help = median_time([sys.executable, str(hello), "--help"], work, 10)
    help_time = median_time([*facturo_command(), "--help"], work, 10)
    ratio = help_time / typer_help
    row("python -c pass", bare)
    row("typer hello-world --help", typer_help)
    ok = help_time <= 0.150 and ratio <= 1.5
    row(
        "facturo --help",
        help_time,
        f"{ratio:.2f}x typer   target <= 150 ms, <= 1.5x   {verdict(ok)}",
    )


def bench_folder(root: Path) -> None:
    command = facturo_command()
    print(f"\nlist on {INVOICES:,} invoices")
    cold = median_time([*command, "list"], root, 3, drop_cache(root))
    row("cold (no .facturo/cache), median of 3", cold)
    warm = median_time([*command, "list"], root, 5)
    row("warm, median of 5", warm, f"target <= 0.5 s   {verdict(warm <= 0.5)}")
    print(f"\ncheck on {INVOICES:,} invoices")
    cold = median_time([*command, "check"], root, 3, drop_cache(root))
    row("cold (no .facturo/cache), median of 3", cold, f"target <= 3 s   {verdict(cold <= 3)}")
    warm = median_time([*command, "check"], root, 5)
    row("warm, median of 5", warm)


def rendering_available() -> bool:
    try:
        import facturo.output.pdf.engine  # noqa: F401
    except (ImportError, OSError) as error:
        print(f"\nRendering: facturo.output.pdf.engine cannot be imported ({error}): skipped")
        return False
    return True


def render_help(root: Path) -> str | None:
    result = subprocess.run(
        [*facturo_command(), "render", "--help"],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def bench_rendering(work: Path) -> None:
    root = cached_folder(RENDER_BATCH, 20)
    invoice = sorted((root / "invoices").glob("*/*.yaml"))[0]
    help_text = render_help(root)
    print(f"\nRendering (folder of {RENDER_BATCH} invoices)")
    if help_text is None:
        print("  no `facturo render` command yet: the core is timed instead")
        one = median_time(
            [sys.executable, "-c", RENDER_ONE, str(invoice), str(work / "one.pdf")], work, 3
        )
        row("one invoice, fresh process (render_pdf), median 3", one)
        bench_core_batch(root)
        return
    out = root / "out"
    one = median_time(
        [*facturo_command(), "render", invoice.stem],
        root,
        3,
        lambda: shutil.rmtree(out, ignore_errors=True),
    )
    row(f"facturo render {invoice.stem} (cold process), median 3", one)
    if "--all" not in help_text:
        print("  `facturo render --all` does not exist: batch skipped")
        bench_core_batch(root)
        return
    batch_dir = work / "batch"
    seconds = run_once([*facturo_command(), "render", "--all", "--out", str(batch_dir)], root)
    rendered = len(list(batch_dir.rglob("*.pdf"))) if batch_dir.is_dir() else 0
    row(f"facturo render --all ({rendered} PDFs)", seconds)
    if rendered:
        per = seconds / rendered
        row("  per invoice", per, f"{1 / per:.1f} invoices/s")


def bench_core_batch(root: Path) -> None:
    """Render a batch in this process with one Renderer (what a --all would build on)."""
    from facturo.files.yamlio import load_mapping
    from facturo.output.pdf.engine import Renderer

    paths = sorted((root / "invoices").glob("*/*.yaml"))[:CORE_RENDER_BATCH]
    renderer = Renderer(root, logo="assets/logo.svg", accent_color="#1f6f5c")
    start = time.perf_counter()
    for path in paths:
        document, _ = load_mapping(path, path.name)
        renderer.render_pdf(document)
    per = (time.perf_counter() - start) / len(paths)
    row(
        f"core Renderer, {len(paths)} invoices in one process",
        per * len(paths),
        f"{fmt(per)} per invoice, {1 / per:.1f} invoices/s",
    )


def bench_einvoice_validation() -> None:
    """The official judges (CEN, Factur-X, BR-FR) over the examples' e-invoices, if present."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    try:
        from saxonche import PySaxonProcessor

        from judges import JUDGES, compile_judge, validation_dir

        validation_dir()
    except (ImportError, FileNotFoundError) as error:
        print(f"\nE-invoice validation: skipped ({error})")
        return
    from facturo.files.yamlio import load_mapping
    from facturo.output.facturx import build_xml

    print("\nE-invoice validation (the three official judges, in one process)")
    saxon = PySaxonProcessor(license=False)
    start = time.perf_counter()
    judges = {name: compile_judge(saxon, name) for name in JUDGES}
    row("compile CEN, Factur-X and BR-FR stylesheets", time.perf_counter() - start)
    examples = Path(__file__).resolve().parents[1] / "examples"
    paths = [
        p
        for p in sorted(examples.glob("*/*/[0-9][0-9][0-9][0-9]/*.yaml"))
        if p.parts[-3] in ("invoices", "credit-notes")
    ]
    documents = [load_mapping(path, path.name)[0] for path in paths]
    xmls = [build_xml(document) for document in documents if document is not None]
    for name, judge in judges.items():
        start = time.perf_counter()
        for xml in xmls:
            judge(xml)
        per = (time.perf_counter() - start) / len(xmls)
        row(
            f"{name} judge, {len(xmls)} example e-invoices",
            per * len(xmls),
            f"{fmt(per)} per document",
        )


def profile(root: Path, work: Path) -> None:
    """Where the time of `--help` (imports) and of a warm `list` (functions) goes."""
    print("\nProfile: slowest imports of `facturo --help` (cumulative, -X importtime)")
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "from facturo.cli import main; main()",
            "--help",
        ],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines()[1:]:
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    for micros, name in sorted(rows, reverse=True)[:15]:
        print(f"  {micros / 1000:8.1f} ms {name}")
    print("\nProfile: warm `facturo list` (cProfile, cumulative, top 20)")
    script = textwrap.dedent(
        """\
        import cProfile, pstats, sys
        from facturo.cli import app
        cProfile.run("app(['list'], prog_name='facturo', standalone_mode=False)", sys.argv[1])
        """
    )
    subprocess.run(
        [sys.executable, "-c", script, str(work / "list.prof")],
        cwd=root,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        check=False,
    )
    import pstats

    stats = pstats.Stats(str(work / "list.prof"), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(20)


def load_average() -> str:
    """Other work on the machine inflates every figure: say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="also print where time goes")
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        f"facturo {facturo.__version__} benchmark: Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {load_average()}"
    )
    root = cached_folder(INVOICES, CLIENTS)
    print(f"folder: {root} ({INVOICES:,} invoices, {CLIENTS} clients, git-versioned)")
    with tempfile.TemporaryDirectory(prefix="facturo-bench-run-") as temporary:
        work = Path(temporary)
        bench_startup(work)
        bench_folder(root)
        if rendering_available():
            bench_rendering(work)
        bench_einvoice_validation()
        if args.profile:
            profile(root, work)
    print(f"\ntotal bench time: {fmt(time.perf_counter() - started)}, {load_average()}")


if __name__ == "__main__":
    main()
