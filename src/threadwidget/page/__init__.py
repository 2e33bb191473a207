"""The page protocol: what a browser view asks the kernel and what the kernel sends it."""
