"""The sources stage: files on disk (Python, notebooks) → `Source` (decoded text, and for a notebook where each
code cell sits in it), and the writes `--fix` makes.

    files.py     read and decode bytes (PEP 263), readers by suffix, atomic encoding-preserving writes
    notebook.py  .ipynb → one program of code cells (IPython lines neutralised), positions back to cells
    types.py     Source, Cell, SourceError
"""
from rnnlint.sources.files import (READERS, WriteError, decode_python, detect_encoding, looks_like_notebook,
                                   read_bytes, read_exact, read_source, read_text, write_atomic)
from rnnlint.sources.types import Cell, Source, SourceError

__all__ = ["READERS", "Cell", "Source", "SourceError", "WriteError", "decode_python", "detect_encoding",
           "looks_like_notebook", "read_bytes", "read_exact", "read_source", "read_text", "write_atomic"]
