"""The page itself: one HTML file holding the graph's SVG, the model as JSON, the script and the style.

The static assets (``static/page.html``, ``explorer.css``, ``page.js``, and
for the live explorer ``live.js``) ship as package data and are inlined, so
the page needs no network and no server. The same page, with the form on, is
the live explorer's (with ``train.js``, the training view), and with ``site.js``
the browser-only site's.

Example:
    >>> page = render_page("f", None, {"nodes": [], "edges": [], "steps": []})
    >>> page.startswith("<!DOCTYPE html>"), "<script src" in page
    (True, False)
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["render_page", "script_json"]

_MARKER = re.compile(r"(<!--(?:TITLE|GRAPH|MODEL|MODE)-->|/\*(?:STYLE|SCRIPT)\*/)")


@cache
def _asset(name: str) -> str:
    # one name per joinpath: Python 3.10's takes no more
    return resources.files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can end it or start markup."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(title: str, svg: str | None, model: dict[str, Any] | None, *, live: bool = False,
                site_script: str | None = None) -> str:
    """The whole page: ``svg`` (Graphviz's, or None without Graphviz) restyled per step from ``model``.

    ``svg=""`` leaves the picture out (the live page asks the server for it).
    With ``live=True`` it is the live explorer's page: the form is shown and
    the model comes from the server (``model`` may be None). ``site_script``
    (the browser-only site's, see :mod:`autograd_lite.explorer.site`) makes it
    the live explorer whose engine runs in the page.
    """
    page = _asset("page.html")
    if svg == "":  # the live page: the picture comes with the first answer
        graph = ""
    elif svg is None:
        graph = ('<p class="nodot">Install Graphviz (the program <code>dot</code>) to see the graph '
                 "here; the steps and explanations below work without it.</p>")
    else:
        graph = svg[svg.index("<svg"):]  # drop the XML prolog and doctype
    parts = {
        "<!--TITLE-->": html.escape(title),
        "/*STYLE*/": _asset("explorer.css"),
        "<!--GRAPH-->": graph,
        "<!--MODEL-->": script_json(model),
        "/*SCRIPT*/": "\n".join([_asset("page.js"), *([site_script] if site_script is not None else []),
                                  *([_asset("live.js"), _asset("train.js")] if live or site_script is not None else [])]),
        "<!--MODE-->": "site" if site_script is not None else "live" if live else "static",
    }
    # Cut the template itself at its markers, so nothing inserted is ever scanned for one.
    pieces = _MARKER.split(page)
    return "".join(parts.get(piece, piece) if k % 2 else piece for k, piece in enumerate(pieces))
