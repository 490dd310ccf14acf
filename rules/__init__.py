"""rnnlint's rules: one module per rule, named `rnnNNN_<name>.py`, discovered by walking this package."""
