"""Decoding of text bytes: BOMs, UTF-8/UTF-16/GB18030/Big5 detection, control bytes, truncated tails."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from pipeline.errors import DocumentError

# Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# The Chinese legacy encodings we try ourselves before asking charset-normalizer;
# each family is tried strict, the first codec that decodes wins within it.
_CJK_FAMILIES: tuple[tuple[str, ...], ...] = (("gb18030",), ("big5", "cp950", "big5hkscs"))
# Share of non-ASCII characters that must be common CJK characters/punctuation
# for a legacy decoding to be trusted without asking charset-normalizer.
_MIN_COMMON_SHARE = 0.6
# ... and the share still accepted when charset-normalizer has no better idea.
_MIN_COMMON_SHARE_FALLBACK = 0.3
# Above this share of control characters a file is taken for binary.
_MAX_CONTROL_SHARE = 0.05
# Strict UTF-8 with at most this share of broken sequences is still UTF-8 (a damaged file).
_MAX_BAD_UTF8_SHARE = 0.01
# Control characters (category Cc) that text files do not contain; tabs, line/page breaks,
# SUB (DOS end of file) and ESC (terminal colours) are allowed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20), 0x7F])
# Non-ASCII characters looked at when scoring a decoding (enough to tell, bounded time on big files).
_SCORE_SAMPLE = 50_000
_DETAIL_MAX = 160
# charset-normalizer guesses we never accept: EBCDIC code pages fit almost any short byte string.
_IMPLAUSIBLE_CODECS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})
# How the codecs report a multibyte character cut off at the end of the data.
_TRUNCATION_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})


@dataclass(frozen=True, slots=True)
class Ingested:
    """The original text of one input file, with how it was obtained."""

    text: str
    encoding: str
    kind: str  # text | html | docx | pdf
    warnings: tuple[str, ...] = ()  # what decoding kept out of the text (a cut-off tail, replaced bytes)


def doc_id_of(data: bytes) -> str:
    """Stable document id: the first 16 hex digits of the SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    Order: byte-order mark; strict UTF-8 (a multibyte character cut off at the
    very end is dropped); GB18030 vs Big5, chosen by which decoding yields more
    common Chinese characters (charset detectors are unreliable on short
    Chinese text); a UTF-8 file with a few damaged bytes; charset-normalizer.
    Line endings are never translated. Raises ``DocumentError`` E001 (empty),
    E002 (binary) or E003 (undecodable).
    """
    if not data:
        raise DocumentError("E001")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise DocumentError("E003", f"invalid {name} data after the byte-order mark")
            return _checked(text, name)
    if b"\x00" in data:
        return _checked(*_decode_with_nuls(data))
    if _control_byte_share(data) > _MAX_CONTROL_SHARE:
        raise DocumentError("E002", "too many control bytes")

    text = _strict(data, "utf-8")
    truncated_ascii = None  # an ASCII prefix before a cut-off tail: weak evidence for UTF-8
    if text is not None:
        if not text.isascii() or len(text) == len(data):
            return _checked(text, "utf-8")
        truncated_ascii = text

    candidates = [c for c in (_best_in_family(data, fam) for fam in _CJK_FAMILIES) if c is not None]
    scored = sorted(candidates, key=lambda c: -_common_share(c[0]))  # stable: gb18030 wins ties
    if scored and _common_share(scored[0][0]) >= _MIN_COMMON_SHARE:
        return _checked(*scored[0])
    if truncated_ascii is not None:
        return _checked(truncated_ascii, "utf-8")
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    good_wide = sum(1 for ch in lenient if ord(ch) >= 0x80) - bad
    if bad <= max(1, _MAX_BAD_UTF8_SHARE * len(lenient)) and good_wide >= 10 * bad:
        return _checked(lenient, "utf-8")
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return _checked(*guess)
    if scored and _common_share(scored[0][0]) >= _MIN_COMMON_SHARE_FALLBACK:
        return _checked(*scored[0])
    raise DocumentError("E003", "not UTF-8, GB18030 or Big5, and no other encoding fits")


def _strict(data: bytes, codec: str) -> str | None:
    """Strict decoding; a multibyte character cut off at the very end is dropped. None if invalid."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        cut_at_end = err.end == len(data) and len(data) - err.start < 4
        if not cut_at_end or err.reason not in _TRUNCATION_REASONS:
            return None
        prefix = data[: err.start]
    if not prefix:
        return None
    try:
        return prefix.decode(codec)
    except UnicodeDecodeError:
        return None


def _best_in_family(data: bytes, family: tuple[str, ...]) -> tuple[str, str] | None:
    """The first codec of a family that decodes ``data``, as ``(text, codec)``."""
    for codec in family:
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    return None


@lru_cache(maxsize=1 << 16)
def _is_common(ch: str) -> bool:
    """True for a character typical of Chinese prose (not of mojibake).

    Common ideographs are GB2312 level 1 (the 3755 most frequent simplified
    characters) and Big5's 5401 frequent characters (traditional); common
    symbols are CJK and full-width punctuation, general punctuation and
    enclosed numbers (①, ⑴).
    """
    o = ord(ch)
    if o < 0x80 or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0xFE30 <= o <= 0xFE6F:
        return True
    if 0x2010 <= o <= 0x206F or 0x2160 <= o <= 0x216B or 0x2460 <= o <= 0x24FF or ch in "·×÷°±■□●○◆★√":
        return True
    if not 0x4E00 <= o <= 0x9FFF:
        return False
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        code = int.from_bytes(ch.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= code <= 0xC67E


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common (1.0 for ASCII text)."""
    wide = list(islice((ch for ch in text if ord(ch) >= 0x80), _SCORE_SAMPLE))
    if not wide:
        return 1.0
    return sum(map(_is_common, wide)) / len(wide)


def _control_share(text: str) -> float:
    """Share of control characters (other than tabs, line and page breaks) in ``text``."""
    if not text:
        return 0.0
    return len(_CONTROL_CHARS.findall(text)) / len(text)


def _control_byte_share(data: bytes) -> float:
    """Share of ASCII control bytes (other than tabs, line and page breaks); 0x80-0xFF are not counted."""
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    """Reject decoded text that is mostly control characters (a binary file)."""
    if _control_share(text) > _MAX_CONTROL_SHARE or "\x00" in text:
        raise DocumentError("E002", f"control characters after decoding as {encoding}")
    return text, encoding


def _decode_with_nuls(data: bytes) -> tuple[str, str]:
    """Data with NUL bytes and no BOM: UTF-16 without BOM if it reads as text, else binary (E002)."""
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if (
            text
            and "\x00" not in text
            and _control_share(text) <= _MAX_CONTROL_SHARE
            and _common_share(text) >= _MIN_COMMON_SHARE
        ):
            return text, codec
    raise DocumentError("E002", "contains NUL bytes")


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best decoding, or None if it finds none."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name in _IMPLAUSIBLE_CODECS:
        return None
    text = _strict(data, name)
    return None if text is None else (text, name)


def _describe(err: BaseException) -> str:
    """``ClassName: message`` on one line (following a wrapped cause), shortened."""
    inner = err.args[0] if err.args and isinstance(err.args[0], BaseException) else None
    target = inner or err
    msg = " ".join(str(target).split())
    out = f"{type(target).__name__}: {msg}" if msg else type(target).__name__
    return out if len(out) <= _DETAIL_MAX else out[: _DETAIL_MAX - 1] + "…"
