"""Time facturo as users run it, on folders of 100 to 50,000 invoices; prints figures only."""

# Run: make bench  (or .venv/bin/python benchmarks/bench.py [--large] [--profile])
# facturo is timed as users get it: a wheel installed (not editable) in its own virtual
# environment, bytecode compiled, each command a whole process. Folders are generated once
# per state of the code (generate.py) with a git history of one commit per issued invoice.
# "Cold" removes facturo's own cache (.facturo/cache); the system's file cache stays warm.
# Each row prints facturo's figure, a floor or peer measured on the same machine when one
# exists, their ratio, and the target of issue "Fast at 10 years of invoices".

from __future__ import annotations

import argparse
import functools
import math
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generate import FIRST_DAY, cache_key, cached_folder, draft_text
from rendering import RENDER_SIZES, bench_rendering

import facturo

REPO = Path(__file__).resolve().parents[1]
SIZES = (100, 1_000, 10_000)
LARGE = 50_000
CLIENTS = 200


def bare_typer_app() -> tuple[str, int]:
    """The source of a bare typer app with facturo's commands (same names, groups and
    number of options, each a plain `str`), and how many commands it has."""
    import typer.main

    from facturo.cli import full_app

    facturo_app = full_app()

    lines = ["import typer", "", "app = typer.Typer()", ""]
    count = 0

    def add(group: str, name: str, command: object) -> None:
        nonlocal count
        count += 1
        params = [p for p in getattr(command, "params", []) if p.name != "help"]
        args = ", ".join(f"o{i}: str = 'x'" for i in range(len(params)))
        function = f"c{count}"
        lines.extend([f"@{group}.command({name!r})", f"def {function}({args}) -> None:"])
        lines.extend(['    """A command."""', "    typer.echo('done')", ""])

    root = typer.main.get_command(facturo_app)
    for name, command in getattr(root, "commands", {}).items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            group = f"g{count}"
            lines.extend([f"{group} = typer.Typer()", f"app.add_typer({group}, name={name!r})"])
            for sub, subcommand in subcommands.items():
                add(group, sub, subcommand)
        else:
            add("app", name, command)
    lines.extend(["", 'if __name__ == "__main__":', "    app()", ""])
    return "\n".join(lines), count


@dataclass(frozen=True)
class Run:
    """A median wall time, its CPU time, and the largest resident memory of the runs."""

    seconds: float
    rss_mib: float
    cpu: float = math.nan  # user + system, the process and its children


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FACTURO_")}


