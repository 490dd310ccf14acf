"""The names of the files that declare a project's dependencies: rnnlint.declared reads them, and a replayed run
(rnnlint.replay) checks them before importing anything else of rnnlint — so this module stays light."""
from __future__ import annotations

import re

DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "environment.yml", "environment.yaml")
_REQUIREMENTS = re.compile(r"requirements.*\.txt$", re.IGNORECASE)


def is_requirements_name(name: str) -> bool:
    """Whether a file of this name is read as a pip requirements file (requirements*.txt)."""
    return _REQUIREMENTS.match(name) is not None
