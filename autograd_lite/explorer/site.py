"""``autograd-lite site OUT``: the live explorer as a static site, the real engine running in the browser.

The folder holds ``index.html`` (the live explorer's page, with ``site.js``
in place of a server), ``worker.js`` (a Web Worker that loads Pyodide, a
CPython built for WebAssembly, and Graphviz built for WebAssembly, puts this
package's own wheel on ``sys.path`` and answers the page's requests with
:func:`~autograd_lite.explorer.live.answer`), and ``wheels/``: this package
and its one dependency (the ``graphviz`` package, for the DOT text), each
packed from the installed files. Python lays out nothing in the browser: it
writes DOT, and Graphviz-wasm turns it into SVG (:func:`use_renderer`).

The runtimes load from their official CDN at the pinned versions
(:data:`PYODIDE_VERSION`, :data:`VIZ_VERSION`), or, with ``runtime=DIR`` (a
``node_modules`` folder as ``npm install pyodide@314.0.8 @viz-js/viz@3.31.0``
leaves it), from copies in the folder, which then works offline.

Example:
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> report = build_site(out)
    >>> sorted(p.name for p in Path(out).iterdir())
    ['favicon.ico', 'index.html', 'wheels', 'worker.js']
    >>> report.runtime
    'CDN'
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import http.server
import importlib
import importlib.metadata
import json
import re
import shutil
import sys
import threading
import webbrowser
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .page import render_page, script_json

__all__ = ["PYODIDE_VERSION", "VIZ_VERSION", "SiteError", "SiteReport", "build_site", "main", "make_site_server",
           "pack_wheel", "use_layout", "worker_answer"]

#: the runtimes the site is built and tested with (npm packages ``pyodide`` and ``@viz-js/viz``)
PYODIDE_VERSION = "314.0.8"
VIZ_VERSION = "3.31.0"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
VIZ_CDN = f"https://cdn.jsdelivr.net/npm/@viz-js/viz@{VIZ_VERSION}/dist/viz.js"
#: the files of each npm package the page needs (Pyodide's core: no package of its own is loaded)
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
VIZ_FILES = ("dist/viz.js",)
#: the packages the site puts on Pyodide's sys.path: this one and what it imports
PACKAGES = ("autograd_lite", "graphviz")


@dataclass
class SiteReport:
    """What :func:`build_site` wrote: the folder, its size in bytes, and where the runtimes come from."""

    folder: Path
    size: int
    runtime: str  # "CDN" or "local"

    def text(self, serving: bool = False) -> str:
        """What was written, and (unless ``serving``: it is being previewed already) how to preview it."""
        where = (f"the runtimes from their CDN (Pyodide {PYODIDE_VERSION}, @viz-js/viz {VIZ_VERSION}): "
                 "the page needs the network" if self.runtime == "CDN" else
                 f"the runtimes copied in (Pyodide {PYODIDE_VERSION}, @viz-js/viz {VIZ_VERSION}): it works offline")
        wrote = f"wrote the site to {self.folder} ({self.size / 1e6:.1f} MB), with {where}."
        if serving:
            return wrote
        return f"{wrote}\nPut the folder on any static web server, or preview it: autograd-lite site {self.folder} --serve"


class SiteError(Exception):
    """A site that cannot be built, with the reason for people."""


def pack_wheel(package: str, folder: str | Path) -> Path:
    """Pack the installed pure-Python ``package`` (its files as imported) into a wheel in ``folder``.

    No build tool and no network: the site is built from what is installed.

    Example:
        >>> import tempfile, zipfile
        >>> wheel = pack_wheel("autograd_lite", tempfile.mkdtemp())
        >>> "autograd_lite/core/ops.py" in zipfile.ZipFile(wheel).namelist()
        True
    """
    module = importlib.import_module(package)
    root = Path(module.__file__ or "").parent
    distribution = importlib.metadata.distribution(package)
    name, version = distribution.metadata["Name"].replace("-", "_"), distribution.version
    wheel = Path(folder) / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    records = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(arcname: str, data: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{arcname},sha256={digest},{len(data)}")

        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                add(f"{package}/{path.relative_to(root).as_posix()}", path.read_bytes())
        add(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode())
        add(f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: autograd-lite site\nRoot-Is-Purelib: true\n"
                             b"Tag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", "\n".join([*records, f"{info}/RECORD,,"]) + "\n")
    return wheel


@functools.cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _npm_package(runtime: Path, name: str, version: str) -> Path:
    folder = runtime / name
    try:
        found = json.loads((folder / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        raise SiteError(f"--runtime {runtime}: no {name} there; run: npm install --prefix DIR "
                        f"pyodide@{PYODIDE_VERSION} @viz-js/viz@{VIZ_VERSION} and give DIR/node_modules") from None
    if found != version:
        raise SiteError(f"--runtime {runtime}: {name} is version {found}; the site is built for {version} "
                        f"(npm install {name}@{version})")
    return folder


def build_site(out: str | Path, runtime: str | Path | None = None) -> SiteReport:
    """Write the browser-only explorer into the folder ``out``; ``runtime``: a ``node_modules`` to copy from.

    Raises :class:`SiteError` when ``out`` is a file or a folder that is not
    empty and holds no site, or when ``runtime`` lacks the pinned packages.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise SiteError(f"{folder} is a file; give a folder for the site")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "index.html").is_file():
        raise SiteError(f"{folder} is not empty and holds no site: give a new or empty folder")
    sources = None
    if runtime is not None:
        runtime = Path(runtime)
        sources = (_npm_package(runtime, "pyodide", PYODIDE_VERSION), _npm_package(runtime, "@viz-js/viz", VIZ_VERSION))
    for old in ("wheels", "runtime"):
        shutil.rmtree(folder / old, ignore_errors=True)
    (folder / "wheels").mkdir(parents=True, exist_ok=True)
    wheels = [f"wheels/{pack_wheel(package, folder / 'wheels').name}" for package in PACKAGES]
    if sources is not None:
        for source, files, target in ((sources[0], PYODIDE_FILES, "runtime/pyodide"), (sources[1], VIZ_FILES, "runtime/viz")):
            for name in files:
                (folder / target).mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copyfile(source / name, folder / target / Path(name).name)
                except OSError as error:
                    raise SiteError(f"--runtime: cannot copy {source / name}: {error.strerror or error}") from None
        pyodide, viz = "runtime/pyodide/", "runtime/viz/viz.js"
    else:
        pyodide, viz = PYODIDE_CDN, VIZ_CDN
    config = {"pyodide": pyodide, "viz": viz, "wheels": wheels, "worker": "worker.js",
              "versions": {"pyodide": PYODIDE_VERSION, "viz": VIZ_VERSION},
              "runtime": "CDN" if sources is None else "local"}
    site_script = f"var SITE = {script_json(config)};\n{_asset('site.js')}"
    page = render_page("autograd-lite explorer", "", None, live=True, site_script=site_script)
    (folder / "index.html").write_text(page, encoding="utf-8")
    (folder / "worker.js").write_text(_asset("worker.js"), encoding="utf-8")
    (folder / "favicon.ico").write_bytes(b"")  # browsers ask for one; an empty answer beats a 404 in the console
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return SiteReport(folder, size, "CDN" if sources is None else "local")


