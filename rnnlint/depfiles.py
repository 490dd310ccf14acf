"""The names of the files that declare a project's dependencies: rnnlint.declared reads them, and a replayed run
(rnnlint.replay) checks them before importing anything else of rnnlint — so this module stays light."""
from __future__ import annotations

DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "environment.yml", "environment.yaml")


def is_requirements_name(name: str) -> bool:
    """Whether a file of this name is read as a pip requirements file: requirements*.txt in any case, on one line
    (without `re`, which a replayed run would import for this alone: 3.6 ms)."""
    folded = name.lower()
    return folded.startswith("requirements") and folded.endswith(".txt") and "\n" not in name
