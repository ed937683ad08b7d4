"""Structure stage: metadata, heading tree, task items and table rows.

Works on the normalised text (simplified, half-width punctuation) and
produces a ``PolicyDoc``. Rules live in ``lexicons/structure.yaml``.

Tasks are (1) numbered items — the text from a heading marker to the next
marker, when it has a body beyond its title; (2) table rows of tables with a
header (pipe tables and one-cell-per-line tables); (3) paragraphs outside any
numbered item that carry a responsibility or commitment cue.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extractors.quantities import Numerals
from pipeline.lexicon import compile_patterns, expand, read_yaml, with_common
from pipeline.models import DocMeta, Heading, Task
from pipeline.recache import first_char_gate
from pipeline.stages.document import Cell, PolicyDoc, TableRow
from pipeline.stages.gazetteer import Gazetteer
from pipeline.stages.grid import TableReader, line_spans, pipe_cells
from pipeline.stages.offsets import NormText
from pipeline.stages.spans import SpanSet, overlaps
from pipeline.stages.towns import TownFinder

_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[(〔]|[0-9]+[.、]|——)")
_KV_START_KEY = re.compile(r"任务|事项")
_KV_TASK_KEY = re.compile(r"任务|事项|牵头|责任|配合|协办|主责|时限")


@dataclass(frozen=True, slots=True)
class Marker:
    """A heading marker found in the text."""

    nstart: int  # where the marker starts
    body: int  # where the text after the marker starts
    level: int
    rule: str


class Structurer:
    """Builds ``PolicyDoc`` objects; owns the compiled structure rules and the gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        data = read_yaml("structure.yaml")
        self.numerals = Numerals()
        frags = with_common(data["fragments"], "structure.yaml")
        self.pat = compile_patterns(frags, data["patterns"], "structure.yaml")
        self.title_shape = re.compile(self.pat["title_shape"].pattern, re.M)
        self.signature_line = re.compile(self.pat["signature_line"].pattern, re.M)
        after = re.escape(data["inline_after"])
        self.markers: list[tuple[re.Pattern[str], int, str]] = []
        for h in data["headings"]:
            body = expand(frags, h["pattern"])
            # before an inline marker, blanks are \s already (a [ \t]* there restarted at every blank: cubic)
            inline = rf"(?:^|(?<=[{after}\s]))({body})"
            rx = inline if h["inline"] else rf"(?:(?<=\n)|^)[ \t]*({body})"
            self.markers.append((first_char_gate(re.compile(rx, re.M)), int(h["level"]), h["id"]))
        self.province_abbr: dict[str, str] = data["province_abbr"]
        self.province_number = re.compile(data["province_number"])
        self.gazetteer = gazetteer or Gazetteer()
        self.towns = TownFinder(self.gazetteer, self.pat["township"])
        self.tables = TableReader()

    # ---------------------------------------------------------------- metadata
    def meta(self, text: str) -> DocMeta:
        """Title, 发文字号, issuer, issue date, region and ``ref_year`` of a document."""
        lines = [ln.strip() for ln in text.splitlines()]
        head_lines = [ln for ln in lines[:40] if ln]
        title = self._title(head_lines)
        doc_number = self._doc_number(text)
        issuer, issue_date = self._issuer_and_date(lines)
        if issue_date is None:
            m = self.pat["date_field"].search(text[:3000])
            if m:
                issue_date = _date(self.numerals, m.group(1), m.group(2), m.group(3))
        if issuer is None:
            if title and self.pat["title_line"].match(title) and 2 <= title.find("关于") <= 30:
                issuer = title[: title.index("关于")].strip()
            else:
                m = self.pat["source_field"].search(text[:1500])
                issuer = m.group(1) if m and not m.group(1).endswith(":") else None
        head = "\n".join(x for x in (title, issuer, doc_number) if x)
        region = self.gazetteer.governed_region(head, text[:4000])
        province = city = county = None
        if region:
            province, city, county = self.gazetteer.full_names(region)
        elif doc_number and (m := self.province_number.match(doc_number)):
            province = self.province_abbr.get(m.group("abbr"))
        ref_year = self._ref_year(issue_date, doc_number, title) or _only_year(text, self.pat["year_mention"],
                                                                              self.pat["past_year_mention"])
        return DocMeta(title, doc_number, issuer, issue_date, province, city, county, ref_year)

    def _title(self, head_lines: list[str]) -> str | None:
        """The first line ending like a document name (…实施方案, …的通知), joined with the line before it when
        the title was broken over two lines (关于2023年为民办实事项目 / 实施情况的通报); else a plain short line."""
        for k, ln in enumerate(head_lines):
            cand = ln.split("|")[-2].strip() if ln.count("|") >= 2 and "名称" in ln else ln
            if self.pat["title_line"].match(cand) and "," not in cand and "。" not in cand:
                prev = head_lines[k - 1] if k else ""
                if prev and cand == ln and self._title_head(prev) and len(prev) + len(cand) <= 80:
                    return prev + cand
                return cand
        for ln in head_lines[:5]:
            if _HEADING_START.match(ln) or any(c in ln for c in "|,:。;") or self.pat["not_title"].search(ln):
                continue
            if 8 <= len(ln) <= 40 and len(re.findall(r"[\u4e00-\u9fff]", ln)) >= 4 \
                    and not self.pat["doc_number"].fullmatch(ln):
                return ln
        return None

    def _title_head(self, line: str) -> bool:
        """The first line of a title broken in two: a short line with no punctuation that opens like a title."""
        return (4 <= len(line) <= 40 and not any(c in line for c in "|,:。;!?()")
                and not self.pat["not_title"].search(line) and not self.pat["doc_number"].search(line)
                and not self.pat["title_line"].match(line) and not _HEADING_START.match(line)
                and not self.pat["date_field"].search(line) and len(re.findall(r"[\u4e00-\u9fff]", line)) >= 4
                and not re.search(r"[>›»/网]", line))

    def _doc_number(self, text: str) -> str | None:
        for m in self.pat["doc_number"].finditer(text[:600]):
            before = text[max(0, m.start() - 2) : m.start()]
            if "》" in before or "《" in text[max(0, m.start() - 30) : m.start()]:
                continue  # a cited document, not this one
            return re.sub(r"\s+", "", m.group(0))
        return None

    def _issuer_and_date(self, lines: list[str]) -> tuple[str | None, dt.date | None]:
        """A date line right under an issuer line (the signature block)."""
        idx = [i for i, ln in enumerate(lines) if ln]
        for k, i in enumerate(idx):
            m = self.pat["date_line"].match(lines[i])
            if not m:
                continue
            date = _date(self.numerals, m.group(1), m.group(2), m.group(3))
            issuer = None
            if k > 0:
                im = self.pat["issuer_line"].match(lines[idx[k - 1]])
                issuer = im.group(1) if im else None
            if date and (issuer or i < 30):
                return issuer, date
        return None, None

    def _ref_year(self, issue_date: dt.date | None, doc_number: str | None, title: str | None) -> int | None:
        if issue_date:
            return issue_date.year
        if doc_number:
            m = self.pat["year"].search(doc_number)
            if m:
                return int(m.group(0))
        if title:
            m = self.pat["title_year"].search(title)
            if m:
                return int(m.group(1))
        return None

    # ---------------------------------------------------------------- headings
    def find_markers(self, text: str) -> list[Marker]:
        """Heading markers in reading order (one per position, the most specific rule wins)."""
        found: dict[int, Marker] = {}
        for rx, level, rid in self.markers:
            for m in rx.finditer(text):
                s = m.start(1)
                if s not in found:
                    found[s] = Marker(s, m.end(1), level, rid)
        return [found[k] for k in sorted(found)]

    # ---------------------------------------------------------------- tables
    def table_rows(self, text: str) -> list[TableRow]:
        """Rows of pipe tables, one-cell-per-line tables and ``key: | value |`` blocks, with column roles."""
        return sorted(self.tables.rows(text) + self._key_value_rows(text), key=lambda r: r.cells[0].nstart)

    def _key_value_rows(self, text: str) -> list[TableRow]:
        """Blocks of ``工作任务: | … |`` / ``牵头单位: | … |`` lines, one row per block.

        A block is a run of two-cell pipe lines whose first cell is a key ending
        in a colon; it starts again when a key repeats. Only blocks with a task
        or responsibility key count (metadata blocks such as 索引号/发布机构 do not).
        """
        rows: list[TableRow] = []
        block: list[tuple[str, Cell]] = []

        def flush() -> None:
            if len(block) >= 2 and any(_KV_TASK_KEY.search(k) for k, _ in block):
                cols = [self.tables.columns.column(k) for k, _ in block]
                rows.append(TableRow(tuple(c for _, c in block), tuple(c.text for c in cols),
                                     roles=tuple(c.role for c in cols), header_roles=tuple(c.role for c in cols)))
            block.clear()

        lines = line_spans(text)
        pending_key: str | None = None  # a key alone on its line (进展情况…及下一步工作建议: |), its value below
        for s, e in lines:
            cells = pipe_cells(text, s, e)
            if pending_key is not None and block and len(cells) == 1 and cells[0].text \
                    and not cells[0].text.endswith(":"):
                block.append((pending_key, cells[0]))
                pending_key = None
                continue
            pending_key = None
            if len(cells) == 2 and cells[0].text.endswith(":") and cells[1].text:
                key = cells[0].text.rstrip(":").strip()
                if any(k == key for k, _ in block) or _KV_START_KEY.search(key):
                    flush()
                block.append((key, cells[1]))
            elif len(cells) == 1 and cells[0].text.endswith(":") and block and "|" in text[s:e]:
                pending_key = cells[0].text.rstrip(":").strip()
            elif text[s:e].strip():
                flush()
        flush()
        return rows

    # ---------------------------------------------------------------- build
    def build(self, doc_id: str, source: str, norm: NormText) -> PolicyDoc:
        """Find metadata, sentences, headings, table rows and tasks of one normalised document."""
        text = norm.text
        task_cue = self.pat["task_cue"]
        doc = PolicyDoc(doc_id, source, norm, meta=self.meta(text))
        _ = doc.sentences  # the sentence and clause bounds, once, for every extractor
        markers = self.find_markers(text)
        rows = self.table_rows(text)
        headings: list[Heading] = []
        tasks: list[Task] = []
        path: list[tuple[int, str]] = []
        covered: list[tuple[int, int]] = []
        in_row = bytearray(len(text) + 1)  # characters inside a table row (one lookup per marker, not a scan)
        for r in rows:
            in_row[r.cells[0].nstart:r.cells[-1].nend] = b"\x01" * max(0, r.cells[-1].nend - r.cells[0].nstart)
        for k, mk in enumerate(markers):
            end = markers[k + 1].nstart if k + 1 < len(markers) else len(text)
            if in_row[mk.nstart]:
                continue  # markers inside table cells belong to the row
            end = _rstrip(text, mk.nstart, end)
            title_end = _title_end(text, mk.body, end)
            title = text[mk.body:title_end].strip()
            while path and path[-1][0] >= mk.level:
                path.pop()
            headings.append(Heading(norm.span(mk.nstart, title_end), mk.level, text[mk.nstart:mk.body].strip(),
                                    title, mk.nstart, title_end))
            section = " > ".join(t for _, t in path)
            path.append((mk.level, text[mk.nstart:title_end].strip()))
            body_len = len(text[title_end:end].strip())
            if body_len >= 8 or (task_cue.search(text[mk.body:end]) and end - mk.body >= 12):
                tasks.append(Task(0, section, norm.span(mk.nstart, end), mk.nstart, end, "item"))
                covered.append((mk.nstart, end))
        for r in rows:
            s, e = r.cells[0].nstart, r.cells[-1].nend
            sec = " > ".join(t for _, t in path[:1])
            tasks.append(Task(0, sec, norm.span(s, e), s, e, "table_row"))
            covered.append((s, e))
        first_marker = markers[0].nstart if markers else len(text)
        in_task = bytearray(len(text) + 1)
        for cs, ce in covered:
            in_task[cs:ce] = b"\x01" * max(0, ce - cs)
        for s, e in line_spans(text):
            if s >= first_marker and markers:
                break
            seg = text[s:e].strip()
            if len(seg) < 20 or "|" in seg or in_task[s]:
                continue
            if task_cue.search(seg):
                s2, e2 = s + (len(text[s:e]) - len(text[s:e].lstrip())), _rstrip(text, s, e)
                tasks.append(Task(0, "", norm.span(s2, e2), s2, e2, "paragraph"))
        tasks.sort(key=lambda t: (t.nstart, -t.nend))
        doc.tasks = [_renumber(t, i + 1) for i, t in enumerate(tasks)]
        doc.headings = headings
        doc.fact_sections = self.fact_sections(headings)
        doc.table_rows = [_attach_row(r, doc) for r in rows]
        title_area = [ln.strip() for ln in text[:1500].split("\n") if ln.strip()][:8]
        doc.report = any(self.pat["report_title"].search(ln) for ln in title_area)
        doc.town = self.towns(doc.meta, text)
        doc.title_spans = self.title_spans(text, doc.meta.title)
        cells = SpanSet([(c.nstart, c.nend) for row in doc.table_rows for c in row.cells])
        doc.signature_spans = [(s, e) for s, e in line_spans(text)
                               if self.signature_line.match(text[s:e]) and not overlaps(s, e, cells)]
        return doc

    def fact_sections(self, headings: list[Heading]) -> list[tuple[int, bool]]:
        """(start, under a situation or results heading at any level) for each heading (一、基本情况)."""
        out: list[tuple[int, bool]] = []
        stack: list[tuple[int, bool]] = []
        for h in headings:
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            stack.append((h.level, bool(self.pat["fact_heading"].search(h.title))))
            out.append((h.nstart, any(is_fact for _, is_fact in stack)))
        return out

    def set_meta(self, doc: PolicyDoc, meta: DocMeta) -> None:
        """Give ``doc`` other metadata (a region the user names, an example's fixed region) and the facts that
        depend on it: its township's county and city."""
        doc.meta = meta
        doc.town = self.towns(meta, doc.text)

    def title_spans(self, text: str, title: str | None = None) -> list[tuple[int, int]]:
        """Title lines (and every copy of the known title) whose times are names, not deadlines.

        A title line has no clause punctuation and ends like a document name (…方案, …通知, …的报告(…),
        x.pdf); only lines near the top or naming a document (关于/印发) count, so a task line ending in 方案 is
        not a title.
        """
        out: list[tuple[int, int]] = []
        nonblank = 0
        for s, e in line_spans(text):
            line = text[s:e]
            if not line.strip():
                continue
            nonblank += 1
            if (nonblank <= 15 or "关于" in line or "印发" in line) and self.title_shape.match(line):
                out.append((s, e))
        if title and len(title) >= 6 and self.title_shape.match(title):
            pos = text.find(title)
            while pos >= 0:
                out.append((pos, pos + len(title)))
                pos = text.find(title, pos + 1)
        return out


