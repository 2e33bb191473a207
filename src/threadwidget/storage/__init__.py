"""Where one engine's thread is kept: memory, a file, a shared database thread, the hub service."""
