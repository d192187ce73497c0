"""Background tasks of the records' exchange (Django's tasks framework)."""

from django.tasks import task


@task
def run_import(job_id: int) -> None:
    """Import an uploaded workbook; progress, result and problems are stored on the job."""
    from exchange.jobs import import_job_run

    import_job_run(job_id)
