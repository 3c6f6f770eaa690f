"""plainnet's version, in a module of its own so that submodules can read it
without importing the ``plainnet`` package back."""

__version__ = "0.1.0"
