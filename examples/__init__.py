"""Examples of extending btoagents (importable from the repository root)."""
