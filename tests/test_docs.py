"""The rule pages in docs/rules/ are generated from the rule modules; a stale page fails the suite."""
from __future__ import annotations

import ast

from rnnlint.docgen import DOCS, pages
from rnnlint.rule import all_rules


def test_rule_pages_are_up_to_date():
    stale = [name for name, text in pages().items()
             if not (DOCS / name).exists() or (DOCS / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"run `python -m rnnlint.docgen` to regenerate {stale}"


def test_every_rule_has_a_page_and_its_examples_parse():
    names = set(pages())
    for rule in all_rules():
        assert f"{rule.code}.md" in names
        for example in (*rule.VALID, *rule.INVALID):
            ast.parse(example.source)


def test_readme_rule_table_is_generated_from_the_rules():
    from rnnlint.docgen import README, readme_with_table

    readme = README.read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run `python -m rnnlint.docgen` to regenerate the README's table"
    for code, name, _, fix, _ in __import__("rnnlint.rule", fromlist=["rule_table"]).rule_table():
        assert f"| [{code}](docs/rules/{code}.md) | {name} |" in readme and fix in readme
