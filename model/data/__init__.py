"""The data the package ships, loaded through ``importlib.resources``.

Everything under ``model/data/`` is package data: it is installed with the
wheel, and code must reach it through this module, never through a path built
from ``__file__`` or a folder outside the package (an installed package cannot
rely on the repository, or on ``../shared``, being next to it). The files and
their licences:

- ``constituencies/`` — the 650 Westminster seats of 2010–2019: the hex map
  (``constituencies_2010.hexjson``, MIT, © Open Innovations), each seat's
  2010/2015/2017/2019 result (``ge_results_2010_2019.csv``, Open Parliament
  Licence v3.0), the hex map's ``LICENSE-hexmaps.txt`` and a ``README.md``
  with sources and attribution. Parsed by :mod:`model.data.seats`.

A new data file goes in this folder (or a subfolder), gets a glob in
``[tool.setuptools.package-data]`` of ``pyproject.toml`` (``*.json`` at the
top level is already covered), and is read with the functions below::

    from model.data import read_json
    history = read_json("labour_history.json")

Path parts are given separately (``read_text("constituencies", "README.md")``)
or joined with ``/`` (``read_text("constituencies/README.md")``); both work,
because a :class:`~importlib.resources.abc.Traversable` is not always a real
folder (it may sit inside a zip file), so parts are joined by the resource API
and never by ``os.path``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

__all__ = ["data_file", "data_path", "exists", "read_bytes", "read_json", "read_text"]


def _split(parts: tuple[str, ...]) -> list[str]:
    """Split each part on "/" and reject anything that could leave the package."""
    if not parts:
        raise ValueError("give the data file's name, e.g. data_path('constituencies', 'README.md')")
    pieces: list[str] = []
    for part in parts:
        for piece in str(part).replace("\\", "/").split("/"):
            if piece in ("", "."):
                continue
            if piece == "..":
                raise ValueError(f"data paths stay inside model/data: {'/'.join(parts)!r}")
            pieces.append(piece)
    if not pieces:
        raise ValueError(f"empty data path: {parts!r}")
    return pieces


def data_path(*parts: str) -> Traversable:
    """The packaged resource at ``model/data/<parts…>``.

    Args:
        *parts: path parts below ``model/data`` (``"constituencies", "README.md"``
            or ``"constituencies/README.md"``).

    Returns:
        A Traversable: open it with ``.open()``, ``.read_text()``, ``.read_bytes()``;
        for an API that needs a real file system path use :func:`data_file`.

    Raises:
        ValueError: no parts, or a part that climbs out of the package (``..``).
    """
    node = resources.files(__name__)
    for piece in _split(parts):
        node = node.joinpath(piece)
    return node


def exists(*parts: str) -> bool:
    """Whether ``model/data/<parts…>`` is a packaged file.

    Args:
        *parts: path parts below ``model/data``.

    Returns:
        True when the resource exists and is a file.
    """
    return data_path(*parts).is_file()


def _existing(parts: tuple[str, ...]) -> Traversable:
    node = data_path(*parts)
    if not node.is_file():
        raise FileNotFoundError(
            f"package data file model/data/{'/'.join(_split(parts))} not found; is it listed "
            "under [tool.setuptools.package-data] in pyproject.toml and was the package reinstalled?"
        )
    return node


def read_bytes(*parts: str) -> bytes:
    """The bytes of a packaged file (for checksums and byte-for-byte copies).

    Args:
        *parts: path parts below ``model/data``.

    Raises:
        FileNotFoundError: the file is not in the installed package.
    """
    return _existing(parts).read_bytes()


def read_text(*parts: str, encoding: str = "utf-8") -> str:
    """The text of a packaged file.

    Args:
        *parts: path parts below ``model/data``.
        encoding: the file's encoding (all shipped files are UTF-8).

    Raises:
        FileNotFoundError: the file is not in the installed package.
    """
    return _existing(parts).read_text(encoding=encoding)


def read_json(*parts: str) -> Any:
    """A packaged JSON file (``.json``, ``.hexjson``), parsed.

    Args:
        *parts: path parts below ``model/data``.

    Raises:
        FileNotFoundError: the file is not in the installed package.
        json.JSONDecodeError: the file is not valid JSON.
    """
    return json.loads(read_text(*parts))


@contextmanager
def data_file(*parts: str) -> Iterator[Path]:
    """A real file system path to a packaged file, for APIs that need one.

    Inside a zipped install the file is extracted to a temporary file for the
    duration of the ``with`` block; otherwise this is the installed file itself.
    Do not write to it.

    Args:
        *parts: path parts below ``model/data``.

    Yields:
        The path, valid until the ``with`` block ends.

    Raises:
        FileNotFoundError: the file is not in the installed package.
    """
    with resources.as_file(_existing(parts)) as path:
        yield Path(path)
