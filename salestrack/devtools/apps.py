from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Developer tooling: the demo organisation (`seed_demo`), the benchmark (`bench`) and
    the load test (`loadtest/`). Installed when DEVTOOLS is on (by default with DEBUG, and
    by the Makefile's bench and load targets), never in a production image."""

    name = "salestrack.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
