"""Reading and writing threads in files; one module per format."""

from .native import ThreadFileError, read_thread, write_thread

__all__ = ["ThreadFileError", "read_thread", "write_thread"]
