"""The import direction ARCHITECTURE.md describes, checked over every module's imports (including those inside
functions): ground → index/stores → qa → eval → faces, no package importing a face, and no package cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# layer of each top-level package; a package may import its own layer's allowed peers and anything below
LAYERS = {"core": 0, "stores": 1, "index": 2, "qa": 3, "eval": 4, "cli": 5, "web": 5, "app": 5}
FACES = {"cli", "app"}


def _modules() -> dict[str, Path]:
    out = {"app": ROOT / "app.py"}
    for pkg in LAYERS:
        folder = ROOT / pkg
        if folder.is_dir():
            for f in folder.rglob("*.py"):
                rel = f.relative_to(ROOT).with_suffix("")
                name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
                out[name] = f
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def edges() -> dict[str, set[str]]:
    """module → project modules it imports."""
    mods = _modules()
    return {name: {i for i in _imports(path) if i in mods and i != name} for name, path in mods.items()}


def violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for mod, targets in graph.items():
        src = mod.split(".")[0]
        for t in targets:
            dst = t.split(".")[0]
            if dst == src:
                continue
            if dst in FACES:
                bad.append(f"{mod} imports the face {t}")
            elif LAYERS[dst] > LAYERS[src]:
                bad.append(f"{mod} (layer {src}) imports {t} from the layer above ({dst})")
    return bad


def package_cycles(graph: dict[str, set[str]], depth: int) -> list[list[str]]:
    """Cycles between packages cut at `depth` dotted parts (1: core, qa …; 2: qa.audit, qa.ask …)."""
    def pkg(m: str) -> str:
        return ".".join(m.split(".")[:depth])

    pg: dict[str, set[str]] = {}
    for m, ts in graph.items():
        pg.setdefault(pkg(m), set()).update(pkg(t) for t in ts if pkg(t) != pkg(m))
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        for nxt in sorted(pg.get(n, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[n] = 2

    for n in sorted(pg):
        if n not in state:
            visit(n, [n])
    return cycles


def test_layers_import_downwards_only() -> None:
    assert violations(edges()) == []


def test_no_cycle_between_packages() -> None:
    graph = edges()
    assert package_cycles(graph, 1) == []
    # the audit package and the rest of qa: rules import the context module, never the runner back
    audit_level = {m: {t for t in ts if t.startswith("qa.")} for m, ts in graph.items() if m.startswith("qa.")}
    assert [c for c in package_cycles(audit_level, 2) if "qa.audit" in c] == []


def test_the_check_can_fail() -> None:
    """A hand-made graph with a ground module importing qa, qa importing a face, and a cycle is caught."""
    graph = {"core.models": {"qa.ask"}, "qa.ask": {"cli.main", "core.models"}, "cli.main": set()}
    found = violations(graph)
    assert any("core.models" in v for v in found) and any("face" in v for v in found)
    assert package_cycles(graph, 1) == [["core", "qa", "core"]]


def test_offline_environment_is_set_in_one_place() -> None:
    setters = [p for p in _modules().values() if "HF_HUB_OFFLINE" in p.read_text(encoding="utf-8")
               and "environ.setdefault" in p.read_text(encoding="utf-8")]
    assert [p.relative_to(ROOT).as_posix() for p in setters] == ["core/__init__.py"]
