"""The frames behind notebooks/explore.ipynb: the plain commitments table, counties compared, the calendar.

Pure pandas over the store's views (``commitments``, ``deadlines_calendar``)
and its ``tasks`` table, so the notebook stays short and these choices are
tested: a document without a region is never named by its title, a county's
value is its binding one (确保/目标), not a 力争 stretch, every value shows its
plan year, and a chart never has more series than colours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

import pandas as pd

from pipeline.dimensions import COMPARATORS, KIND_LABELS
from pipeline.lexicon import read_yaml

NO_REGION = "地区不明"
OTHERS = "其他"
CLAUSE_END = re.compile(r"[,，;；。！？!?:：\n]")
OFFICE_COLUMNS = ["地区", "年度", "承诺事项", "类型", "目标值", "期限", "牵头单位", "文件"]


def strive_words() -> tuple[str, ...]:
    """Words that make a value a stretch goal (力争, 争取…), from ``lexicons/targets.yaml``."""
    cmp = read_yaml("targets.yaml")["comparator"]
    return tuple(sorted({*cmp["strive"], *cmp["strive_clause"]}, key=len, reverse=True))


def region_of(row: pd.Series) -> str | None:
    """The most specific region of a row (county, else city, else province); None when it has none."""
    for col in ("county", "city", "province"):
        v = row.get(col)
        if isinstance(v, str) and v:
            return v
    return None


def _blank(v: object) -> bool:
    """Missing: None, NaN, NaT or pandas' NA (a list or array of values is never missing)."""
    return v is None or (pd.api.types.is_scalar(v) and bool(pd.isna(v)))


def _num(v: object) -> str:
    return "" if _blank(v) else format(float(v), ".12g")  # type: ignore[arg-type]


def plan_year(row: pd.Series) -> int | None:
    """The year a target is for: the year of its due date, else the document's reference year."""
    if not _blank(row.get("due")):
        year: int = pd.Timestamp(row["due"]).year
        return year
    ref = row.get("ref_year")
    return None if _blank(ref) else int(ref)


def mark_stretch(commit: pd.DataFrame, tasks: pd.DataFrame,
                 simplify: Callable[[str], str] = lambda s: s) -> pd.Series:
    """True where a target's own clause (up to it, within its task) holds a striving word: 确保8.5%, 力争10% → 10%.

    ``commit`` needs ``doc_id, task_id, start``; ``tasks`` needs ``doc_id, task_id, start, text`` (original
    text); ``simplify`` maps traditional to simplified characters (``Normalizer().to_simplified``).
    """
    words = strive_words()
    text = {(d, int(k)): (int(s), t) for d, k, s, t in tasks[["doc_id", "task_id", "start", "text"]].itertuples(
        index=False)}

    def one(doc_id: str, task_id: object, start: object) -> bool:
        if _blank(task_id) or (doc_id, int(task_id)) not in text:  # type: ignore[call-overload]
            return False
        t0, t = text[(doc_id, int(task_id))]  # type: ignore[call-overload]
        before = t[: max(0, int(start) - t0)]  # type: ignore[call-overload]
        clause = simplify(CLAUSE_END.split(before)[-1])
        return any(w in clause for w in words)

    return pd.Series([one(*x) for x in commit[["doc_id", "task_id", "start"]].itertuples(index=False)],
                     index=commit.index, dtype=bool)


def office_table(commit: pd.DataFrame) -> pd.DataFrame:
    """One row per commitment as a policy office lists them: region, year, commitment, value, due, lead units.

    Missing values are empty strings (never ``nan``/``None``); rows sorted by region (documents without one
    last), due date and commitment.
    """
    rows = []
    for _, r in commit.iterrows():
        year = plan_year(r)
        leads = r.get("lead_units")
        rows.append({
            "地区": region_of(r) or NO_REGION, "年度": "" if year is None else str(year),
            "承诺事项": "" if _blank(r.get("indicator")) else r["indicator"],
            "类型": KIND_LABELS.get(r.get("kind"), "" if _blank(r.get("kind")) else str(r["kind"])),
            "目标值": f"{COMPARATORS.get(r['comparator'], r['comparator'])} {_num(r['value'])}"
                   f"{'' if _blank(r.get('unit')) else r['unit']}",
            "期限": "" if _blank(r.get("due")) else pd.Timestamp(r["due"]).date().isoformat(),
            "牵头单位": "" if _blank(leads) else "、".join(leads),
            "文件": r.get("title") if isinstance(r.get("title"), str) else r.get("source", ""),
            "_due": r.get("due"),
        })
    out = pd.DataFrame(rows, columns=[*OFFICE_COLUMNS, "_due"])
    out["_none"] = out["地区"] == NO_REGION
    out = out.sort_values(["_none", "地区", "_due", "承诺事项"], na_position="last", kind="stable")
    return out.drop(columns=["_due", "_none"]).reset_index(drop=True)


def county_values(sel: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Per region and plan year: the binding value (lowest non-stretch), the stretch (力争) value, targets.

    ``sel`` holds the targets of one indicator with a ``stretch`` column. Rows of documents without a region
    are left out (their count is returned): a title is not a place. A region with only stretch values gets
    its stretch value alone (``binding`` empty).
    """
    regions = sel.apply(region_of, axis=1) if len(sel) else pd.Series([], dtype=object)
    placed = sel[regions.notna()].assign(region=regions[regions.notna()])
    placed = placed.assign(year=placed.apply(plan_year, axis=1) if len(placed) else pd.Series([], dtype=object))
    rows = []
    for (region, year), g in placed.groupby(["region", "year"], dropna=False, sort=True):
        firm, stretch = g.loc[~g["stretch"], "value"], g.loc[g["stretch"], "value"]
        y = None if _blank(year) else int(year)
        rows.append({"region": region, "year": y, "label": f"{region} {y}年" if y else f"{region} (年份不明)",
                     "binding": firm.min() if len(firm) else math.nan,
                     "stretch": stretch.max() if len(stretch) else math.nan, "targets": len(g)})
    out = pd.DataFrame(rows, columns=["region", "year", "label", "binding", "stretch", "targets"])
    out["year"] = out["year"].astype("Int64")
    return out, int(regions.isna().sum())


def top_series(cal: pd.DataFrame, by: str, value: str, top: int = 7,
               index: str = "month") -> pd.DataFrame:
    """``cal`` pivoted to ``index`` × the ``top`` largest groups of ``by``, the rest summed as 其他 (last)."""
    names = cal[by].fillna(NO_REGION)
    totals = cal.assign(_g=names).groupby("_g")[value].sum().sort_values(ascending=False, kind="stable")
    keep: Iterable[str] = totals.index[:top] if len(totals) > top + 1 else totals.index
    keep = list(keep)
    grouped = cal.assign(_g=names.where(names.isin(keep), OTHERS))
    pivot = grouped.pivot_table(index=index, columns="_g", values=value, aggfunc="sum", fill_value=0)
    order = [c for c in keep if c in pivot.columns] + ([OTHERS] if OTHERS in pivot.columns else [])
    return pivot[order].rename_axis(columns=by)


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with missing values as empty cells (not ``nan``/``None``/``NaT``) and whole floats as integers."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and s.dropna().mod(1).eq(0).all():
            s = s.astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        out[col] = s.astype(object).where(s.notna(), "")
    return out
