"""`python -m rnnlint`."""
import os
import sys

# `python -m` put the working folder first on sys.path; when that folder is the project being linted, a module
# of the project named like one rnnlint imports later (json.py, libcst.py, keras.py) would be run. Drop it.
if sys.path and not getattr(sys.flags, "safe_path", False) and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from rnnlint.launch import entry  # noqa: E402

if __name__ == "__main__":
    entry()
