"""Bare part titles named by a dotted 目录: found in order after the 目录, titled by the entry; nothing without one."""

from __future__ import annotations

from index.sections import build_sections, section_at
from index.toc_titles import toc_headings

DOC = [
    "某区2026年区级部门预算",
    "目 录",
    "一、部门主要职能……………………………………",
    "二、部门预算编制说明………………………………",
    "三、部门预算表………………………………………",
    "1. 2026年部门收入预算总表…………………………",
    "四、其他相关情况说明………………………………",
    "",
    "某某局主要职能",
    "1.负责全区某某工作。",
    "2.承办区政府交办的其他事项。",
    "2026年部门预算编制说明",
    "2026年，某某局收入预算100.00万元。",
    "2026年部门收入预算总表",
    "其他相关情况说明",
    "一、2026年“三公”经费预算情况说明",
    "2026年“三公”经费预算数为10.00万元。",
]


def test_bare_titles_the_toc_names_are_part_headings() -> None:
    found = toc_headings(DOC)
    assert found == {8: "一、部门主要职能", 11: "二、部门预算编制说明", 13: "三、部门预算表", 14: "四、其他相关情况说明"}


def test_numbered_headings_nest_under_a_toc_part() -> None:
    sections = build_sections(DOC)
    assert section_at(sections, 17).path_text == "四、其他相关情况说明 › 一、2026年“三公”经费预算情况说明"
    assert section_at(sections, 13).path_text == "二、部门预算编制说明"


def test_no_dotted_toc_no_parts() -> None:
    lines = [t for t in DOC if "……" not in t]
    assert toc_headings(lines) == {}


def test_a_body_sentence_is_not_a_toc_title() -> None:
    lines = [*DOC[:8], "本部门主要职能如下，包括其他相关情况说明。"]
    assert toc_headings(lines) == {}
