"""Big regexes compiled once per machine: the compiled program is cached on disk.

The unit and place tries make patterns of 30–150 K characters; ``re`` spends
seconds parsing and compiling them in every process. ``compile_cached`` keeps
the compiled program (the ``_sre`` code list and group tables) in a file
named by the SHA-256 of the Python version, the ``_sre`` magic, the flags and
the pattern text — the pattern is generated from the lexicon files, so any
change of a lexicon gives a new key and a rebuild. The cache lives in
``$POLICY_EXTRACT_CACHE``, else ``$XDG_CACHE_HOME/policy-extract``, else
``~/.cache/policy-extract`` (never inside the installed package). A missing,
unwritable or corrupt cache only costs the normal compile time.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
#: patterns shorter than this compile fast enough without the disk cache
MIN_CACHED_LEN = 300


def cache_dir() -> Path:
    """Folder of the compiled-pattern cache (see the module docstring)."""
    env = os.environ.get("POLICY_EXTRACT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policy-extract"


def _key(pattern: str, flags: int) -> str:
    import _sre

    h = hashlib.sha256(f"{sys.version}\0{_sre.MAGIC}\0{flags}\0".encode())
    h.update(pattern.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def _build(pattern: str, flags: int) -> tuple[re.Pattern[str], tuple[Any, ...]]:
    """Compile like ``re._compiler.compile`` and return the pattern with its serialisable program."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    prog = (flags | parsed.state.flags, array("I", code).tobytes(), parsed.state.groups - 1,
            groupindex, tuple(indexgroup))
    return _load(pattern, prog), prog


def _load(pattern: str, prog: tuple[Any, ...]) -> re.Pattern[str]:
    import _sre

    fl, code, groups, groupindex, indexgroup = prog
    return _sre.compile(pattern, fl, array("I", code).tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]


def compile_cached(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with the compiled program of a big pattern kept on disk."""
    if len(pattern) < MIN_CACHED_LEN:
        return re.compile(pattern, flags)
    try:
        path = cache_dir() / f"re-{_key(pattern, flags)}.bin"
    except (ImportError, RuntimeError):  # pragma: no cover - another Python implementation
        return re.compile(pattern, flags)
    try:
        return _load(pattern, marshal.loads(path.read_bytes()))
    except FileNotFoundError:
        pass
    except (OSError, EOFError, ValueError, TypeError, RuntimeError) as exc:  # corrupt or foreign file: rebuild
        log.debug("regex cache %s unusable (%s); recompiling", path, exc)
    try:
        rx, prog = _build(pattern, flags)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - internals changed: plain compile
        return re.compile(pattern, flags)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(prog))
        os.replace(tmp, path)  # atomic: concurrent workers never read a half-written file
        tmp = None
    except OSError as exc:
        log.debug("regex cache %s not written (%s)", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return rx


def first_char_gate(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` compiled so that ``re`` skips, in C, every position where no match can start, when that is known.

    The characters a match can start with are read from the parsed pattern (literals, classes, \\d and
    \\s, alternations, optional parts, leading lookarounds). ``re`` itself only knows a start set when the
    pattern opens with a literal or a class; behind a lookbehind ((?<![0-9])20…) it enters its matcher at
    every position. Here the set goes into the compiled program's info block, where ``search`` and
    ``finditer`` read it; a pattern that may start with any character or match the empty string is
    returned unchanged. Where ``re``'s internals differ (another Python), a one-character lookahead of
    the set is put in front instead. Neither changes a match.
    """
    if rx.flags & re.IGNORECASE:
        return rx
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(rx.pattern, rx.flags)
        if _compiler._get_literal_prefix(parsed, rx.flags)[0] or _compiler._get_charset_prefix(parsed, rx.flags):
            return rx  # re already skips to the positions of its first literal or character set
        first, nullable = _first(parsed.data)
    except (ImportError, AttributeError, TypeError, ValueError):  # pragma: no cover - internals changed
        return rx
    if first is None or nullable or not first:
        return rx
    try:
        return _with_start_set(rx, parsed, first)
    except (ImportError, AttributeError, TypeError, ValueError, RuntimeError):  # pragma: no cover - internals changed
        pass
    gate = "(?=[" + "".join(re.escape(c) if len(c) == 1 else c for c in sorted(first)) + "])"
    body = _GLOBAL_FLAGS.sub("", rx.pattern, count=1)  # inline flags are in rx.flags and must lead the pattern
    return re.compile(gate + "(?:" + body + ")", rx.flags)


def _with_start_set(rx: re.Pattern[str], parsed: Any, first: set[str]) -> re.Pattern[str]:
    """``rx`` compiled with ``first`` as the character set of its info block (as ``re`` does for ``[ab]x``)."""
    import _sre
    from re import _compiler  # type: ignore[attr-defined]
    from re import _constants as c  # type: ignore[attr-defined]

    flags = parsed.state.flags | rx.flags
    lo, hi = parsed.getwidth()
    if lo == 0:
        raise ValueError("a pattern that can match the empty string has no start set")
    code = [c.INFO, 0, c.SRE_INFO_CHARSET, min(lo, _compiler.MAXCODE), min(hi, _compiler.MAXCODE)]
    classes = {v: k for k, v in _CATEGORIES.items()}
    items = [(c.LITERAL, ord(ch)) if len(ch) == 1 else (c.CATEGORY, classes[ch]) for ch in sorted(first)]
    charset, _ = _compiler._optimize_charset(items)
    _compiler._compile_charset(charset, flags, code)
    code[1] = len(code) - 1  # the skip to the pattern's own code
    _compiler._compile(code, parsed.data, flags)
    code.append(c.SUCCESS)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for k, i in parsed.state.groupdict.items():
        indexgroup[i] = k
    return _sre.compile(rx.pattern, flags, code, parsed.state.groups - 1,  # type: ignore[no-any-return]
                        dict(parsed.state.groupdict), tuple(indexgroup))


def _categories() -> dict[Any, str]:
    from re import _constants as c  # type: ignore[attr-defined]

    return {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s"}


_CATEGORIES = _categories()


def _charset(items: Any) -> set[str] | None:
    from re import _constants as c  # type: ignore[attr-defined]

    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 2000:
            out.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av in _CATEGORIES:
            out.add(_CATEGORIES[av])  # \d or \s, kept as the class (two characters long, never a literal)
        else:  # NEGATE, other categories (\w …), big ranges: unknown
            return None
    return out


def _first(items: Any) -> tuple[set[str] | None, bool]:
    """(characters a match of the sequence can start with or None if unknown, can it match empty)."""
    from re import _constants as c  # type: ignore[attr-defined]

    acc: set[str] = set()
    f: set[str] | None
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item consumes the first character
        if op is c.LITERAL:
            f, nullable = {chr(av)}, False
        elif op is c.IN:
            f, nullable = _charset(av), False
        elif op is c.SUBPATTERN:
            if av[1] & re.IGNORECASE:  # (?i:…): the set would miss the other case
                return None, False
            f, nullable = _first(av[-1].data)
        elif op is c.ATOMIC_GROUP:
            f, nullable = _first(av.data)
        elif op is c.BRANCH:
            union: set[str] = set()
            nullable = False
            for alt in av[1]:
                fa, na = _first(alt.data)
                if fa is None:
                    return None, False
                union |= fa
                nullable = nullable or na
            f = union
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            f, nullable = _first(av[2].data)
            nullable = nullable or av[0] == 0
        else:  # ANY, NOT_LITERAL, GROUPREF, conditionals …
            return None, False
        if f is None:
            return None, False
        acc |= f
        if not nullable:
            return acc, False
    return acc, True
