"""Applying fixes: `--fix`, `--unsafe-fixes` and `--diff`.

    text ─► lint (no confirmation) ─► apply the applicable, non-overlapping fixes ─► re-lint ─► … (at most 10 passes)
         ─► the result must parse (libcst) ─► written atomically in the file's own encoding and newlines

A fix is a set of edits (1-based line/column spans, end exclusive, columns in characters) from one finding.
Fixes are applied together when none of their edits overlaps or touches an edit already chosen; a fix that
collides waits for the next pass, where it is recomputed on the new text (so fixes from several rules
compose). A result that does not parse is never returned: the original text comes back with the reason.

    edits.py     placing a fix's edits in a text; choosing fixes that do not collide
    loop.py      fix_source: lint, apply, re-lint until stable; the parse gate
    files.py     fix_file / fix_paths / unified_diff (--fix, --diff)
    notebook.py  fix_cells / fix_notebook: a notebook's code cells as one program
"""
from rnnlint.fix.edits import applicable, apply_edits, apply_fixes
from rnnlint.fix.files import FileFix, FixRun, fix_file, fix_paths, is_notebook, unified_diff
from rnnlint.fix.loop import MAX_ITERATIONS, FixResult, fix_source, parse_error
from rnnlint.fix.notebook import CellsFix, NotebookFix, fix_cells, fix_notebook

__all__ = ["MAX_ITERATIONS", "CellsFix", "FileFix", "FixResult", "FixRun", "NotebookFix", "applicable", "apply_edits",
           "apply_fixes", "fix_cells", "fix_file", "fix_notebook", "fix_paths", "fix_source", "is_notebook",
           "parse_error", "unified_diff"]
