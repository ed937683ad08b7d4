"""Full-text search over the store's tasks and targets, with simplified or traditional queries.

DuckDB's (and SQLite's) full-text tokenisers cannot split Chinese, so the
index is our own: every run of Han characters in ``tasks.text_norm`` and in
``targets.indicator`` + ``text_norm`` is cut into character bigrams and
unigrams, every ASCII word or number is kept whole. The terms live in the
store itself (``search_terms``, ``search_items``, ``search_docs``) and are
built with SQL by ``update_index``, which ``store.save`` calls after each
merge: the run's documents are re-indexed and the rows of documents no longer
in the store go. The query goes through the same t2s conversion as the
documents, so 低保標準 finds 低保标准 in simplified and traditional files.

Ranking: items containing every query word first; among them, items where
each word stands as a whole word (its ends fall on jieba token boundaries of
the item, so 低保 in 城乡低保标准 comes before 低保 inside 最低保障); then
targets whose indicator contains the words, then by the share of query
terms matched, then by BM25 over the terms.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

EXIT_FOUND, EXIT_NONE, EXIT_USAGE = 0, 1, 2

#: Bump when the way terms are cut changes: documents indexed by another version are re-indexed.
INDEX_VERSION = 1
#: Han characters (as in ``normalize.py``) plus 〇; the Python and RE2 spellings of one class.
_HAN_PY = "\u3007\u3400-\u9fff"
_HAN_RE2 = r"\x{3007}\x{3400}-\x{9fff}"
_RUN_PY = re.compile(f"[{_HAN_PY}]+|[a-z0-9]+")
_RUN_RE2 = f"[{_HAN_RE2}]+|[a-z0-9]+"
#: An item must contain this share of the query's terms to be a hit (all of them for short queries).
MIN_COVERAGE = 0.6
#: Candidates fetched per requested hit before the whole-word re-ranking (at least ``MIN_POOL``).
POOL_FACTOR, MIN_POOL = 5, 200
_K1, _B = 1.2, 0.75
#: Documents indexed at a time: the cut terms of one batch are held, never those of a whole run.
INDEX_BATCH = 100

_INDEX_DDL = (
    "CREATE TABLE IF NOT EXISTS search_terms (doc_id VARCHAR, item_kind VARCHAR, item_id BIGINT, term VARCHAR, "
    "tf INTEGER)",
    "CREATE TABLE IF NOT EXISTS search_items (doc_id VARCHAR, item_kind VARCHAR, item_id BIGINT, n_terms INTEGER)",
    "CREATE TABLE IF NOT EXISTS search_docs (doc_id VARCHAR, version INTEGER)",
)
_INDEX_TABLES = ("search_terms", "search_items", "search_docs")

# Items of the documents in _ix_todo, their term runs, then unigrams + bigrams of Han runs and whole ASCII words.
_BUILD_SQL = (
    """CREATE OR REPLACE TEMP TABLE _ix_items AS
    SELECT doc_id, 'task' AS item_kind, task_id AS item_id, lower(coalesce(text_norm, '')) AS body
    FROM tasks WHERE doc_id IN (SELECT doc_id FROM _ix_todo) AND task_id IS NOT NULL
    UNION ALL
    SELECT doc_id, 'target', target_id, lower(coalesce(indicator, '') || ' ' || coalesce(text_norm, ''))
    FROM targets WHERE doc_id IN (SELECT doc_id FROM _ix_todo) AND target_id IS NOT NULL""",
    f"""CREATE OR REPLACE TEMP TABLE _ix_runs AS
    SELECT doc_id, item_kind, item_id, unnest(regexp_extract_all(body, '{_RUN_RE2}')) AS run FROM _ix_items""",
    """CREATE OR REPLACE TEMP TABLE _ix_terms AS
    WITH pos AS (
        SELECT doc_id, item_kind, item_id, run, unnest(range(1, length(run) + 1)) AS i
        FROM _ix_runs WHERE NOT regexp_full_match(run, '[a-z0-9]+')
    )
    SELECT doc_id, item_kind, item_id, run AS term FROM _ix_runs WHERE regexp_full_match(run, '[a-z0-9]+')
    UNION ALL SELECT doc_id, item_kind, item_id, substr(run, i, 1) FROM pos
    UNION ALL SELECT doc_id, item_kind, item_id, substr(run, i, 2) FROM pos WHERE i < length(run)""",
    """INSERT INTO search_terms
    SELECT doc_id, item_kind, item_id, term, count(*)::INTEGER FROM _ix_terms GROUP BY ALL""",
    """INSERT INTO search_items
    SELECT i.doc_id, i.item_kind, i.item_id, coalesce(count(t.term), 0)::INTEGER
    FROM _ix_items i LEFT JOIN _ix_terms t USING (doc_id, item_kind, item_id) GROUP BY ALL""",
)


def query_terms(query_norm: str) -> list[str]:
    """Terms of a normalised query: bigrams of each Han run (the character itself for a single one), ASCII words.

    Bigrams are what the index matches on; a one-character run can only be
    matched as a unigram.
    """
    terms: list[str] = []
    for run in _RUN_PY.findall(query_norm.lower()):
        if not run[0].isascii() and len(run) > 1:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return list(dict.fromkeys(terms))


def query_words(query_norm: str) -> list[str]:
    """The query's searchable words (whitespace or punctuation separated), for the every-word test."""
    return list(dict.fromkeys(_RUN_PY.findall(query_norm.lower())))


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]).fetchall()
    return bool(rows)


