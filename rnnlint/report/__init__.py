"""Reporters: turn a `RunResult` into output. A reporter never analyses."""
from __future__ import annotations

FORMATS = ("text", "json", "github", "sarif", "junit")
