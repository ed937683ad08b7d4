"""Inputs named by ``fsspec`` URLs (``s3://bucket/dir``, ``file:///abs/dir``, ``memory://…``).

The driver lists a URL's documents with :func:`iter_url_inputs` (same rules
as a local folder: recursive, hidden and ``gold`` folders skipped, sorted by
the ``/``-separated path under the URL); a worker reads a document's bytes with
:func:`fetch`, which then go through the same decoding as a local file
(``ingest.ingest_bytes``). The ``doc_id`` is still the sha256 of the bytes.
``fsspec`` (a dependency of dask) is imported only when a URL is given; a
protocol's own package (``s3fs`` for ``s3://``) must be installed where the
URL is read.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from pipeline.errors import DocumentError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(arg: object) -> bool:
    """Whether a command-line input is a URL (``scheme://…``) rather than a local path."""
    return isinstance(arg, str) and bool(_URL.match(arg))


def _fs(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as err:  # pragma: no cover - fsspec comes with the dask extra
        raise ImportError("URL inputs need fsspec: pip install 'policy-extract[dask]'") from err
    fs, path = url_to_fs(url)
    return fs, path


def url_name(url: str) -> str:
    """The last component of a URL's path (``s3://b/dir/`` → ``dir``)."""
    return PurePosixPath(url.split("://", 1)[1].rstrip("/")).name


def iter_url_inputs(url: str, skipped: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """A URL's documents as ``(url, source)`` pairs, like ``ingest.iter_inputs`` for a local file or folder.

    Raises ``FileNotFoundError`` when nothing is at ``url``.
    """
    from pipeline.io.ingest import SUPPORTED_SUFFIXES, _skipped, unsupported_reason

    fs, root = _fs(url)
    if not fs.exists(root):
        raise FileNotFoundError(f"input not found: {url}")
    if not fs.isdir(root):
        return [(url, url_name(url))]
    root = root.rstrip("/")
    found: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for path in fs.find(root, withdirs=False):
        rel = PurePosixPath(str(path)).relative_to(PurePosixPath(root))
        if any(d.startswith(".") or d == "gold" for d in rel.parts[:-1]) or _skipped(rel.name):
            continue
        full = fs.unstrip_protocol(path)
        if rel.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append((rel.as_posix(), full))
        else:
            dropped.append((full, unsupported_reason(rel.name)))
    if skipped is not None:
        skipped.extend(sorted(dropped))
    return [(full, rel) for rel, full in sorted(found)]


def fetch(url: str, max_bytes: int) -> bytes:
    """The bytes at ``url``; E008 past ``max_bytes`` (checked from the size before reading), OSError if unreadable."""
    fs, path = _fs(url)
    try:
        size = fs.size(path)
    except FileNotFoundError:
        raise
    except Exception as err:  # a backend's own error classes (auth, network) mean the same: cannot read it
        raise OSError(f"{type(err).__name__}: {err}") from err
    if size is not None and size > max_bytes:
        raise DocumentError("E008", f"{size} bytes, limit {max_bytes}")
    try:
        with fs.open(path, "rb") as fh:
            data: bytes = fh.read()
    except OSError:
        raise
    except Exception as err:
        raise OSError(f"{type(err).__name__}: {err}") from err
    return data
