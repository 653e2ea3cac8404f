"""The package's import graph, read from the source: no cycles (docs/architecture.md).

Every import counts, at a file's head or inside a function: an import inside a function still
makes the two modules depend on each other. A submodule importing its own package (``from
microsim.synth import spec`` inside ``microsim.synth.generate``) is not an arrow between modules.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "microsim"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        named = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                named |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                named |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        targets = set()
        for target in named:
            while target and target not in files:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            if target and target != name and not name.startswith(target + "."):
                targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_package_has_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "modules that import each other, directly or round a loop: " + "; ".join(
        " <-> ".join(component) for component in found)


def test_the_cycle_check_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "microsim.studies.run" in graph["microsim.cli.simulate"]  # imported only inside the command bodies
    assert "microsim.engine.registry" in graph["microsim.engine.system"]
    assert "microsim.engine.modules" in graph["microsim.engine.registry"]
    assert "microsim.synth" not in graph["microsim.synth.generate"]  # its own package: not an arrow


# ---- floors: each module's place, and imports only going down ----------------------------------------
# Bottom to top. A module imports modules of its own floor or of floors below (docs/architecture.md).
# "*" takes a package and everything in it.
PUBLIC_ALIASES = {  # the old flat paths of the public API: the same module object (docs/architecture.md)
    "microsim.modules": "microsim.engine.modules", "microsim.benefit": "microsim.engine.benefit",
    "microsim.io": "microsim.population.io", "microsim.scenario": "microsim.engine.scenario",
    "microsim.run": "microsim.studies.run", "microsim.projection": "microsim.studies.projection",
}
FLOORS = {
    "base": ["microsim", "microsim.errors", "microsim.paths"],
    "common": ["microsim.common*"],
    "population": ["microsim.population*"],
    "synth": ["microsim.synth*"],
    "behaviour": ["microsim.behaviour*"],
    "engine": ["microsim.engine*", "microsim.programmes*"],
    "distribution": ["microsim.distribution*"],
    "studies": ["microsim.studies*"],
    "reporting": ["microsim.reporting*"],
    "web": ["microsim.web*"],
    "cli": ["microsim.cli*", "microsim.__main__"],
    "public aliases": list(PUBLIC_ALIASES),  # on top: nothing in the package may import them
}
ORDER = list(FLOORS)


def floor_of(module: str) -> str | None:
    for floor, members in FLOORS.items():
        for member in members:
            if module == member or (member.endswith("*") and (module == member[:-1]
                                                               or module.startswith(member[:-1] + "."))):
                return floor
    return None


def upward_imports(graph) -> set[tuple[str, str]]:
    return {(importer, imported) for importer, targets in graph.items() for imported in targets
            if ORDER.index(floor_of(importer)) < ORDER.index(floor_of(imported))}


def test_every_module_has_a_floor():
    unplaced = sorted(module for module in import_graph() if floor_of(module) is None)
    assert not unplaced, f"give each new module a floor in FLOORS (docs/architecture.md): {unplaced}"


def test_imports_only_go_down():
    found = sorted(upward_imports(import_graph()))
    assert not found, "imports from a floor above (move the shared piece down, or the importer up): " + ", ".join(
        f"{a} [{floor_of(a)}] -> {b} [{floor_of(b)}]" for a, b in found)


def test_the_floor_check_catches_a_planted_upward_import():
    graph = {"microsim.errors": {"microsim.cli"}, "microsim.cli": {"microsim.errors"}}
    assert upward_imports(graph) == {("microsim.errors", "microsim.cli")}


PUBLIC_API = ["microsim.modules:programme", "microsim.benefit:pay",
              "microsim.synth:synthesize", "microsim.io:read_population", "microsim.io:write_population",
              "microsim.scenario:load_scenario", "microsim.run:simulate_year", "microsim.projection:run_projection",
              "microsim.cli:main"]


def test_the_documented_public_api_is_importable():
    """docs/architecture.md lists these; a move keeps each one working (through an alias if need be)."""
    import importlib

    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    for entry in PUBLIC_API:
        module, name = entry.split(":")
        assert callable(getattr(importlib.import_module(module), name)), entry
        assert f"`{module}.{name}`" in text, f"{entry} is not listed in docs/architecture.md"
    from microsim.modules import ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "microsim.programmes"


def test_each_public_alias_is_the_moved_module_itself():
    """So a plug-in that patches or registers through the old path acts on the one module."""
    import importlib

    for alias, target in PUBLIC_ALIASES.items():
        assert importlib.import_module(alias) is importlib.import_module(target), alias


def test_a_new_module_goes_in_a_floor_folder_not_beside_them():
    """The folder shows the floors: only the base, the command line and the public aliases sit at the top."""
    top = {module for module in import_graph() if module.count(".") == 1 and not (PACKAGE / module.split(".")[1]).is_dir()}
    allowed = {member for floor in ("base", "cli", "public aliases") for member in FLOORS[floor]}
    assert not sorted(top - allowed), f"put these in a floor's folder (docs/architecture.md): {sorted(top - allowed)}"


# ---- imports at the file's head ------------------------------------------------------------------
# A file's head says what it depends on. Only the command line imports the package inside
# functions (each command body imports its study, so `microsim --help` stays fast); third-party
# libraries that cost a second to load (matplotlib, statsmodels, scipy, distributed) may be imported
# where they are used, with a comment saying why.
LAZY_ALLOWED = ("microsim.cli",)


def package_imports_inside_functions(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a ``microsim`` module inside a function of ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                names = ([alias.name for alias in inner.names] if isinstance(inner, ast.Import)
                         else [inner.module or "."] if isinstance(inner, ast.ImportFrom) else [])
                found += [(inner.lineno, name) for name in names
                          if name == "microsim" or name.startswith("microsim.") or name.startswith(".")]
    return sorted(set(found))


def test_imports_of_the_package_sit_at_the_head_of_each_file():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if module == "microsim.cli" or module.startswith(LAZY_ALLOWED[0] + "."):
            continue
        found += [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
                  for line, name in package_imports_inside_functions(path.read_text())]
    assert not found, "move these imports to the head of the file (docs/architecture.md): " + "; ".join(found)


def test_the_head_check_finds_a_planted_import_inside_a_function():
    source = "import os\nfrom microsim import paths\n\ndef f():\n    x = 1\n    from microsim.studies import run\n"
    assert package_imports_inside_functions(source) == [(6, "microsim.studies")]
    assert package_imports_inside_functions("def g():\n    import numpy\n") == []


# ---- no programme named outside its own file -------------------------------------------------------
# Costing, the workbook and the reports learn what they need from a programme's declaration
# (microsim.engine.modules.programme: entity, counted_in_consumption, costing=...), never by
# testing its name. Validation against published caseloads names programmes on purpose (each
# published figure is about one programme), and so may the programmes' own files.
NAMES_ALLOWED_IN = ("microsim.programmes", "microsim.studies.model_validation")


def programme_names() -> set[str]:
    found = set()
    for path in (PACKAGE / "programmes").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "programme" and node.args:
                found.add(node.args[0].value)
    return found


def names_in(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) of every string constant in ``source`` that is one of ``names``, or starts with
    one followed by a dot (a parameter path such as ``"shock_response.amount"``)."""
    hits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            hits += [(node.lineno, name) for name in names if node.value == name or node.value.startswith(name + ".")]
    return sorted(set(hits))


def test_no_programme_is_named_outside_its_own_file():
    names = programme_names()
    assert {"maternity_allowance", "shock_response", "social_pension"} <= names
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if any(module == allowed or module.startswith(allowed + ".") for allowed in NAMES_ALLOWED_IN):
            continue
        found += [f"{path.relative_to(PACKAGE.parent)}:{line} names {name}" for line, name in names_in(path.read_text(), names)]
    assert not found, ("declare what the code needs on the programme (docs/architecture.md) instead of testing its "
                       "name: " + "; ".join(found))


def test_the_name_check_finds_a_planted_name():
    source = 'x = 1\nif name == "shock_response":\n    y = "shock_response.amount"\nz = "shock"\n'
    assert names_in(source, {"shock_response"}) == [(2, "shock_response"), (3, "shock_response")]
