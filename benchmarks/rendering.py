"""Rendering as users run it: one cold `render NUMBER`, and `render --all` at several sizes.

Each figure sits beside bare WeasyPrint laying out the same HTML with the same stylesheet on
the same machine: one cold process for `render NUMBER`, a pool of as many processes as
facturo uses (each keeping its fonts and stylesheet, as facturo's workers do) laying out the
HTML of the same documents (up to 200 of them) for `render --all`. Memory is the peak of the
sum of the resident memory of every process of the command (its workers included), sampled
every 50 ms. Other work on the machine slows both alike but not evenly: compare CPU time.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generate import cached_folder

RENDER_SIZES = (100, 1_000)
BARE_BATCH = 200  # the bare pool's rate is per document: the first this many are enough
CLIENTS = 200
BARE_ONE = """\
import sys
from pathlib import Path
import weasyprint
html, templates, out = sys.argv[1:4]
base = Path(templates).as_uri() + "/"
source = weasyprint.HTML(string=Path(html).read_text("utf-8"), base_url=base)
css = weasyprint.CSS(url=base + "style.css")
Path(out).write_bytes(source.write_pdf(stylesheets=[css], pdf_variant="pdf/a-3b"))
"""
BARE_MANY = """\
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import weasyprint
from weasyprint.text.fonts import FontConfiguration
pages, templates, workers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
base = Path(templates).as_uri() + "/"
texts = [page.read_text("utf-8") for page in sorted(pages.glob("*.html"))]
state = {}
def start():
    fonts = FontConfiguration()
    state["fonts"] = fonts
    state["css"] = weasyprint.CSS(url=base + "style.css", font_config=fonts)
def render(index):
    source = weasyprint.HTML(string=texts[index], base_url=base)
    pdf = source.write_pdf(
        stylesheets=[state["css"]], font_config=state["fonts"], pdf_variant="pdf/a-3b"
    )
    return len(pdf)
if __name__ == "__main__":
    with ProcessPoolExecutor(workers, initializer=start) as pool:
        assert all(pool.map(render, range(len(texts))))