def update_index(db_path: Path, doc_ids: Iterable[str] = ()) -> None:
    """Re-index ``doc_ids`` and any document not indexed by this version; drop rows of documents gone.

    ``store.save`` does so right after the merge (``index_documents``), so the
    index follows the store's replacements.
    """
    con = duckdb.connect(str(db_path))
    try:
        index_documents(con, doc_ids)
    finally:
        con.close()


def index_documents(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str] = ()) -> None:
    """``update_index`` on an open connection: work in the documents re-indexed, not in the index's size.

    Documents to drop are found in ``search_docs`` (a row per document). Old
    rows go in one transaction, then ``INDEX_BATCH`` documents per transaction
    (a run's terms never sit whole in memory); a run killed half-way leaves
    the rest stale, indexed by the next run or search (``index_is_stale``).
    """
    if not _has_table(con, "documents"):
        return
    for ddl in _INDEX_DDL:
        con.execute(ddl)
    con.register("_ix_ids", pa.table({"doc_id": pa.array(list(doc_ids), pa.string())}))
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ix_all AS SELECT doc_id, row_number() OVER (ORDER BY doc_id) AS k FROM "
            "(SELECT doc_id FROM _ix_ids UNION SELECT doc_id FROM documents "
            "WHERE doc_id NOT IN (SELECT doc_id FROM search_docs WHERE version = ?))",
            [INDEX_VERSION],
        )
        _in_transaction(con, [
            "CREATE OR REPLACE TEMP TABLE _ix_drop AS SELECT doc_id FROM _ix_all UNION "
            "SELECT doc_id FROM search_docs WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
            *(f"DELETE FROM {t} WHERE doc_id IN (SELECT doc_id FROM _ix_drop)" for t in _INDEX_TABLES),
        ])
        (n,) = con.execute("SELECT count(*) FROM _ix_all").fetchall()[0]
        for lo in range(0, n, INDEX_BATCH):
            _in_transaction(con, [
                f"CREATE OR REPLACE TEMP TABLE _ix_todo AS SELECT doc_id FROM _ix_all "
                f"WHERE k > {lo} AND k <= {lo + INDEX_BATCH} AND doc_id IN (SELECT doc_id FROM documents)",
                *_BUILD_SQL,
                f"INSERT INTO search_docs SELECT doc_id, {INDEX_VERSION} FROM _ix_todo",
            ])
    finally:
        con.unregister("_ix_ids")
        for t in ("_ix_all", "_ix_drop", "_ix_todo", "_ix_items", "_ix_runs", "_ix_terms"):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def _in_transaction(con: duckdb.DuckDBPyConnection, statements: Sequence[str]) -> None:
    """Run ``statements`` as one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for sql in statements:
            con.execute(sql)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def index_is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the index is missing, or some document is not indexed (by this version) or gone."""
    if not all(_has_table(con, t) for t in _INDEX_TABLES):
        return True
    (n,) = con.execute(
        "SELECT (SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM search_docs WHERE version = ?))"
        " + (SELECT count(*) FROM search_docs WHERE doc_id NOT IN (SELECT doc_id FROM documents))",
        [INDEX_VERSION],
    ).fetchall()[0]
    return bool(n)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a task or a target with its document."""

    rank: int
    kind: str  # task | target
    doc_id: str
    item_id: int
    all_words: bool
    whole_words: bool
    coverage: float
    score: float
    title: str | None
    source: str
    region: str
    section: str | None
    text: str
    text_norm: str
    start: int
    end: int
    context: str
    context_norm: str
    context_start: int
    indicator: str | None = None
    comparator: str | None = None
    value: float | None = None
    unit: str | None = None
    period: str | None = None
    due: str | None = None
    lead_units: tuple[str, ...] = ()


def _word_flags(column: str, words: Sequence[str]) -> tuple[str, list[str]]:
    """SQL counting how many ``words`` occur in ``column`` (lower-cased), with its parameters."""
    if not words:
        return "0", []
    return " + ".join(f"contains(lower(coalesce({column}, '')), ?)::INTEGER" for _ in words), list(words)


def search(db_path: Path, query_norm: str, limit: int = 20) -> list[Hit]:
    """Tasks and targets matching a normalised (simplified) query, best first.

    Refreshes the index first if it is missing or stale (a store written
    before the index existed); otherwise read-only.
    """
    terms = query_terms(query_norm)
    words = query_words(query_norm)
    if not terms:
        return []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        stale = index_is_stale(con)
    finally:
        con.close()
    if stale:
        update_index(db_path)
    need = max(1, math.ceil(MIN_COVERAGE * len(terms)))
    body_flags, body_params = _word_flags("c.body", words)
    ind_flags, ind_params = _word_flags("c.indicator", words)
    sql = f"""
    WITH n AS (SELECT greatest(count(*), 1)::DOUBLE AS n, greatest(coalesce(avg(n_terms), 1), 1) AS avgdl
               FROM search_items),
    df AS (SELECT term, count(*) AS df FROM search_terms WHERE term IN (SELECT term FROM _q) GROUP BY term),
    m AS (
        SELECT s.doc_id, s.item_kind, s.item_id, count(*) AS matched,
               sum(ln(1 + (n.n - df.df + 0.5) / (df.df + 0.5)) * s.tf * ({_K1} + 1)
                   / (s.tf + {_K1} * (1 - {_B} + {_B} * i.n_terms / n.avgdl))) AS bm25
        FROM search_terms s JOIN df USING (term) JOIN search_items i USING (doc_id, item_kind, item_id)
             CROSS JOIN n
        GROUP BY s.doc_id, s.item_kind, s.item_id HAVING count(*) >= ?
    ),
    c AS (
        SELECT m.*, k.section, k.text, k.text_norm, k.start, k."end", k.text_norm AS body,
               k.text AS ctx, k.text_norm AS ctx_norm, k.start AS ctx_start,
               NULL::VARCHAR AS indicator, NULL::VARCHAR AS comparator, NULL::DOUBLE AS value,
               NULL::VARCHAR AS unit, NULL::VARCHAR AS period, NULL::DATE AS due, k.lead_units
        FROM m JOIN tasks k ON m.item_kind = 'task' AND k.doc_id = m.doc_id AND k.task_id = m.item_id
        UNION ALL
        SELECT m.*, k.section, t.text, t.text_norm, t.start, t."end",
               coalesce(t.indicator, '') || ' ' || t.text_norm, coalesce(k.text, t.text), coalesce(k.text_norm, t.text_norm),
               coalesce(k.start, t.start),
               t.indicator, t.comparator, t.value, t.unit, t.period, t.due, t.lead_units
        FROM m JOIN targets t ON m.item_kind = 'target' AND t.doc_id = m.doc_id AND t.target_id = m.item_id
             LEFT JOIN tasks k ON k.doc_id = t.doc_id AND k.task_id = t.task_id
    )
    SELECT c.item_kind, c.doc_id, c.item_id, ({body_flags}) = ? AS all_words, ({ind_flags}) AS ind_words,
           c.matched, c.bm25, d.title, d.source,
           concat_ws(' ', d.province, d.city, d.county) AS region, c.section, c.text, c.text_norm, c.start,
           c."end", c.ctx, c.ctx_norm, c.ctx_start, c.indicator, c.comparator, c.value, c.unit, c.period, c.due, c.lead_units
    FROM c JOIN documents d USING (doc_id)
    ORDER BY all_words DESC, ind_words DESC, c.matched DESC, c.bm25 DESC, d.source, c.start, c.item_kind
    LIMIT ?
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.register("_q", pa.table({"term": pa.array(terms, pa.string())}))
        pool = max(POOL_FACTOR * limit, MIN_POOL)
        rows = con.execute(sql, [need, *body_params, len(words), *ind_params, pool]).fetchall()
    finally:
        con.close()
    whole = WholeWords(words)
    flags = [bool(r[3]) and whole.test((r[18] or "") + " " + (r[12] or "")) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (not rows[i][3], not flags[i]))[:limit]
    hits = []
    for rank, i in enumerate(order, 1):
        (kind, doc_id, item_id, all_words, _ind, matched, bm25, title, source, region, section, text, text_norm,
         start, end, ctx, ctx_norm, ctx_start, indicator, comparator, value, unit, period, due, leads) = rows[i]
        hits.append(Hit(rank, kind, doc_id, int(item_id), bool(all_words), flags[i], matched / len(terms), float(bm25),
                        title, source, region or "", section, text or "", text_norm or "", int(start), int(end),
                        ctx or "", ctx_norm or "", int(ctx_start), indicator, comparator, value, unit, period, due.isoformat() if due else None,
                        tuple(leads or ())))
    return hits


