"""Listening: surveys, questions, invitations, responses and fatigue rules."""

__all__: list[str] = []