# A process's peak memory (ru_maxrss) counts the memory of the process it was started
# from until it runs its program: a command started by this (large) script would be
# charged for it. Each command is started from a small launcher, whose own child it is,
# and the launcher reports the command's exit status, time, peak memory and CPU time.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
report, command = int(sys.argv[1]), sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
found = (os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss, cpu)
os.write(report, " ".join(map(str, found)).encode())
"""


def run_once(command: list[str], cwd: Path, before: Callable[[], None] | None = None) -> Run:
    """Wall time, peak memory and CPU time of `command` (and the children it waited for)."""
    if before is not None:
        before()
    read, write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(write), *command],
        cwd=cwd, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        pass_fds=(write,),
    )  # fmt: skip
    os.close(write)
    assert process.stderr is not None
    error = process.stderr.read()
    process.wait()
    with os.fdopen(read, "rb") as pipe:
        fields = pipe.read().split()
    code, elapsed, maxrss, cpu = int(fields[0]), float(fields[1]), int(fields[2]), float(fields[3])
    if code != 0:
        last = error.decode("utf-8", "replace").strip().splitlines()[-1:]
        print(f"    ! {' '.join(command[-3:])} exited {code}: {''.join(last)}")
        return Run(math.nan, math.nan)
    return Run(elapsed, maxrss / 1024, cpu)


def measure(
    command: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None
) -> Run:
    """The median of `runs` after one warm-up run (bytecode, file cache)."""
    run_once(command, cwd)
    results = [run_once(command, cwd, before) for _ in range(runs)]
    return Run(
        statistics.median(r.seconds for r in results),
        max(r.rss_mib for r in results),
        statistics.median(r.cpu for r in results),
    )


def fmt(seconds: float) -> str:
    if math.isnan(seconds):
        return "failed"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def row(label: str, value: str, peer: str = "", ratio: str = "", target: str = "") -> None:
    print(f"  {label:<40} {value:>10} {peer:>10} {ratio:>7}   {target}".rstrip())


def header(title: str, peer: str = "floor/peer") -> None:
    print(f"\n{title}")
    row("", "facturo", peer, "ratio", "target")


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def user_install() -> list[str]:
    """`facturo` as a user installs it: the wheel, not editable, bytecode compiled.

    The dependencies are those of this environment, reached through a .pth line, so no
    download is needed; the environment is kept per state of the code.
    """
    everything = ("",)  # every source of the package
    venv = Path(tempfile.gettempdir()) / f"facturo-bench-venv-{cache_key(everything)}"
    script = venv / "bin" / "facturo"
    if script.exists():
        return [str(script)]
    for stale in venv.parent.glob("facturo-bench-venv-*"):
        shutil.rmtree(stale, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix="facturo-bench-building-"))
    try:
        wheels = building / "wheels"
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(REPO)],
            check=True,
            capture_output=True,
        )
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        site = Path(
            subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        (site / "bench-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        wheel = next(wheels.glob("facturo-*.whl"))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--no-compile",
                "--target",
                str(site),
                str(wheel),
            ],
            check=True,
        )
        subprocess.run([str(python), "-m", "compileall", "-q", str(site / "facturo")], check=True)
        script.write_text(
            f"#!{python}\nimport sys\nfrom facturo.cli import main\nsys.exit(main())\n"
        )
        script.chmod(0o755)
        shutil.rmtree(site / "bin", ignore_errors=True)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return [str(script)]


def drop_cache(root: Path, name: str | None = None) -> Callable[[], None]:
    """Before a run: remove the folder's caches (or the one named)."""
    if name is not None:
        return functools.partial(Path.unlink, root / ".facturo" / "cache" / name, True)
    return lambda: shutil.rmtree(root / ".facturo" / "cache", ignore_errors=True)


def working_copy(root: Path, work: Path) -> Path:
    """A copy of a generated folder for commands that change it."""
    copy = work / f"copy-{root.name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    return copy


def some_number(root: Path) -> str:
    """An invoice still open (the latest one without payments): `pay` accepts it."""
    for path in sorted((root / "invoices").glob("*/*.yaml"), reverse=True):
        if "payments:" not in path.read_text("utf-8"):
            return path.stem
    raise SystemExit(f"no open invoice in {root}")


def bench_startup(facturo_cli: list[str], work: Path) -> None:
    header("Start-up, whole process, median of 10")
    hello = work / "hello.py"
    source, commands = bare_typer_app()
    hello.write_text(source, "utf-8")
    python = str(Path(facturo_cli[0]).with_name("python"))
    bare = measure([python, "-c", "pass"], work, 10)
    typer_help = measure([python, str(hello), "--help"], work, 10)
    help_run = measure([*facturo_cli, "--help"], work, 10)
    row("python -c pass", fmt(bare.seconds))
    # The same typer as facturo's (the environment it is installed in): the peer is the
    # framework's own cost, whatever version pyproject.toml allows.
    typer_version = metadata.version("typer")
    row(f"bare typer {typer_version} app of {commands} commands --help", fmt(typer_help.seconds))
    ratio = help_run.seconds / typer_help.seconds
    ok = help_run.seconds <= 0.150 and ratio <= 1.0
    row(
        "facturo --help",
        fmt(help_run.seconds),
        fmt(typer_help.seconds),
        f"{ratio:.2f}x",
        f"<= 150 ms, <= 1.0x typer   {verdict(ok)}",
    )
    row(
        "  CPU time of both",
        fmt(help_run.cpu),
        fmt(typer_help.cpu),
        f"{help_run.cpu / typer_help.cpu:.2f}x",
    )


