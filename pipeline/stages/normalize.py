"""Normalisation: traditional → simplified, pinyin artefacts out, one width.

``Normalizer.normalize`` returns a ``NormText`` whose every character maps back
to the original. OpenCC's ``t2s`` config is used (never ``tw2sp``, which
rewrites words and changes lengths); a line whose conversion changes length is
converted character by character so the map stays exact.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from typing import Any

from pipeline.stages.offsets import NormBuilder, NormText

#: A CJK character followed by a bracketed pinyin gloss: 發(fā), 工(gōng).
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7})[)）]"
)
_TONED = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _fold_char(ch: str) -> str:
    """Full-width ASCII, ideographic space and small forms → half-width."""
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if o == 0x3000:
        return " "
    if 0xFE50 <= o <= 0xFE6B:
        return _SMALL_FORMS.get(ch, ch)
    return ch


_SMALL_FORMS = {
    "﹐": ",", "﹑": "、", "﹒": ".", "﹔": ";", "﹕": ":", "﹖": "?", "﹗": "!",
    "﹙": "(", "﹚": ")", "﹛": "{", "﹜": "}", "﹝": "〔", "﹞": "〕", "﹟": "#",
    "﹠": "&", "﹡": "*", "﹢": "+", "﹣": "-", "﹤": "<", "﹥": ">", "﹦": "=",
    "﹨": "\\", "﹩": "$", "﹪": "%", "﹫": "@",
}
#: ``_fold_char`` as a ``str.translate`` table (one C pass over a line instead of a call per character)
_FOLD = {**{o: chr(o - 0xFEE0) for o in range(0xFF01, 0xFF5F)}, 0x3000: " ",
         **{ord(k): v for k, v in _SMALL_FORMS.items()}}


#: A tab between two non-blank stretches of a line.
_INNER_TAB = re.compile(r"(?<=\S)[ ]*\t[\t ]*(?=\S)")


def _tab_cells(line: str) -> str:
    """A tab-separated table row (copied from Word or Excel) read as a pipe row: inner tabs → ``|``.

    Only lines with at least two inner tabs count; an indenting tab stays. One character for
    one, so the offset map is unchanged.
    """
    if line.count("\t") < 2:
        return line
    inner = list(_INNER_TAB.finditer(line))
    if len(inner) < 2:
        return line
    chars = list(line)
    for m in inner:
        k = m.group(0).index("\t")
        chars[m.start() + k] = "|"
    return "".join(chars)


def make_converter(config: str) -> Any:
    """An OpenCC converter from whichever ``opencc`` module is installed.

    The official binding (``opencc``) and ``opencc-python-reimplemented`` both
    install the module ``opencc``; both accept ``t2s``/``s2t``.
    """
    import opencc

    try:
        return opencc.OpenCC(config)
    except Exception:  # the official binding also accepts the .json name
        return opencc.OpenCC(f"{config}.json")


#: Line starts that open a new block even in hard-wrapped text: headings, list items (1. but not a decimal 28.23), table cells.
_BLOCK_START = re.compile(
    r"[ \t\u3000]*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十0-9]+[)）]|[0-9]+(?:、|[.．](?![0-9]))|[①-⑳]|附件|\||$)"
)
_SENT_END = "。！？；：!?;:"
_TABLE_LINE = re.compile(r"[|｜\t]")


def _open_bracket(line: str, nxt: str) -> bool:
    """A bracket left open at the end of ``line`` and closed on the next: the wrap fell inside it, whatever punctuation
    the line ends with ((牵头单位:市教育局;⏎责任单位:市人社局))."""
    depth = sum(1 for c in line if c in "(（") - sum(1 for c in line if c in ")）")
    return depth > 0 and any(c in ")）" for c in nxt)


def soft_wraps(original: str, min_width: int = 20) -> list[tuple[int, int]]:
    """Line breaks of hard-wrapped text (copied from a PDF) that fall inside a sentence.

    A document is hard-wrapped when many of its long lines have the same length W (±1); then a
    line of about W characters that does not end a sentence (or leaves a bracket open), followed by a line that does not open a
    heading, item or table cell, continues on the next line (never a table line, with bars or tabs): its break (with a CR before it) is
    dropped so that names and numbers split by the wrap (县发展和改\n革局) are whole again. In any document, a line
    ending with the list comma 、 or followed by a line opening with it continues there (…省交通运输厅\n、省农业农村厅).
    """
    lines = original.split("\n")
    lens = [len(ln.rstrip("\r")) for ln in lines]
    long_ = [n for n in lens if n >= min_width]
    counts = Counter(long_)
    width = max(counts, key=lambda w: counts[w - 1] + counts[w] + counts[w + 1]) if counts else 0
    near = counts[width - 1] + counts[width] + counts[width + 1]
    hard = len(long_) >= 5 and near >= max(5, 0.4 * len(long_))
    out: list[tuple[int, int]] = []
    pos = 0
    for i, ln in enumerate(lines[:-1]):
        body = ln.rstrip("\r")
        end = pos + len(ln)  # index of the "\n"
        nxt = lines[i + 1]
        if _TABLE_LINE.search(body) or _TABLE_LINE.search(nxt):
            pass  # a table line (cells separated by bars or tabs) is never joined to its neighbours
        elif body.strip() and (body.rstrip().endswith("、") or nxt.lstrip(" \t\u3000").startswith("、")):
            out.append((pos + len(body), end + 1))  # a list broken at its 、: continued in any document
        elif hard and len(body) >= width - 1 and body and (body[-1] not in _SENT_END or _open_bracket(body, nxt)) \
                and not _BLOCK_START.match(nxt) \
                and not (body[-1].isascii() and body[-1].isalpha() and nxt[:1].isascii() and nxt[:1].isalpha()):
            out.append((pos + len(body), end + 1))
        pos = end + 1
    return out


def deletions(original: str) -> list[tuple[int, int]]:
    """Original spans dropped from the normalised text: pinyin glosses, CR of CRLF, soft line wraps."""
    out: list[tuple[int, int]] = []
    for m in _PINYIN.finditer(original):
        if _TONED.intersection(m.group(1)):
            out.append((m.start(), m.end()))
    wraps = soft_wraps(original)
    wrapped = {e - 1 for _, e in wraps}
    out.extend((m.start(), m.start() + 1) for m in re.finditer("\r\n", original) if m.start() + 1 not in wrapped)
    out.extend(wraps)
    out.sort()
    return out


class Normalizer:
    """Owns the OpenCC converters; build once, call ``normalize`` per document."""

    def __init__(self) -> None:
        self._t2s = make_converter("t2s")
        self._s2t = make_converter("s2t")

    def to_simplified(self, text: str) -> str:
        """Plain t2s + width folding of a short string (no offsets), e.g. for lexicon keys."""
        out: str = self._t2s.convert(text.translate(_FOLD))
        return out

    def normalize(self, original: str) -> NormText:
        """Normalise ``original`` keeping an exact offset map."""
        b = NormBuilder()
        pos = 0
        for dstart, dend in deletions(original):
            if dstart < pos:
                continue
            self._convert_into(b, original, pos, dstart)
            pos = dend
        self._convert_into(b, original, pos, len(original))
        return b.build(original)

    def _convert_into(self, b: NormBuilder, original: str, start: int, end: int) -> None:
        i = start
        while i < end:
            j = original.find("\n", i, end)
            j = end if j < 0 else j + 1
            seg = original[i:j]
            folded = _tab_cells(seg.translate(_FOLD))
            conv = self._t2s.convert(folded) if _CJK.search(folded) else folded
            if len(conv) == len(seg):
                b.add(conv, i, j)
            else:
                for k, ch in enumerate(folded):
                    b.add(self._t2s.convert(ch) if _CJK.match(ch) else ch, i + k, i + k + 1)
            i = j

    def script(self, original: str) -> str:
        """``simplified``, ``traditional`` or ``mixed`` from t2s/s2t change rates."""
        cjk = "".join(_CJK.findall(original))
        if not cjk:
            return "simplified"
        n_trad = sum(map(operator.ne, cjk, self._t2s.convert(cjk)))  # map stops at the shorter string, as zip
        n_simp = sum(map(operator.ne, cjk, self._s2t.convert(cjk)))
        rt, rs = n_trad / len(cjk), n_simp / len(cjk)
        if rt >= 0.02 and rs >= 0.02:
            return "mixed"
        return "traditional" if rt > rs else "simplified"
