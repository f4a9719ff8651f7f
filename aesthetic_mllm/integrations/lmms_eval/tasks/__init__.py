"""Task YAML and functions for lmms-eval (loaded by lmms-eval from this folder, not imported)."""
