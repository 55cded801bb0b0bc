"""What a follow-up is about: the facts the previous answer stated, and the facts printed beside them.

`其中服务类多少？` after `政府采购合同金额1771.11万元` asks for a part the report prints next to that figure
(`其中：货物采购…、服务采购金额1550.22万元`); `年初预算又是多少？` after a 项 heading's 支出决算 asks for the budget
in the same paragraph; `换算成元是多少？` asks of the figure itself. The previous answer may be ours (its cited
fact is known) or anyone's (a colleague's line, an LLM's draft): then its figures are found among the report's
facts by value and unit. Their neighbourhood — the same sentence, the same table row, the lines around a
narrative figure in its section — is where the next ask is looked up first.
"""

from __future__ import annotations

from decimal import Decimal

from core.dimensions import fact_dimension
from core.figures import extract_figures
from core.models import Fact

_NEAR_LINES = 3  # a paragraph wrapped at the page width spans a few lines


def anchor_facts(previous_answer: str, facts: list[Fact]) -> list[Fact]:
    """The facts whose value the previous answer states (same value and dimension; bare numbers and small
    counts are too common to anchor anything). First figure first."""
    by_value: dict[tuple[Decimal, str], list[Fact]] = {}
    for f in facts:
        by_value.setdefault(fact_dimension(f), []).append(f)
    out: list[Fact] = []
    for fig in extract_figures(previous_answer):
        if fig.dimension == "plain" or (fig.dimension != "money" and abs(fig.value) < 10):
            continue
        for f in by_value.get((fig.base, fig.dimension), []):
            if f not in out:
                out.append(f)
    return out


def neighbourhood(anchors: list[Fact], facts: list[Fact]) -> list[Fact]:
    """Facts printed beside an anchor, the anchors among them."""
    ids = {a.fact_id for a in anchors}
    return [f for f in facts if f.fact_id in ids or any(_beside(a, f) for a in anchors)]


def _beside(a: Fact, f: Fact) -> bool:
    if a.doc_id != f.doc_id or a.kind != f.kind:
        return False
    if a.kind == "cell":
        return a.table_id == f.table_id and a.line == f.line  # the same table row
    return bool(a.sentence and a.sentence == f.sentence) or (
        a.section == f.section and abs(a.line - f.line) <= _NEAR_LINES)
