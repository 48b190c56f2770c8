"""Background tasks of the CMDB (django-tasks). Tasks take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .services.imports import jobs


@task()
def run_import_job(job_id: int) -> str:
    """Check or import the file of a queued import job, with its progress on the job."""
    return jobs.run_job(int(job_id))
