"""Proactive: risk of churn per customer with its reasons, and next-best-action playbooks."""
