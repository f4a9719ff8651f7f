"""Adapters that run our models inside other tools (lmms-eval); each imports its tool lazily."""
