"""Renderers: pure functions of the advice (terminal output alone uses Rich)."""
