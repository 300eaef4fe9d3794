"""A process that renders a batch on a pool of workers, says so once the first PDF is done,
then waits to be killed with its pool still open: `python render_until_killed.py OUT MARK`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import render_documents as documents
from facturo.output.pdf.pool import RenderJob, render_batch


def main(out: Path, mark: Path) -> None:
    jobs = [
        RenderJob(documents.standard_invoice(number=f"F-2026-{seq:04d}"), out / f"{seq}.pdf")
        for seq in range(1, 41)
    ]
    for _ in render_batch(jobs, workers=2):
        mark.touch()
        while True:  # the pool stays open, its workers busy or waiting: the test kills us
            time.sleep(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