def bench_sizes(facturo_cli: list[str], sizes: tuple[int, ...], work: Path) -> None:
    """Reading commands at each size, and the commands that must not depend on it."""
    results: dict[str, dict[int, Run]] = {}

    def record(name: str, size: int, run: Run) -> None:
        results.setdefault(name, {})[size] = run

    for size in sizes:
        root = cached_folder(size, min(CLIENTS, max(size // 10, 20)))
        number = some_number(root)
        runs = 3 if size >= 10_000 else 5
        record("list (warm)", size, measure([*facturo_cli, "list"], root, runs))
        record("list (cold)", size, measure([*facturo_cli, "list"], root, 3, drop_cache(root)))
        record("show NUMBER (warm)", size, measure([*facturo_cli, "show", number], root, runs))
        record(
            "statement CLIENT (warm)",
            size,
            measure([*facturo_cli, "statement", "client-003"], root, runs),
        )
        record("check (warm)", size, measure([*facturo_cli, "check"], root, runs))
        record("check (cold)", size, measure([*facturo_cli, "check"], root, 3, drop_cache(root)))
        record("remind (warm)", size, measure([*facturo_cli, "remind"], root, runs))
        record(
            "remind --dry-run (warm)",
            size,
            measure([*facturo_cli, "remind", "--dry-run"], root, runs),
        )
        record(
            "report vat (figures not cached)",
            size,
            measure([*facturo_cli, "report", "vat"], root, 3, drop_cache(root, "figures.json")),
        )
        record(
            "export xlsx",
            size,
            measure([*facturo_cli, "export", "xlsx", "--out", str(work / "all.xlsx")], root, 3),
        )
        copy = working_copy(root, work)
        measure([*facturo_cli, "list"], copy, 1)  # the copy's cache
        record(
            "pay NUMBER",
            size,
            measure([*facturo_cli, "pay", number, "1.00", "--date", "2026-11-25"], copy, 3),
        )
        record("issue one draft --no-pdf", size, issue_one(facturo_cli, copy))
        out = copy / "out"
        record(
            "render NUMBER",
            size,
            measure(
                [*facturo_cli, "render", number],
                copy,
                3,
                functools.partial(shutil.rmtree, out, ignore_errors=True),
            ),
        )
        if size == max(sizes):
            record("issue 100 drafts --no-pdf", size, issue_many(facturo_cli, copy, 100))
        shutil.rmtree(copy, ignore_errors=True)

    print("\nCommands by folder size (median wall time; peak memory)")
    print(f"  {'':<40} " + " ".join(f"{size:>10,}" for size in sizes))
    for name, by_size in results.items():
        cells = " ".join(f"{fmt(by_size[s].seconds) if s in by_size else '':>10}" for s in sizes)
        print(f"  {name:<40} {cells}")
    print("\nCPU time of the same commands (user + system, children included)")
    print(f"  {'':<40} " + " ".join(f"{size:>10,}" for size in sizes))
    for name, by_size in results.items():
        cells = " ".join(f"{fmt(by_size[s].cpu) if s in by_size else '':>10}" for s in sizes)
        print(f"  {name:<40} {cells}")
    for name in ("list (warm)", "check (cold)"):
        cells = " ".join(
            f"{f'{r.rss_mib:.0f} MiB' if (r := results[name].get(s)) else '':>10}" for s in sizes
        )
        print(f"  {'  memory of ' + name:<40} {cells}")

    top = max(sizes)
    header(f"Targets at {top:,} invoices", f"at {min(sizes)}")
    targets = (
        ("list (warm)", 0.3),
        ("show NUMBER (warm)", 0.3),
        ("statement CLIENT (warm)", 0.3),
        ("check (cold)", 3.0),
        ("check (warm)", 0.5),
        ("remind (warm)", 1.0),
    )
    for name, limit in targets:
        at_top, at_small = results[name][top], results[name][min(sizes)]
        ratio = at_top.seconds / at_small.seconds
        row(
            name,
            fmt(at_top.seconds),
            fmt(at_small.seconds),
            f"{ratio:.2f}x",
            f"<= {fmt(limit)}   {verdict(at_top.seconds <= limit)}",
        )
        row("  CPU time", fmt(at_top.cpu), fmt(at_small.cpu), f"{at_top.cpu / at_small.cpu:.2f}x")
    linear = [s for s in sizes if s >= 1_000]
    if len(linear) >= 2:
        low, high = linear[0], linear[-1]
        runs_low, runs_high = results["remind (warm)"][low], results["remind (warm)"][high]
        dry_low, dry_high = (results["remind --dry-run (warm)"][s] for s in (low, high))
        for name, a, b in (
            ("remind", runs_low, runs_high),
            ("remind --dry-run", dry_low, dry_high),
        ):
            per = (b.cpu / high) / (a.cpu / low)
            row(
                f"{name}: CPU per invoice, {high:,} vs {low:,}",
                f"{per:.2f}x",
                "",
                "",
                f"linear: <= 1x   {verdict(per <= 1.0)}",
            )
    for name in ("show NUMBER (warm)", "pay NUMBER", "render NUMBER", "issue one draft --no-pdf"):
        if name not in results:
            continue
        at_top, at_small = results[name][top], results[name][min(sizes)]
        ratio = at_top.seconds / at_small.seconds
        cpu_ratio = at_top.cpu / at_small.cpu
        # On a shared machine the wall time of one size can be inflated by others' work:
        # independent of the size means in CPU time too.
        row(
            name,
            fmt(at_top.seconds),
            fmt(at_small.seconds),
            f"{ratio:.2f}x",
            f"<= 1.2x its time at {min(sizes)}   {verdict(ratio <= 1.2 and cpu_ratio <= 1.2)}",
        )
        row("  CPU time", fmt(at_top.cpu), fmt(at_small.cpu), f"{cpu_ratio:.2f}x")
    for name, limit in (("list (warm)", 120), ("check (cold)", 200)):
        at_top, at_small = results[name][top], results[name][min(sizes)]
        row(
            f"memory of {name}",
            f"{at_top.rss_mib:.0f} MiB",
            f"{at_small.rss_mib:.0f} MiB",
            f"{at_top.rss_mib / at_small.rss_mib:.2f}x",
            f"<= {limit} MiB at 50,000   {verdict(at_top.rss_mib <= limit)}",
        )
    many = results["issue 100 drafts --no-pdf"][top]
    row(
        "issue 100 drafts --no-pdf",
        fmt(many.seconds),
        "",
        "",
        f"<= 2 s   {verdict(many.seconds <= 2)}",
    )


def write_drafts(root: Path, count: int, tag: str) -> list[str]:
    import random

    rng = random.Random(count)
    names = []
    for index in range(count):
        name = f"drafts/bench-{tag}-{index:03d}.yaml"
        (root / name).write_text(draft_text("client-004", True, 900_000 + index, rng), "utf-8")
        names.append(name)
    return names


def issue_one(facturo_cli: list[str], root: Path) -> Run:
    times = []
    for attempt in range(3):
        (draft,) = write_drafts(root, 1, f"one{attempt}")
        times.append(run_once([*facturo_cli, "issue", draft, "--no-pdf"], root))
    return Run(
        statistics.median(t.seconds for t in times),
        max(t.rss_mib for t in times),
        statistics.median(t.cpu for t in times),
    )


def issue_many(facturo_cli: list[str], root: Path, count: int) -> Run:
    drafts = write_drafts(root, count, "many")
    return run_once([*facturo_cli, "issue", *drafts, "--no-pdf"], root)


def bench_einvoice_validation() -> None:
    """The official judges (CEN, Factur-X, BR-FR) over the examples' e-invoices, if present."""
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from saxonche import PySaxonProcessor

        from judges import JUDGES, compile_judge, validation_dir

        validation_dir()
    except (ImportError, FileNotFoundError) as error:
        print(f"\nE-invoice validation: skipped ({error})")
        return
    from facturo.files.yamlio import load_mapping
    from facturo.output.facturx import build_xml

    header("E-invoice validation (the three official judges, in one process)", "")
    saxon = PySaxonProcessor(license=False)
    start = time.perf_counter()
    judges = {name: compile_judge(saxon, name) for name in JUDGES}
    row("compile CEN, Factur-X and BR-FR stylesheets", fmt(time.perf_counter() - start))
    paths = [
        p
        for p in sorted((REPO / "examples").glob("*/*/[0-9][0-9][0-9][0-9]/*.yaml"))
        if p.parts[-3] in ("invoices", "credit-notes")
    ]
    documents = [load_mapping(path, path.name)[0] for path in paths]
    xmls = [build_xml(document) for document in documents if document is not None]
    for name, judge in judges.items():
        start = time.perf_counter()
        for xml in xmls:
            judge(xml)
        per = (time.perf_counter() - start) / len(xmls)
        row(f"{name} judge, {len(xmls)} example e-invoices", f"{fmt(per)}/doc")


def profile(facturo_cli: list[str], root: Path, work: Path) -> None:
    """Where the time of `--help` (imports) and of a warm `list` (functions) goes."""
    python = str(Path(facturo_cli[0]).with_name("python"))
    print("\nProfile: slowest imports of `facturo --help` (cumulative, -X importtime)")
    result = subprocess.run(
        [python, "-X", "importtime", "-c", "from facturo.cli import main; main()", "--help"],
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
    script = (
        "import cProfile, sys\nfrom facturo.cli import main\n"
        "out, sys.argv = sys.argv[1], ['facturo', 'list']\n"
        "cProfile.run('main()', out)\n"
    )
    subprocess.run(
        [python, "-c", script, str(work / "list.prof")],
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
    parser.add_argument("--large", action="store_true", help=f"also time {LARGE:,} invoices")
    parser.add_argument("--profile", action="store_true", help="also print where time goes")
    parser.add_argument(
        "--sizes", help="comma-separated folder sizes instead of " + ",".join(map(str, SIZES))
    )
    parser.add_argument(
        "--rendering-only", action="store_true", help="time only `render` (one, then --all)"
    )
    parser.add_argument(
        "--render-sizes",
        help="folder sizes `render --all` runs on, instead of " + ",".join(map(str, RENDER_SIZES)),
    )
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        f"facturo {facturo.__version__} benchmark: Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {load_average()}; history from {FIRST_DAY}, one commit per issue"
    )
    facturo_cli = user_install()
    print(f"installed as a user would: {facturo_cli[0]}")
    sizes = tuple(int(size) for size in args.sizes.split(",")) if args.sizes else SIZES
    if args.large:
        sizes = (*sizes, LARGE)
    with tempfile.TemporaryDirectory(prefix="facturo-bench-run-") as temporary:
        work = Path(temporary)
        if not args.rendering_only:
            bench_startup(facturo_cli, work)
            bench_sizes(facturo_cli, sizes, work)
        render_sizes = (
            tuple(int(size) for size in args.render_sizes.split(","))
            if args.render_sizes
            else RENDER_SIZES
        )
        bench_rendering(facturo_cli, render_sizes, work, clean_env(), row, header, fmt, some_number)
        if not args.rendering_only:
            bench_einvoice_validation()
        if args.profile:
            profile(facturo_cli, cached_folder(max(sizes), CLIENTS), work)
    print(f"\ntotal bench time: {fmt(time.perf_counter() - started)}, {load_average()}")


if __name__ == "__main__":
    main()