def _renumber(t: Task, task_id: int) -> Task:
    return Task(task_id, t.section, t.span, t.nstart, t.nend, t.kind)


def _attach_row(r: TableRow, doc: PolicyDoc) -> TableRow:
    t = doc.task_at(r.cells[0].nstart)
    return TableRow(r.cells, r.header, t.task_id if t else None, r.roles, r.header_roles)


def _date(numerals: Numerals, y: str, m: str, d: str) -> dt.date | None:
    """A date from digits or Chinese numerals (二○一二, 十二, 二十一)."""
    parts: list[int] = []
    for x in (y, m, d):
        v = numerals.parse_int(x)
        if v is None:
            return None
        parts.append(v)
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def _rstrip(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e


def _title_end(text: str, s: int, e: int) -> int:
    """End of a heading's title: the first 。 or line end, if within 60 characters."""
    for k in range(s, min(e, s + 60)):
        if text[k] == "\n":
            return k
        if text[k] == "。":
            return k + 1
    return min(e, s + 60) if e - s > 60 else e


def _only_year(text: str, year_mention: re.Pattern[str], past_mention: re.Pattern[str]) -> int | None:
    """The one year a document names (2021年随机抽查计划 … 1月31日前), when it names exactly one; else None.

    A last resort after issue date, 发文字号 and title: with a single year in sight, relative
    dates (6月底前) can only be meant for it. A year named only for its past results (对2020年已达标的…,
    2023年度考核排名…) says nothing of the year the text is about.
    """
    past = {m.start() for m in past_mention.finditer(text)}
    years = {int(m.group(1)) for m in year_mention.finditer(text) if m.start() not in past}
    return years.pop() if len(years) == 1 else None
