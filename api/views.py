"""Settings → API tokens (docs/api.md#tokens)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST


@login_required
def token_list(request):
    return HttpResponse("")


@require_POST
@login_required
def token_revoke(request, pk):
    return HttpResponse("")
