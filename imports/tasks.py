"""Celery tasks of the imports: thin wrappers that call a service.

Import tasks ack late and are rejected (so requeued) when their worker process dies: the
services make running them twice harmless. When a task gives up after its retries, its job
says so (`on_failure`) rather than stay "running" for ever."""

from celery import Task, shared_task
from django.db import OperationalError

from imports import services


class ImportTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OperationalError,)
    retry_backoff = True
    max_retries = 3

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.import_fail(job_id=args[0])


@shared_task(base=ImportTask)
def check_import(job_id: int) -> str | None:
    job = services.import_check(job_id=job_id)
    return job and job.status


@shared_task(base=ImportTask)
def apply_import(job_id: int) -> str | None:
    job = services.import_apply(job_id=job_id)
    return job and job.status


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def resume_import_jobs() -> int:
    """Every few minutes: queue again the import jobs that lost their worker."""
    return services.import_jobs_resume()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_staged_imports() -> int:
    """Nightly: delete staged uploads older than a day. Returns how many files went."""
    return services.import_staging_purge()
