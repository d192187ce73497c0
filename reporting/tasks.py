"""Background tasks of the reporting app (Django's tasks framework)."""

from django.tasks import task


@task
def render_report(render_id: int) -> None:
    """Generate a report PDF; progress and failures are stored on the render."""
    from reporting.services import report_render_run

    report_render_run(render_id)


@task
def run_import(job_id: int) -> None:
    """Import an uploaded workbook; progress, result and problems are stored on the job."""
    from reporting.records.jobs import import_job_run

    import_job_run(job_id)
