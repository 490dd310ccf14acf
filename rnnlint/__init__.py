"""rnnlint: a static linter for Keras recurrent-network code."""
__version__ = "0.1.0"
