"""The headline metrics of `qa eval` over hand-made scored items: main figure right, all figures present, text key
points, unanswerable refused, answerable refused."""

from __future__ import annotations

from eval.runner import aggregate


def _score(hits: list[bool], refused: bool = False, kp: float | None = None) -> dict:
    return {"correct": all(hits) and not refused, "numbers_hit": hits, "refused": refused, "key_point_recall": kp,
            "citations_correct": [], "sources_hit": [], "figures": 0, "figures_cited": 0, "figures_flagged": 0}


def test_headline_metrics() -> None:
    items = [
        {"type": "lookup", "numbers": [{"value": "1", "unit": "万元"}, {"value": "2", "unit": "万元"}]},
        {"type": "compute", "numbers": [{"value": "3", "unit": "%"}]},
        {"type": "text", "key_points": ["a", "b"]},
        {"type": "unanswerable", "answer": "报告未披露"},
        {"type": "lookup", "numbers": [{"value": "4", "unit": "万元"}]},
    ]
    scores = [_score([True, False]), _score([True]), _score([], kp=0.5), _score([], refused=True),
              _score([False], refused=True)]
    m = aggregate(items, scores, [0.1] * 5, {})
    assert m["main_figure_right"] == round(2 / 3, 4)
    assert m["all_figures_present"] == round(1 / 3, 4)
    assert m["text_key_points"] == 0.5
    assert m["unanswerable_refused"] == 1.0
    assert m["answerable_refused"] == 0.25


def test_a_key_point_figure_matches_with_or_without_thousands_separators() -> None:
    from eval.scorers import key_point_recall

    item = {"key_points": ["115,649", "1,234,567.5", "不一致"]}
    assert key_point_recall(item, "增加115649万元，合计1234567.5元，前后不一致") == 1.0
    assert key_point_recall({"key_points": ["115649"]}, "增加115,649万元") == 1.0
    assert key_point_recall({"key_points": ["115,649"]}, "增加11564万元") == 0.0
