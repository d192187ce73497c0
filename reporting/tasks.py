"""Background tasks of the reporting app (Django's tasks framework)."""

from django.tasks import task


@task
def render_report(render_id: int) -> None:
    """Generate a report PDF; progress and failures are stored on the render."""
    from reporting.services import report_render_run

    report_render_run(render_id)
