"""Discovery of the policy modules: the built-in programmes, those of installed packages (entry
points in the group ``microsim.programmes``) and the benefits defined in YAML alone
(``policies/benefits/``). It sits above :mod:`microsim.engine.modules` (the declarations) and
:mod:`microsim.engine.yaml_benefits` (which declares modules from YAML), so neither imports the other's
discovery."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

import microsim.programmes as builtin
from microsim.errors import SpecError
from microsim.engine.modules import ENTRY_POINT_GROUP, REGISTRY, Module
from microsim.engine.yaml_benefits import register_all

_discovered = False


def discover() -> dict[str, Module]:
    """All modules: the built-in ones, those of installed packages (entry points), and the benefits
    defined in YAML (policies/benefits/, :mod:`microsim.engine.yaml_benefits`)."""
    global _discovered
    if not _discovered:
        for info in pkgutil.iter_modules(builtin.__path__):
            importlib.import_module(f"{builtin.__name__}.{info.name}")
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                ep.load()
            except Exception as e:  # a broken third-party package must say so, not crash silently
                raise SpecError(f"The module package {ep.value!r} (entry point {ep.name!r} in group "
                                f"{ENTRY_POINT_GROUP}) failed to load: {e}") from e
        register_all()  # benefits defined in YAML alone (policies/benefits/)
        _discovered = True
    return dict(REGISTRY)