#: the types a page's module scripts and WebAssembly need, whatever the system's mime.types says
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
          ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path: Any) -> str:
        return _TYPES.get(Path(str(path)).suffix) or super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_site_server(folder: str | Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A static server for ``folder`` on 127.0.0.1 (``port=0``: any free port), as any static host serves it."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``autograd-lite site OUT [--runtime DIR] [--serve]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite site",
        description="Build the live explorer as a static site: the page runs this package in the browser "
                    "(Pyodide) and draws with Graphviz for WebAssembly; no Python server is needed.")
    parser.add_argument("out", help="the folder to write (new, empty, or a site built before)")
    parser.add_argument("--runtime", metavar="DIR",
                        help=f"a node_modules folder holding pyodide@{PYODIDE_VERSION} and @viz-js/viz@{VIZ_VERSION}: "
                             "copy them in so the site works offline (default: load them from their CDN)")
    parser.add_argument("--serve", action="store_true", help="then preview it on 127.0.0.1 (Ctrl-C stops)")
    parser.add_argument("--port", type=int, default=8000, help="the port for --serve (default 8000, 0: any free)")
    parser.add_argument("--no-browser", action="store_true", help="with --serve: print the URL, open no browser")
    try:
        ns = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    try:
        report = build_site(ns.out, ns.runtime)
    except (SiteError, OSError) as error:
        print(f"autograd-lite site: error: {error}", file=sys.stderr)
        return 2
    print(report.text(serving=ns.serve), flush=True)
    if not ns.serve:
        return 0
    try:
        server = make_site_server(ns.out, ns.port)
    except OSError as error:
        print(f"autograd-lite site: error: cannot serve on 127.0.0.1:{ns.port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{server.server_address[1]}/"

    def announce() -> None:
        print(f"serving {ns.out} at\n  {url}\nPress Ctrl-C to stop.", flush=True)
        if not ns.no_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    from .server import serve_until_stopped

    serve_until_stopped(server, announce)  # Ctrl-C or kill, as serve
    return 0


# --- inside the browser: what worker.js calls ---------------------------------------------
#: the font the site's pictures are laid out for. Graphviz for WebAssembly has no fonts: it
#: estimates text widths from tables, and its table for Helvetica is Arial's, narrower than the
#: DejaVu Sans a browser without Helvetica or Arial draws (text then overflows its boxes). Its
#: table for DejaVu Sans is as wide as that font, and a browser without it draws a narrower
#: sans-serif, so the text stays inside its boxes either way.
SITE_FONT = "DejaVu Sans"
_FONTNAME = re.compile(r'fontname=(?:"Helvetica"|Helvetica)(?=[\s,\];])')


def site_dot(dot: str) -> str:
    """``dot`` with its pictures' font named as the site lays it out (see :data:`SITE_FONT`).

    Example:
        >>> site_dot('digraph { node [fontname=Helvetica fontsize=11] }')
        'digraph { node [fontname="DejaVu Sans" fontsize=11] }'
    """
    return _FONTNAME.sub(f'fontname="{SITE_FONT}"', dot)


def use_layout(render: Any) -> None:
    """Lay graphs out with ``render`` (the worker's Graphviz for WebAssembly: DOT in, SVG out)."""
    from .pictures import use_renderer

    use_renderer(lambda dot: str(render(site_dot(dot))))


def worker_answer(body: str) -> str:
    """The page's request (JSON text) answered as JSON text, never raising: a bug becomes a message.

    Example:
        >>> json.loads(worker_answer('{"expression": "x*y", "values": "x=2 y=3"}'))["grads"]
        {'x': 3.0, 'y': 2.0}
        >>> json.loads(worker_answer("[1"))["error"]
        'the request is not a JSON object'
    """
    from .live import answer
    from .training import answer as train_answer

    try:
        request = json.loads(body)
    except ValueError:
        request = None
    try:
        # the training view's requests carry "train"; the worker steps the run, off the page's thread
        result = train_answer(request) if isinstance(request, dict) and "train" in request else answer(request)
    except Exception:  # noqa: BLE001 - the page gets a message; the browser's console the details
        import traceback

        traceback.print_exc()
        result = {"ok": False, "error": "the explorer failed on this input (a bug: the details are on the "
                                        "browser's console)"}
    return json.dumps(result, ensure_ascii=False, allow_nan=False)
