"""The demo fund: deterministic data that reproduces the Secretary-General's report (A/76/642).

It sits on top of the domains, like reports and api, and calls their services only.
"""

#: The published password of every demo account (DESIGN.md, README).
DEMO_PASSWORD = "fundapp-demo"  # noqa: S105  (public on purpose)
