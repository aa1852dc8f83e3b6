"""`behavlab.services` imports each public name from its home module on first use, as its types declare."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import behavlab.services as services


def typed_imports() -> dict[str, tuple[str, str]]:
    """The names the package's TYPE_CHECKING block imports: public name -> (module, name there)."""
    tree = ast.parse(Path(services.__file__).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    return {
        alias.asname or alias.name: (node.module or "", alias.name)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_run_time_homes_are_the_imports_type_checkers_read() -> None:
    assert typed_imports() == services._WHERE
    assert sorted(services.__all__) == sorted(typed_imports())


def test_every_public_name_resolves_to_its_home_modules_value() -> None:
    for name, (module, attribute) in services._WHERE.items():
        assert getattr(services, name) is getattr(importlib.import_module(module), attribute), name


def test_a_function_named_like_its_module_stays_the_function_whichever_is_imported_first() -> None:
    code = (
        "import behavlab.services.study_state, behavlab.services.fst_outcomes; "
        "from behavlab.services import study_state, fst_outcomes; "
        "print(callable(study_state), callable(fst_outcomes))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["True", "True"]


def test_importing_the_package_loads_no_service() -> None:
    code = (
        "import sys, behavlab.services; print([m for m in sys.modules if m.startswith('behavlab.services.')])"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
