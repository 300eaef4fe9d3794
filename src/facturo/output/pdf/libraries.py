"""WeasyPrint imported without its slow search for shared libraries, and re-exported.

WeasyPrint asks cffi for each library under several names ("libgobject-2.0-0",
"gobject-2.0", ..., "libgobject-2.0.so.0"); every name that is not a file makes cffi run
`ctypes.util.find_library`, which starts ldconfig, gcc and ld (about 10 ms each, ~0.2 s per
process). On Linux the list always ends with the library's soname, which the dynamic
loader finds on its own, so the search is skipped while WeasyPrint loads; if that ever
fails, the import is tried again with the search.

WeasyPrint also imports fontTools' subsetter (~0.15 s), which it uses only where HarfBuzz
cannot subset fonts (no libharfbuzz-subset). It is imported lazily: loaded when first used.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import sys
from typing import Any


def _lazy(name: str) -> None:
    """Module `name` imported lazily from now on: loaded when one of its names is first
    used, not when it is imported (importlib.util.LazyLoader)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # `from parent import child` takes it as it is, without asking anything of it
        setattr(sys.modules[parent], child, module)


def _import_weasyprint() -> Any:
    _lazy("fontTools.subset")
    if not sys.platform.startswith("linux"):
        import weasyprint.pdf.fonts

        return weasyprint
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint.pdf.fonts
    except OSError:
        ctypes.util.find_library = search
        import weasyprint.pdf.fonts
    finally:
        ctypes.util.find_library = search
    return weasyprint


weasyprint = _import_weasyprint()

import pydyf  # noqa: E402
from weasyprint import CSS, HTML, Attachment  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

__all__ = [
    "CSS",
    "HTML",
    "Attachment",
    "FatalURLFetchingError",
    "FontConfiguration",
    "URLFetcher",
    "URLFetcherResponse",
    "pydyf",
    "weasyprint",
]
