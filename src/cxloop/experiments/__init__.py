"""Experiments: randomized arms, exposure, and the effect of a stimulus on any metric."""
