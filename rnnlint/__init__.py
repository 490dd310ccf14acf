"""rnnlint: a static linter for Keras recurrent-network code."""
__version__ = "0.1.0"


def _checkout_rules() -> None:
    """Running from a source checkout that is not installed (`python -m rnnlint` in the repository): `rules/`
    is the `rnnlint.rules` package, as setuptools maps it at install time (pyproject.toml `package-dir`)."""
    import os
    import sys

    if os.path.isfile(os.path.join(os.path.dirname(__file__), "rules", "__init__.py")):
        return  # installed: the subpackage is there (and importlib.util, ~2 ms, is not imported)
    import importlib.util

    if "rnnlint.rules" in sys.modules or importlib.util.find_spec("rnnlint.rules") is not None:
        return
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")
    init = os.path.join(folder, "__init__.py")
    if not os.path.isfile(init):
        return
    spec = importlib.util.spec_from_file_location("rnnlint.rules", init, submodule_search_locations=[folder])
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["rnnlint.rules"] = module
    spec.loader.exec_module(module)


_checkout_rules()
