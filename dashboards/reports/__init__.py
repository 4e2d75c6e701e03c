"""The reports of the read side, one module each, in the shape of PostHog's query runners:
a small class built from a scope (dashboards.scope) and a period that answers in a fixed
number of queries. The pages, their CSV downloads and `manage.py report` all use them, so
a number is computed in one place."""
