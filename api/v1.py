"""The API under /api/v1/ (docs/api.md): django-ninja, with our errors, our limits and the
docs page from ninja's own static files (swagger-ui), under the site's CSP."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import activities, call_events, email_events, errors, pipeline, reports
from api.auth import AUTH
from api.errors import PROBLEM


class SalesTrackAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are application/problem+json, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(status) >= 400 and content and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        return schema


api = SalesTrackAPI(
    title="SalesTrack API",
    version="1",
    description="Read and write SalesTrack's activity, pipeline and reports. See docs/api.md.",
    urls_namespace="api_v1",
    auth=AUTH,
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", activities.router)
api.add_router("", pipeline.router)
api.add_router("", reports.router)
api.add_router("", call_events.router)
api.add_router("", email_events.router)
