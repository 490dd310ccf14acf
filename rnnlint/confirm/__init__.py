"""The checker: confirm each finding by building its model with the real Keras, in a worker process.

Importing this package never imports TensorFlow or Keras; the worker does, once per run, and only when
a finding has something to build that the cache does not already know.
"""
from __future__ import annotations

from rnnlint.confirm.repro import repro_script
from rnnlint.confirm.runner import confirm_findings

__all__ = ["confirm_findings", "repro_script"]