class WholeWords:
    """Does every query word occur as a whole word of a text (both ends on jieba token boundaries)?"""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = [w for w in words if w]
        self._seg: Any = None

    def test(self, text: str) -> bool:
        """True when each word has an occurrence in ``text`` (lower-cased) that starts and ends a token."""
        low = text.lower()
        if not self.words or not all(w in low for w in self.words):
            return False
        if self._seg is None:
            from pipeline.stages.segment import Segmenter

            self._seg = Segmenter()
        bounds = {0, len(low)}
        for _, a, b in self._seg.tokenize(low):
            bounds.update((a, b))
        return all(any(m.start() in bounds and m.end() in bounds for m in re.finditer(re.escape(w), low))
                   for w in self.words)


def snippet(hit: Hit, words: Sequence[str], width: int = 40) -> str:
    """A one-line window of the item's context (a target's task) around the first query word, in «».

    Shows the original characters when normalisation kept the length (so a
    traditional document reads in traditional), else the normalised text.
    """
    norm = hit.context_norm
    shown = hit.context if len(hit.context) == len(norm) else norm
    low = norm.lower()
    rel = hit.start - hit.context_start  # where a target sits in its task: show the mention before it
    found = [(m.start(), len(w)) for w in words for m in re.finditer(re.escape(w), low)]
    before = [f for f in found if f[0] <= rel]
    at, length = max(before) if before else min(found, default=(-1, 0))
    if at < 0:
        out = shown[: 2 * width]
        return " ".join(out.split()) + ("…" if len(shown) > 2 * width else "")
    a, b = max(0, at - width // 2), min(len(shown), at + length + width)
    out = f"{shown[a:at]}«{shown[at : at + length]}»{shown[at + length : b]}"
    return ("…" if a > 0 else "") + " ".join(out.split()) + ("…" if b < len(shown) else "")


def _target_line(h: Hit) -> str:
    value = "" if h.value is None else f"{h.value:g}"
    parts = [f"{h.indicator or '?'} {h.comparator or ''} {value}{h.unit or ''}".strip()]
    if h.period:
        parts.append(f"period {h.period}")
    if h.due:
        parts.append(f"due {h.due}")
    return ", ".join(parts)


def format_hits(hits: Sequence[Hit], query: str, query_norm: str) -> str:
    """The readable result list."""
    shown_q = query if query == query_norm else f"{query} (→ {query_norm})"
    lines = [f"{len(hits)} result{'s' if len(hits) != 1 else ''} for {shown_q}", ""]
    words = query_words(query_norm)
    for h in hits:
        head = f"{h.rank}. [{h.kind}] " + (_target_line(h) if h.kind == "target" else (h.section or ""))
        lines.append(head.rstrip())
        where = " | ".join(x for x in (h.title or "", h.region, h.source) if x)
        lines.append(f"   {where}  [{h.start}:{h.end}]")
        if h.lead_units:
            lines.append(f"   lead: {'、'.join(h.lead_units)}")
        lines.append(f"   {snippet(h, words)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class SearchOptions:
    """What ``policy-extract search`` was asked: the query, the store file, at most ``limit`` hits, JSON or text."""

    query: str
    db: Path
    limit: int = 20
    json: bool = False


def run_search(opts: SearchOptions) -> int:
    """``policy-extract search``: 0 hits found, 1 none, 2 usage error (``opts.db``: no import of store.py)."""
    from pipeline.stages.normalize import Normalizer

    db = opts.db
    if not db.is_file():
        print(f"policy-extract search: no store at {db}; run `policy-extract extract PATH --out {db.parent}` first",
              file=sys.stderr)
        return EXIT_USAGE
    if opts.limit < 1:
        print("policy-extract search: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    query_norm = Normalizer().to_simplified(opts.query.strip())
    if not query_terms(query_norm):
        print(f"policy-extract search: the query {opts.query!r} has no Chinese characters, letters or digits",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        hits = search(db, query_norm, opts.limit)
    except duckdb.Error as exc:
        print(f"policy-extract search: cannot read the store {db}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if opts.json:
        print(json.dumps([_jsonable(h) for h in hits], ensure_ascii=False, indent=1))
    elif hits:
        print(format_hits(hits, opts.query, query_norm))
    if not hits:
        print(f"policy-extract search: no task or target matches {opts.query!r}", file=sys.stderr)
        return EXIT_NONE
    return EXIT_FOUND


def _jsonable(h: Hit) -> dict[str, Any]:
    d = asdict(h)
    d["lead_units"] = list(h.lead_units)
    return d
