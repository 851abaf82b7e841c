"""Reports the fund hands to the world and to other systems (IATI now; annual and results reports later).

Each report is two steps: a builder that queries and returns plain data (dataclasses), and a renderer that
turns that data into a file and never queries. The builders reuse the domains' services and the ledger's
aggregates, so a figure in a report is the figure on the pages.
"""
