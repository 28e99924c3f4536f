"""Learner checks for part 1 (chapters 1-6)."""

__all__: list[str] = []
