"""Background tasks of the records' exchange (Django's tasks framework)."""

from django.tasks import task


@task
def run_import(job_id: int) -> None:
    """Import an uploaded workbook; progress, result and problems are stored on the job."""
    from exchange.jobs import import_job_run

    import_job_run(job_id)


@task
def run_export(job_id: int) -> None:
    """Write an export asked from the interface; progress and file are stored on the job."""
    from exchange.export_jobs import export_job_run

    export_job_run(job_id)
