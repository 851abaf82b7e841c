"""The demo fund: deterministic data that reproduces the Secretary-General's report (A/76/642).

It sits on top of the domains, like reports and api, and calls their services only.
"""
