"""The historical data set shipped with the package, and citation paths into it.

The data live in ``model/data/labour/`` (package data, byte-identical copies of
the project's shared data set; see its README). They are opened through
:mod:`model.data` (``importlib.resources``), never through a path outside the
package, so an installed copy validates exactly as a checkout does.

**Citation paths.** Scenario files cite the data as ``[data: PATH]``; the same
syntax addresses the validation targets' published figures. PATH is
dot-separated keys; ``KEY[FIELD=VALUE]`` picks the element of the list ``KEY``
whose ``FIELD`` (or whose ``value.FIELD``) equals ``VALUE``; ``KEY[N]`` picks
the N-th element (from 0). :func:`resolve` walks a path; :func:`citations`
finds the paths in a text. A path that starts with ``politics:`` is read from
``labour_politics.json`` (the behavioural data set) instead of the data given.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

DATA_FOLDER = "labour"
HISTORY_FILE = "labour_history.json"
POLITICS_FILE = "labour_politics.json"

POLITICS_PREFIX = "politics:"
"""A target path with this prefix is read from labour_politics.json."""

CITATION_RE = re.compile(r"\[data:\s*((?:[^\[\]]|\[[^\[\]]*\])+?)\s*\]")
_SEGMENT_RE = re.compile(r"([^.\[\]]+)((?:\[[^\[\]]*\])*)")


def data_text(name: str) -> str:
    """The text of one file of the shipped data set (``model/data/labour/NAME``).

    Args:
        name: the file name, e.g. "labour_history.json".

    Raises:
        FileNotFoundError: the file is not in the installed package (the message names it).
    """
    from model.data import read_text

    return read_text(DATA_FOLDER, name)


@functools.cache
def _text(name: str) -> str:
    return data_text(name)


def load_history() -> dict[str, Any]:
    """The historical data set (``labour_history.json``), parsed afresh.

    Each call returns a new object, so a caller may change it (tests do).

    Returns:
        The parsed JSON.
    """
    return json.loads(_text(HISTORY_FILE))


def load_politics() -> dict[str, Any]:
    """The behavioural data set (``labour_politics.json``), parsed afresh."""
    return json.loads(_text(POLITICS_FILE))


def data_label(name: str = HISTORY_FILE) -> str:
    """How reports name a data file: its place in the package."""
    return f"model/data/{DATA_FOLDER}/{name}"


# --- citation paths -----------------------------------------------------------------


def split_path(path: str) -> list[tuple[str, list[str]]]:
    """A citation path as (key, [selectors]) segments.

    Raises:
        ValueError: the path is malformed (the message shows where).
    """
    segments = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        match = _SEGMENT_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"malformed data path {path!r} at {text[pos:]!r}")
        key = match.group(1).strip()
        selectors = re.findall(r"\[([^\[\]]*)\]", match.group(2))
        segments.append((key, selectors))
        pos = match.end()
        if pos < len(text):
            if text[pos] != ".":
                raise ValueError(f"malformed data path {path!r}: expected '.' at {text[pos:]!r}")
            pos += 1
    if not segments:
        raise ValueError("empty data path")
    return segments


def select(items: Any, selector: str, path: str) -> Any:
    """The element of a list picked by ``N`` or ``FIELD=VALUE`` (see the module docstring).

    Raises:
        KeyError: nothing matches (the message names the path and selector).
    """
    if not isinstance(items, list):
        raise KeyError(f"{path}: [{selector}] needs a list, found {type(items).__name__}")
    if selector.strip().isdigit():
        index = int(selector)
        if index >= len(items):
            raise KeyError(f"{path}: index {index} out of range (0..{len(items) - 1})")
        return items[index]
    if "=" not in selector:
        raise KeyError(f"{path}: selector [{selector}] is neither N nor FIELD=VALUE")
    name, wanted = (part.strip() for part in selector.split("=", 1))
    for item in items:
        if not isinstance(item, Mapping):
            continue
        inner = item.get("value") if isinstance(item.get("value"), Mapping) else {}
        for where in (item, inner):
            if name in where and str(where[name]) == wanted:
                return item
    raise KeyError(f"{path}: no element with {name} = {wanted}")


@functools.cache
def _politics() -> dict[str, Any]:
    return json.loads(_text(POLITICS_FILE))


def _root(data: Any, path: str) -> tuple[Any, str]:
    """The data set a path addresses (``politics:`` -> labour_politics.json) and the bare path."""
    if path.startswith(POLITICS_PREFIX):
        return _politics(), path[len(POLITICS_PREFIX) :].strip()
    return data, path


def resolve(data: Any, path: str) -> Any:
    """The value at a citation path in the data set.

    Args:
        data: the parsed JSON.
        path: e.g. "membership.year_end_series[date=2015-12-31].members".

    Returns:
        Whatever is there (a number, a string, a record with "value"/"source").

    Raises:
        KeyError: a key or element does not exist (the message says which).
        ValueError: the path is malformed.
    """
    data, path = _root(data, path)
    node = data
    walked = ""
    for key, selectors in split_path(path):
        walked = f"{walked}.{key}" if walked else key
        if not isinstance(node, Mapping) or key not in node:
            raise KeyError(f"{walked}: no such key")
        node = node[key]
        for selector in selectors:
            node = select(node, selector, f"{walked}[{selector}]")
            walked = f"{walked}[{selector}]"
    return node


def citations(text: str) -> list[str]:
    """Every ``[data: PATH]`` path in a text, in order."""
    return [match.group(1).strip() for match in CITATION_RE.finditer(text)]


def published_value(data: Any, path: str) -> Any:
    """A figure at a path, unwrapped from its {"value", "source"} record."""
    node = resolve(data, path)
    if isinstance(node, Mapping) and "value" in node:
        node = node["value"]
    return node


def source_url(data: Any, path: str) -> str | None:
    """The URL a figure was read from: the ``source`` of the nearest record on its path.

    Walks the path and remembers the last ``source`` seen, so a figure inside a
    record (``...result.members``) gets its record's URL.

    Returns:
        The URL, or None if no record on the path names one.
    """
    data, path = _root(data, path)
    node = data
    found: str | None = None
    for key, selectors in split_path(path):
        if not isinstance(node, Mapping) or key not in node:
            return found
        node = node[key]
        for selector in selectors:
            try:
                node = select(node, selector, path)
            except KeyError:
                return found
        if isinstance(node, Mapping) and isinstance(node.get("source"), str):
            found = node["source"]
    return found


def approximate_number(text: Any) -> float:
    """A number from an approximate figure such as "~18,000 (per Paul Mason)".

    Takes the first number in the text (commas removed); used where the data
    set records an approximate figure as text.

    Raises:
        ValueError: the text holds no number.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    match = re.search(r"\d[\d,]*(?:\.\d+)?", str(text))
    if match is None:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(",", ""))
