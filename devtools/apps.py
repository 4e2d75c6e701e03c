from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Developer tooling: the demo organisation (`seed_demo`), the benchmark (`bench`) and
    the load test (`loadtest/`). Installed only where settings.DEVTOOLS is on (by default
    with DEBUG); production images do not have these commands. It drives the other apps
    through their services, commands and pages, and like every app never imports
    dashboards."""

    name = "devtools"
    label = "devtools"
    verbose_name = "Developer tools"
