"""plainnet's version, in a module of its own so that any module (the CLI, the
model files) can read it without importing the package ``__init__``."""

__version__ = "0.1.0"
