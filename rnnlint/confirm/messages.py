"""Turn a Keras exception into one informative line for a finding's detail."""
from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_ARRAY = re.compile(r"\[\[[-+0-9.eE\s\[\]naif,]*\]\]")  # a printed array of values
_TF_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")  # TensorFlow's op-location prefix
_GENERIC = (
    "exception encountered when calling", "arguments received by", "exception encountered",
    "traceback", "call arguments received", "error when checking",
)
MAX_DETAIL = 300


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def informative_line(message: str) -> str:
    """The first line of `message` that says what went wrong (not a generic Keras preamble)."""
    text = _TF_NODE.sub("", _ARRAY.sub("<array>", strip_ansi(message)))
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and lines[0].lower().startswith("graph execution error"):  # TensorFlow: the cause is at the end
        cause = [line for line in lines if not line.startswith(("File ", "[[", "Detected at node"))
                 and not line.lower().startswith("graph execution error")]
        if cause:
            return _shorten(cause[-1])
    for line in lines:
        lowered = line.lower()
        if lowered.startswith(_GENERIC) or line.startswith(("•", "-", "*")):
            continue
        return _shorten(line)
    return _shorten(lines[0]) if lines else ""


def describe_exception(exc: BaseException) -> str:
    """`ExceptionType: informative line of the message`."""
    line = informative_line(str(exc))
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def _shorten(line: str) -> str:
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"


__all__ = ["strip_ansi", "informative_line", "describe_exception"]
