"""Full-text search: traditional queries find simplified and traditional documents, ranking, index upkeep, exits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.io.search import query_terms, search, update_index
from pipeline.io.store import DB_NAME, save
from pipeline.io.tables import arrow_tables
from pipeline.models import DocMeta, DocResult, Span, Target, Task
from tests.conftest import CORPUS, SEED_004

# a simplified seed and a simplified dev document that speak of 固定资产投资, and the traditional seed
REAL_DOCS = (CORPUS / "seeds" / "002_a066b76b234cd9c3.txt", CORPUS / "dev" / "d02.txt", SEED_004)


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, pipeline_obj) -> Path:
    """A store made by the real pipeline from three corpus documents."""
    out = tmp_path_factory.mktemp("search_real")
    results = [pipeline_obj.process_file(p, f"{p.parent.name}/{p.name}") for p in REAL_DOCS]
    assert all(r.status == "ok" for r in results), [r.error for r in results]
    save(out, arrow_tables(results))
    return out


def task(task_id: int, text: str, start: int, section: str = "一、目标") -> Task:
    return Task(task_id, section, Span(start, start + len(text), text, text), start, start + len(text))


def synthetic(doc_id: str, source: str, items: list[str], targets: tuple[tuple[str, str], ...] = (),
              county: str = "甲县") -> DocResult:
    """A document whose tasks are ``items`` (one per line) and whose targets are (indicator, value text)."""
    text = "\n".join(items)
    r = DocResult(doc_id=doc_id, source=source, original_text=text, n_chars=len(text), encoding="utf-8",
                  meta=DocMeta(title=f"{county}实施方案", province="某省", county=county))
    pos = 0
    for i, line in enumerate(items, 1):
        r.tasks.append(task(i, line, pos))
        pos += len(line) + 1
    for indicator, value in targets:
        at = text.index(value)
        r.targets.append(Target(Span(at, at + len(value), value, value), indicator, "level", ">=", 700.0, "元/月",
                                700.0, "元/月", task_id=1 + text[:at].count("\n")))
    return r


def run(*argv: str) -> int:
    return main(["search", *argv])


def sources(hits) -> set[str]:
    return {h.source for h in hits}


def test_query_terms_are_bigrams_unigrams_and_ascii_words() -> None:
    assert query_terms("低保标准") == ["低保", "保标", "标准"]
    assert query_terms("县") == ["县"]
    assert query_terms("GDP增长 5G") == ["gdp", "增长", "5g"]
    assert query_terms("、,。") == []


def test_traditional_query_finds_simplified_and_traditional_documents(real_store: Path, capsys) -> None:
    assert run("固定資產投資", "--out", str(real_store), "--limit", "50") == 0
    out = capsys.readouterr().out
    assert "固定资产投资" in out  # the query is shown normalised
    hits = search(real_store / DB_NAME, "固定资产投资", limit=50)
    assert {"seeds/002_a066b76b234cd9c3.txt", "dev/d02.txt", "seeds/004_b2362a690fe9adf5.txt"} <= sources(hits)
    assert {"task", "target"} >= {h.kind for h in hits}
    for h in hits[:5]:
        assert h.all_words and "固定资产投资" in (h.indicator or "") + h.context_norm
    # the traditional seed is shown in its own characters
    trad = next(h for h in hits if h.source.startswith("seeds/004"))
    assert "固定資產投資" in trad.context and trad.region == "湖南省 怀化市 溆浦县"


def test_traditional_query_finds_traditional_seed_only_where_present(real_store: Path, capsys) -> None:
    assert run("低保標準", "--out", str(real_store)) == 0
    out = capsys.readouterr().out
    assert "溆浦县" in out and "«低保標準»" in out
    hits = search(real_store / DB_NAME, "低保标准")
    assert sources(hits) == {"seeds/004_b2362a690fe9adf5.txt"}
    flags = [h.all_words for h in hits]
    assert flags == sorted(flags, reverse=True)  # every whole-phrase hit before any partial one (最低保障标准)
    assert all(("低保标准" in h.context_norm) == h.all_words for h in hits)
    # targets whose indicator names it come before the tasks that mention it
    tg = [i for i, h in enumerate(hits) if h.kind == "target" and "低保标准" in (h.indicator or "")]
    tk = [i for i, h in enumerate(hits) if h.kind == "task" and h.all_words]
    assert tk and all(i < min(tk) for i in tg)


def test_ranking_whole_phrase_then_partial_and_weak_matches_left_out(tmp_path: Path) -> None:
    doc = synthetic("a" * 16, "a.txt", [
        "完善低保对象认定办法,推进救助标准化建设。",  # 低保 + 标准, not adjacent
        "严格执行国家标准。",  # only 标准: below the coverage threshold
        "提高城乡低保标准,确保应保尽保。",  # the phrase
    ])
    save(tmp_path, arrow_tables([doc]))
    hits = search(tmp_path / DB_NAME, "低保标准")
    assert [h.item_id for h in hits] == [3, 1]
    assert hits[0].all_words and not hits[1].all_words and hits[0].coverage == 1.0
    assert hits[1].coverage == pytest.approx(2 / 3)


def test_ranking_target_indicator_before_mentions(tmp_path: Path) -> None:
    doc = synthetic("a" * 16, "a.txt", [
        "落实低保标准动态调整机制,加强资金保障。",
        "城市低保标准提高到不低于700元/月。",
    ], targets=(("城市低保标准", "700元/月"),))
    save(tmp_path, arrow_tables([doc]))
    hits = search(tmp_path / DB_NAME, "城市低保标准")
    assert (hits[0].kind, hits[0].indicator) == ("target", "城市低保标准")
    assert "«城市低保标准»" in _snippet(hits[0], "城市低保标准")


def _snippet(hit, q: str) -> str:
    from pipeline.io.search import query_words, snippet

    return snippet(hit, query_words(q))


def test_index_follows_reruns_and_changed_files(tmp_path: Path, capsys) -> None:
    db = tmp_path / DB_NAME
    a = synthetic("a" * 16, "x/a.txt", ["提高城乡低保标准。"])
    b = synthetic("b" * 16, "x/b.txt", ["推进老旧小区改造。"], county="乙县")
    save(tmp_path, arrow_tables([a, b]))
    save(tmp_path, arrow_tables([a, b]))  # unchanged rerun: no duplicates
    assert len(search(db, "低保标准")) == 1
    con = duckdb.connect(str(db), read_only=True)
    n_terms = con.execute("SELECT count(*) FROM search_terms").fetchall()[0][0]
    con.close()
    save(tmp_path, arrow_tables([a]))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM search_terms").fetchall()[0][0] == n_terms
    con.close()
    # a changed file: same source, new doc_id → its old terms go
    a2 = synthetic("c" * 16, "x/a.txt", ["加快建设充电桩。"])
    save(tmp_path, arrow_tables([a2]))
    assert search(db, "低保标准") == []
    assert [h.doc_id for h in search(db, "充电桩")] == ["c" * 16]
    assert [h.doc_id for h in search(db, "老旧小区")] == ["b" * 16]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM search_terms WHERE doc_id = ?", ["a" * 16]).fetchall()[0][0] == 0
    assert sorted(r[0] for r in con.execute("SELECT doc_id FROM search_docs").fetchall()) == ["b" * 16, "c" * 16]
    con.close()
    assert run("低保標準", "--out", str(tmp_path)) == 1
    assert "no task or target matches" in capsys.readouterr().err


def test_store_without_index_is_indexed_on_first_search(tmp_path: Path) -> None:
    save(tmp_path, arrow_tables([synthetic("a" * 16, "a.txt", ["提高城乡低保标准。"])]))
    con = duckdb.connect(str(tmp_path / DB_NAME))
    for t in ("search_terms", "search_items", "search_docs"):
        con.execute(f"DROP TABLE {t}")
    con.close()
    assert len(search(tmp_path / DB_NAME, "低保标准")) == 1
    update_index(tmp_path / DB_NAME)  # idempotent
    assert len(search(tmp_path / DB_NAME, "低保标准")) == 1


def test_no_result_exits_1_with_message(real_store: Path, capsys) -> None:
    assert run("量子引力波探测", "--out", str(real_store)) == 1
    assert "no task or target matches '量子引力波探测'" in capsys.readouterr().err


def test_missing_store_and_bad_queries_exit_2(tmp_path: Path, capsys) -> None:
    assert run("低保标准", "--out", str(tmp_path / "nowhere")) == 2
    err = capsys.readouterr().err
    assert "no store at" in err and "extract" in err
    save(tmp_path, arrow_tables([synthetic("a" * 16, "a.txt", ["提高城乡低保标准。"])]))
    assert run("、。!", "--out", str(tmp_path)) == 2
    assert "no Chinese characters" in capsys.readouterr().err
    assert run("低保", "--out", str(tmp_path), "--limit", "0") == 2


def test_json_output(tmp_path: Path, capsys) -> None:
    import json

    from pipeline.io.search import SearchOptions, run_search

    save(tmp_path, arrow_tables([synthetic("a" * 16, "a.txt", ["提高城乡低保标准。"])]))
    assert run_search(SearchOptions(query="低保標準", db=tmp_path / DB_NAME, limit=5, json=True)) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["doc_id"] == "a" * 16 and rows[0]["region"] == "某省 甲县" and rows[0]["kind"] == "task"


def test_whole_word_matches_rank_before_matches_inside_longer_words(tmp_path: Path) -> None:
    doc = synthetic("a" * 16, "a.txt", [
        "完善最低保障制度,做好困难群众兜底工作。",  # 低保 only inside 最低保障
        "加强资金监管,确保专款专用。",
        "提高城乡低保标准,确保应保尽保。",  # 低保 as a word
    ])
    save(tmp_path, arrow_tables([doc]))
    hits = search(tmp_path / DB_NAME, "低保")
    assert [h.item_id for h in hits][:2] == [3, 1]
    assert hits[0].whole_words and not hits[1].whole_words


def test_hits_without_a_section_print_no_placeholder(tmp_path: Path, capsys) -> None:
    doc = synthetic("a" * 16, "a.txt", ["提高城乡低保标准。"])
    doc.tasks[0] = Task(1, "", doc.tasks[0].span, doc.tasks[0].nstart, doc.tasks[0].nend)
    save(tmp_path, arrow_tables([doc]))
    assert run("低保标准", "--out", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "(no section)" not in out and "1. [task]\n" in out


def test_search_and_bench_help_describe_their_options(capsys) -> None:
    for cmd, options in (("search", ("--limit", "--json", "--out")), ("bench", ("--mb",))):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        out = capsys.readouterr().out
        for opt in options:
            line = next(ln for ln in out.splitlines() if ln.strip().startswith(opt))
            rest = line.strip()[len(opt):].strip(" ,").split(None, 1)
            described = len(rest) > 1 or (rest and not rest[0].isupper())
            assert described, (cmd, opt, line)
        assert len(out.split("options:")[0]) > 200, out  # a description, not just the usage line


def test_indexing_in_batches_gives_the_same_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.io.search as search_mod

    docs = [synthetic(f"{i:016x}", f"x/{i}.txt", [f"第{i}项 城乡低保标准提高", "固定资产投资增长"],
                      (("城乡低保标准", "城乡低保标准"),)) for i in range(5)]
    tables = {}
    for batch in (2, 1000):
        monkeypatch.setattr(search_mod, "INDEX_BATCH", batch)
        out = tmp_path / str(batch)
        save(out, arrow_tables(docs), export=False)
        save(out, arrow_tables(docs[1:2]), export=False)  # a rerun re-indexes its document, no duplicates
        con = duckdb.connect(str(out / DB_NAME), read_only=True)
        tables[batch] = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                         for t in ("search_terms", "search_items", "search_docs")]
        con.close()
    assert tables[2] == tables[1000]
    assert len(tables[2][2]) == 5 and len(tables[2][0]) > 5
