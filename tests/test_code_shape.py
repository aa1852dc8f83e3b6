"""The product code stays small enough to read: modules under 400 lines, functions under 60."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("behavlab", "cohorts", "analysis", "tracking", "writing")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def product_modules() -> list[Path]:
    """Every Python module of the product, migrations aside (they keep their history as written)."""
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """How many lines the function's docstring takes (its documentation is not its length)."""
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
        and first.end_lineno is not None
    ):
        return first.end_lineno - first.lineno + 1
    return 0


def long_functions(source: str, where: str) -> list[str]:
    """``where:line name (n lines)`` for each function or method of ``source`` longer than the limit.

    A function's length runs from its ``def`` (or first decorator) to its last line, less its docstring.
    """
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            length = node.end_lineno - start + 1 - docstring_lines(node)
            if length > MAX_FUNCTION_LINES:
                found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_the_product_has_modules_to_check() -> None:
    assert len(product_modules()) > 100


def test_no_module_is_longer_than_400_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for path in product_modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []


def test_no_function_is_longer_than_60_lines() -> None:
    found = [
        line
        for path in product_modules()
        for line in long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def short():\n    return 1\n", []),
        ("def long():\n" + "    x = 1\n" * 58 + "    return x\n", []),
        ("def long():\n" + "    x = 1\n" * 59 + "    return x\n", ["m:1 long (61 lines)"]),
        ("class C:\n    def method(self):\n" + "        pass\n" * 60, ["m:2 method (61 lines)"]),
        (
            'def documented():\n    """Doc.\n\n    More.\n    """\n' + "    x = 1\n" * 58 + "    return x\n",
            [],
        ),
        ("@decorated\ndef long():\n" + "    x = 1\n" * 58 + "    return x\n", ["m:2 long (61 lines)"]),
    ],
)
def test_the_function_check_counts_every_line_of_a_function(source: str, expected: list[str]) -> None:
    assert long_functions(source, "m") == expected
