from django import template

from pipeline.engagement import engagement as engagement_on

register = template.Library()


@register.filter
def engagement(prospect, today):
    """{{ prospect|engagement:today }}: the prospect's Engagement on that day."""
    return engagement_on(prospect.last_response_on, today)
