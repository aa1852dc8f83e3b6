"""Rendering: number formats, Markdown and HTML from the same blocks, and the package's purity."""

import ast
from pathlib import Path

import behavlab.report
from behavlab.report.blocks import Bullets, Heading, Image, Paragraph, Table
from behavlab.report.formats import num, pvalue
from behavlab.report.markup import to_html, to_markdown

FORBIDDEN = ("behavlab.db", "behavlab.models", "behavlab.services", "behavlab.cli", "behavlab.tui")
FORBIDDEN_EXTERNAL = ("sqlmodel", "sqlalchemy", "typer", "textual", "alembic")


def test_numbers_and_p_values() -> None:
    assert num(-40.36852) == "-40.37" and num(3) == "3" and num(None) == "n/a" and num(float("nan")) == "n/a"
    assert num(0.000123456) == "0.0001235"
    assert pvalue(0.04567) == "0.046" and pvalue(0.0001234) == "1.23e-04"
    assert pvalue(0.0) == "< 1e-16" and pvalue(float("nan")) == "n/a"


def test_markdown_and_html_say_the_same_and_escape() -> None:
    blocks = [
        Heading(1, "Study <A>"),
        Paragraph("blind", banner=True),
        Bullets(("one", "two")),
        Table(("a|b", "c"), (("1", "<2>"),), "cap"),
        Image("fig.png", 'a "figure"'),
    ]
    markdown = to_markdown(blocks)
    assert markdown.startswith("# Study \\<A\\>\n\n> **blind**")
    assert "| a\\|b | c |\n|---|---|\n| 1 | <2\\> |" in markdown
    assert '![a "figure"](fig.png)' in markdown
    page = to_html(blocks, "t")
    assert "<h1>Study &lt;A&gt;</h1>" in page and '<p class="banner">blind</p>' in page
    assert "<td>&lt;2&gt;</td>" in page and "<caption>cap</caption>" in page
    assert '<img src="fig.png" alt="a &quot;figure&quot;">' in page
    assert page.startswith("<!DOCTYPE html>") and "<ul><li>one</li><li>two</li></ul>" in page


def test_the_report_package_imports_no_database_cli_or_tui() -> None:
    package = Path(behavlab.report.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{source.name} imports {name}"
                assert name.split(".")[0] not in FORBIDDEN_EXTERNAL, f"{source.name} imports {name}"
