"""Pathological inputs: plain-looking texts that once made patterns go super-linear.

Each case is a function of a size in characters. ``make bench`` runs every
case and reports chars/s against ``MIN_CHARS_PER_S``; ``tests/evaluation/test_pathological.py``
runs them through the whole pipeline and checks the output.
"""

from __future__ import annotations

from collections.abc import Callable

MIN_CHARS_PER_S = 20_000  # the floor every case must reach (a 100 KB document in at most 5 s)

_CN = "一二三四五六七八九十"


def _fill(unit: str, n: int) -> str:
    return (unit * (n // max(1, len(unit)) + 1))[:n]


CASES: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: " " * n,
    "ideographic spaces": lambda n: "\u3000" * n,
    "spaces then a heading": lambda n: " " * n + "一、总体要求",
    "ideographic spaces then a marker": lambda n: "\u3000" * n + "(一)",
    "blank and tab mix": lambda n: _fill(" \u3000\t", n),
    "newlines": lambda n: "\n" * n,
    "blank lines with a space": lambda n: _fill(" \n", n),
    "numbered lines": lambda n: _fill("".join(f"{i % 9 + 1}.\n" for i in range(9)), n),
    "numbered task lines": lambda n: _fill("".join(f"{i % 9 + 1}.推进\n" for i in range(9)), n),
    "tab-separated cells": lambda n: _fill("单元格\t", n),
    "tab-separated rows": lambda n: _fill("牵头单位\t县发改局\t2025年\n", n),
    "chinese headings": lambda n: _fill("".join(f"{c}、标题\n" for c in _CN), n),
    "header words one per line": lambda n: _fill("任务1\n", n),
    "digits": lambda n: "1" * n,
    "full-width digits": lambda n: "１" * n,
    "chinese numerals": lambda n: _fill("一二三四五六七八九十百千万", n),
    "numbers joined by 、": lambda n: _fill("、".join(str(i) for i in range(100)) + "、", n),
    "chinese numerals joined by 、": lambda n: _fill("、".join(_CN) + "、", n),
    "annex then blanks": lambda n: "附件" + " " * n + "x",
    "run of labels (fuzzing)": lambda n: _fill("牵头单位:", n),
    "ideographic spaces inside a unit list (fuzzing)": lambda n: "各区政府,市委宣传部" + "\u3000" * n + "牵头",
    # the targets stage once scanned back to the sentence start from every number (issue 14)
    "percentages packed in one sentence": lambda n: _fill("1%", n),
    "percentages listed after a verb": lambda n: _fill("增长1%、", n),
    "run of 由": lambda n: "由" * n,
    # a metadata field name before a long blank run: two adjacent \s* around an optional colon were quadratic
    # (a fuzzed page took 42 s in the structure stage's date field)
    "a field name before a blank run (fuzzing)": lambda n: ("来源:" + " " * 1500 + "发布时间" + " \n" * n)[:n],
    "由 before units, no cue": lambda n: _fill("由县发改局", n),
    "duty clauses joined by commas": lambda n: _fill("县发改局要做好,", n),
    "conditions before duty subjects": lambda n: _fill("的,市发改局", n),
    # a table row left open whose last cell runs over thousands of short lines: the row was placed again for every
    # line, reading the kinds of an ever longer cell (a fuzzed page: 3.6 s for 11 K characters)
    "a table cell running over many lines (fuzzing)": lambda n: (
        "序号 | 工作任务 | 牵头单位 | 完成时限 | 进展情况 |\n1 | 推进 | 县发改局 | 年底前 | 推进中" + _fill("\n任务", n))[:n],
}


def cases(n: int) -> dict[str, str]:
    """Every case at about ``n`` characters."""
    return {name: make(n) for name, make in CASES.items()}
