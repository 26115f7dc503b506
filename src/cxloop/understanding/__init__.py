"""Understanding: enrichment of customer text with offline models."""

__all__: list[str] = []