"""


@dataclass(frozen=True)
class Sample:
    """Wall time, CPU time (user + system, workers included) and peak memory of all processes."""

    seconds: float
    cpu: float
    peak_mib: float


def run_sampled(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run `command`, summing the resident memory of it and its descendants as it runs."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        last = error.decode("utf-8", "replace").strip().splitlines()[-1:]
        print(f"    ! {' '.join(command[-4:])} failed: {''.join(last)}")
        return Sample(math.nan, math.nan, math.nan)
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, peak / 1024)


def tree_rss(root: int) -> int:
    """The resident memory (KiB) of `root` and every process below it, read from /proc."""
    total, waiting = 0, [root]
    while waiting:
        pid = waiting.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:  # it ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in tasks:
            try:
                waiting.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return total


def median_of(runs: int, once: Callable[[], Sample]) -> Sample:
    samples = [once() for _ in range(runs)]
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu for s in samples),
        max(s.peak_mib for s in samples),
    )


def invoice_html(root: Path, numbers: list[str], into: Path) -> list[Path]:
    """The HTML facturo lays out for each of `numbers`, for bare WeasyPrint to lay out too."""
    from facturo.checks.documents import open_ledger
    from facturo.output.pdf.engine import Renderer
    from facturo.output.publishing import renderer_options

    ledger = open_ledger(root)
    renderer = Renderer(**renderer_options(ledger))
    into.mkdir(parents=True, exist_ok=True)
    pages = []
    for number in numbers:
        page = into / f"{number}.html"
        page.write_text(renderer.render_html(dict(ledger.document(number))), "utf-8")
        pages.append(page)
    return pages


def first_numbers(root: Path, count: int) -> list[str]:
    """The numbers of the first `count` issued documents, in the order `render --all` takes."""
    from facturo.checks.documents import open_ledger

    return [entry.number for entry in open_ledger(root).entries()][:count]


def bench_rendering(
    facturo_cli: list[str],
    sizes: tuple[int, ...],
    work: Path,
    env: dict[str, str],
    row: Callable[..., None],
    header: Callable[..., None],
    fmt: Callable[[float], str],
    some_number: Callable[[Path], str],
) -> None:
    """Cold `render NUMBER` and `render --all` at each size, beside bare WeasyPrint."""
    python = str(Path(facturo_cli[0]).with_name("python"))
    templates = Path(
        subprocess.run(
            [python, "-c", "from facturo.output.sandbox import find_packaged_templates as f; "
             "print(f())"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout.strip()
    )  # fmt: skip
    cores = len(os.sched_getaffinity(0))
    first = cached_folder(min(sizes), min(CLIENTS, max(min(sizes) // 10, 20)))
    number = some_number(first)
    (page,) = invoice_html(first, [number], work)
    (work / "one-bare.py").write_text(BARE_ONE, "utf-8")
    (work / "many-bare.py").write_text(BARE_MANY, "utf-8")
    out = work / "render-one"

    header(f"Rendering one invoice, cold (whole process, median of 5; {cores} cores)", "bare WP")
    one = median_of(
        5,
        lambda: run_sampled([*facturo_cli, "render", number, "--out", str(out)], first, env),
    )
    bare = median_of(
        5,
        lambda: run_sampled(
            [python, str(work / "one-bare.py"), str(page), str(templates), str(out / "b.pdf")],
            work,
            env,
        ),
    )
    row(
        f"render {number}",
        fmt(one.seconds),
        fmt(bare.seconds),
        f"{one.seconds / bare.seconds:.2f}x",
        f"<= 1 s   {'ok' if one.seconds <= 1 else 'MISSED'}",
    )
    row("  CPU time", fmt(one.cpu), fmt(bare.cpu), f"{one.cpu / bare.cpu:.2f}x")
    row("  peak memory", f"{one.peak_mib:.0f} MiB", f"{bare.peak_mib:.0f} MiB")

    header(f"render --all (whole process, {cores} cores; bare WP: a pool on the same HTML)")
    peaks: dict[int, float] = {}
    for size in sizes:
        root = cached_folder(size, min(CLIENTS, max(size // 10, 20)))
        batch = work / f"batch-{size}"
        shutil.rmtree(batch, ignore_errors=True)
        run = run_sampled([*facturo_cli, "render", "--all", "--out", str(batch)], root, env)
        rendered = len(list(batch.rglob("*.pdf"))) if batch.is_dir() else 0
        shutil.rmtree(batch, ignore_errors=True)
        if not rendered:
            continue
        pages = work / f"pages-{size}"
        shutil.rmtree(pages, ignore_errors=True)
        bare_count = len(invoice_html(root, first_numbers(root, BARE_BATCH), pages))
        bare_pool = [python, str(work / "many-bare.py"), str(pages), str(templates)]
        floor = run_sampled([*bare_pool, str(cores)], work, env)
        rate, bare_rate = rendered / run.seconds, bare_count / floor.seconds
        peaks[size] = run.peak_mib
        row(
            f"{size:,} invoices: invoices per second",
            f"{rate:.1f}/s",
            f"{bare_rate:.1f}/s",
            f"{rate / bare_rate:.2f}x",
            f">= 12/s   {'ok' if rate >= 12 else 'MISSED'}",
        )
        row(
            "  CPU time per invoice",
            fmt(run.cpu / rendered),
            fmt(floor.cpu / bare_count),
            f"{run.cpu / rendered / (floor.cpu / bare_count):.2f}x",
            f"cores used {run.cpu / run.seconds:.1f} of {cores}",
        )
        row("  wall, CPU", f"{run.seconds:.1f} s", f"{run.cpu:.1f} s")
        row(
            "  peak memory, all processes",
            f"{run.peak_mib:.0f} MiB",
            f"{floor.peak_mib:.0f} MiB",
            f"{run.peak_mib / floor.peak_mib:.2f}x",
        )
    if len(peaks) > 1:
        low, high = min(peaks), max(peaks)
        growth = peaks[high] / peaks[low]
        row(
            f"  memory at {high:,} / at {low:,}",
            f"{growth:.2f}x",
            "",
            "",
            f"flat (<= 1.2x)   {'ok' if growth <= 1.2 else 'MISSED'}",
        )


if __name__ == "__main__":
    sys.exit("run benchmarks/bench.py")
