"""Shared fixtures: the bundled reports, parsed once, and a data dir ingested once with the real model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"

SEEDS = {
    "石峰": "2023_株洲市石峰区网格化管理服务中心_部门决算.txt",
    "荷塘": "2020_株洲市荷塘区网格化管理服务中心_部门决算.txt",
    "芦淞": "2022_株洲市芦淞区网格化管理服务中心_整体支出绩效自评报告.txt",
    "醴陵": "2021_醴陵市网格化管理服务中心_部门决算.txt",
    "衡山": "2023_衡山县社会治理和网格化信息中心_绩效评价基础数据表.txt",
}


@pytest.fixture(scope="session")
def parsed():
    from index.parse import parse_file

    return {key: parse_file(REPORTS / name) for key, name in SEEDS.items()}


@pytest.fixture(scope="session")
def ingested(tmp_path_factory):
    """A data dir with the five reports ingested through the real pipeline (real model, real Chroma)."""
    from index.ingest import Ingestor, Stores
    from qa.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("qa-data"))
    stores = Stores(settings)
    results = Ingestor(stores).ingest([REPORTS])
    assert all(r.status == "added" for r in results), results
    return stores
