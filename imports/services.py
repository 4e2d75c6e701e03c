"""Import jobs: stage an upload, check it and apply it on a Celery worker, exactly once.

The upload waits in IMPORT_STAGING_DIR (a directory of the app's own, mode 0700) as
`<token>.csv`, mode 0600: other accounts on the machine cannot read what a team uploads.
It is written there in chunks, as it arrives, and read back as a stream.

Both steps survive a worker that dies mid-way (the tasks ack late, so the broker hands
them to the next worker, and `import_jobs_resume` queues again what no worker finished):
the check writes nothing, and the apply writes its rows and marks its job applied in one
transaction, under a lock on the job, so a second delivery finds it applied and does
nothing. Two clicks on "Import" claim the job once (a conditional UPDATE).

A job never runs for ever (docs/operations.md#import-jobs): a task that cannot be handed
to the broker, or that dies in the request (no broker, the demo), fails its job with the
reason; a job still running RUNNING_AT_MOST after it started is failed by the purge and
the resume tasks.
"""

import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext

from imports import framework, registry
from imports.csvfile import CsvFile, TooManyColumns, UnreadableFile
from imports.models import RUNNING, ImportJob, ImportPreset, ImportStatus
from users.models import Role, Team, User
from webhooks import services as webhooks
from webhooks.models import Event

logger = logging.getLogger(__name__)

STAGED_FOR = timedelta(days=1)
# A running job that has not moved for this long lost its worker: queue it again.
STUCK_AFTER = timedelta(minutes=10)
PROGRESS_KEPT = 60 * 60  # seconds
# A job still queued, checking or applying this long after it started is given up: a
# 10 MB file checks and imports in well under a minute.
RUNNING_AT_MOST = timedelta(hours=1)


class ImportNotStaged(Exception):
    """No staged upload with this token for this person, or it was already used."""

    def __init__(self, message: str, job: ImportJob | None = None):
        super().__init__(message)
        self.job = job


def staging_dir() -> Path:
    """The staging directory, created private on first use (and made private again if
    someone loosened it)."""
    directory = Path(settings.IMPORT_STAGING_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    return directory


def staged_path(job: ImportJob) -> Path:
    return staging_dir() / f"{job.token}.csv"


def _write_private(path: Path, chunks: Iterable[bytes]) -> int:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(descriptor, "wb") as file:
        for chunk in chunks:
            file.write(chunk)
            size += len(chunk)
    return size


@transaction.atomic
def import_queue(
    *, by: User, kind: str, create_missing: bool, file_name: str, chunks: Iterable[bytes]
) -> ImportJob:
    """Stage an upload and queue its check (a dry run) on a worker. A header of more than
    MAX_COLUMNS columns raises ValidationError on `file`, and nothing stays: no job, no
    staged file (nor after any other error)."""
    registry.importer(kind)  # an unknown kind fails here, not on the worker
    job = ImportJob.objects.create(
        kind=kind, create_missing=create_missing, file_name=file_name[:255], created_by=by
    )
    path = staged_path(job)
    try:
        job.file_size = _write_private(path, chunks)
        job.header = CsvFile.from_path(path).header
    except TooManyColumns as error:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": capfirst(str(error))}) from error
    except UnreadableFile:
        job.header = []  # the check says what is wrong with it
    except BaseException:
        path.unlink(missing_ok=True)  # the job rolls back: its file goes with it
        raise
    if job.header and not framework.header_fits(kind, job.header):
        job.status = ImportStatus.MAPPING  # another tool's export: its owner maps it first
    job.save(update_fields=["file_size", "header", "status"])
    if job.status == ImportStatus.QUEUED:
        transaction.on_commit(lambda: _queue("check_import", job.pk))
    return job


@transaction.atomic
def import_map(*, by: User, job: ImportJob, mapping: dict, preset_name: str = "") -> ImportJob:
    """Keep the mapping its owner chose for another tool's export (and save it as a
    preset under `preset_name`: `import_preset_save`), then queue the check."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, created_by=by, status=ImportStatus.MAPPING
    ).update(mapping=mapping, status=ImportStatus.QUEUED)
    if not claimed:
        raise ImportNotStaged(
            gettext("%(file)s is already on its way.") % {"file": job.file_name}, job
        )
    if preset_name:
        import_preset_save(by=by, kind=job.kind, name=preset_name, mapping=mapping)
    transaction.on_commit(lambda: _queue("check_import", job.pk))
    job.refresh_from_db()
    return job


def preset_team(by: User) -> Team | None:
    """The team a person's saved presets belong to: the one team a manager manages. An
    admin's presets, or a manager's of several teams, are their own (team None)."""
    if by.role != Role.MANAGER:
        return None
    teams = list(Team.objects.filter(managers=by)[:2])
    return teams[0] if len(teams) == 1 else None


@transaction.atomic
def import_preset_save(*, by: User, kind: str, name: str, mapping: dict) -> ImportPreset:
    """Save a matching as a preset of `by`'s team (or of `by` alone: `preset_team`),
    replacing the one of that name there. A name another team uses is another preset:
    a team never overwrites another's (docs/contracts.md#csv-imports)."""
    team = preset_team(by)
    owner = {"team": team} if team is not None else {"team": None, "created_by": by}
    preset, _ = ImportPreset.objects.update_or_create(
        kind=kind,
        name=name.strip()[:80],
        **owner,
        defaults={"mapping": mapping, "created_by": by, "created_at": timezone.now()},
    )
    return preset


def import_task(task_name: str):
    """One of imports/tasks.py's tasks, by its registered name: the tasks module calls these
    services, so this one does not import it (no import circle), and .delay() still runs it
    in-process without a broker. A web process has not loaded the apps' tasks modules
    (Celery discovers them when a worker starts): they are loaded first, once."""
    current_app.loader.import_default_modules()
    return current_app.tasks[f"imports.tasks.{task_name}"]


def _queue(task_name: str, job_id: int) -> None:
    """Hand a job to the workers. If the broker cannot take it (down, say), the job fails
    with that reason rather than wait for ever; without a broker (tasks run in the
    request) an error of the task itself fails the job as a worker's would. Either way the
    person's upload or click is not lost to a 500. Without a broker and with
    IMPORTS_IN_THREAD (the demo), the job runs in a background thread instead, once what
    queued it has committed, so that its page shows its progress
    (docs/operations.md#import-jobs)."""
    task = import_task(task_name)
    if task.app.conf.task_always_eager and settings.IMPORTS_IN_THREAD:
        transaction.on_commit(lambda: _background().submit(_run_in_thread, task, job_id))
        return
    _hand_over(task, job_id)


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _background() -> ThreadPoolExecutor:
    """The process's one import thread, started on first use: jobs run one after another,
    as on a single worker."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-job")
        return _executor


def _run_in_thread(task, job_id: int) -> None:
    try:
        _hand_over(task, job_id)
    finally:
        connection.close()  # the thread's own connection, which no request closes


def _hand_over(task, job_id: int) -> None:
    try:
        task.delay(job_id)
    except Exception:
        in_process = task.app.conf.task_always_eager
        logger.exception(
            "%s for import job %s", "task failed" if in_process else "could not queue", job_id
        )
        import_fail(job_id=job_id, reason=None if in_process else NOT_QUEUED)


def import_check(*, job_id: int) -> ImportJob | None:
    """The worker's dry run: check every row and store what it found. Writes no row, so
    running it twice (a redelivery) is harmless."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.CHECKING]
    ).update(status=ImportStatus.CHECKING, started_at=timezone.now())
    if not claimed:
        return None  # checked already, or expired
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    path = staged_path(job)
    if not path.exists():
        return _end(job, ImportStatus.EXPIRED)
    report = framework.run_import_job(
        job.kind,
        path,
        by=job.created_by,
        dry_run=True,
        create_missing=job.create_missing,
        progress=_progress_keeper(job),
        mapping=job.mapping,
    )
    _store(job, report)
    if not report.ok:
        path.unlink(missing_ok=True)
    return _end(job, ImportStatus.CHECKED if report.ok else ImportStatus.REJECTED)


def import_confirm(*, by: User, token) -> ImportJob:
    """Queue the import of a checked upload. Only its owner confirms it, once: the claim is
    a conditional UPDATE (checked → applying), so a second click finds it taken. Raises
    ImportNotStaged for an unknown, used or expired token."""
    claimed = ImportJob.objects.filter(
        token=token, created_by=by, status=ImportStatus.CHECKED
    ).update(status=ImportStatus.APPLYING, started_at=timezone.now())
    job = ImportJob.objects.filter(token=token, created_by=by).first()
    if job is None:
        raise ImportNotStaged(gettext("That upload has expired; upload the file again."))
    if not claimed:
        message = {
            ImportStatus.APPLYING: gettext_noop("%(file)s is being imported already."),
            ImportStatus.APPLIED: gettext_noop("%(file)s is already imported; nothing changed."),
            ImportStatus.REJECTED: gettext_noop(
                "%(file)s has errors; fix them and upload it again."
            ),
            ImportStatus.MAPPING: gettext_noop("Match the columns of %(file)s first."),
            ImportStatus.QUEUED: gettext_noop("%(file)s is still being checked."),
            ImportStatus.CHECKING: gettext_noop("%(file)s is still being checked."),
        }.get(job.status, gettext_noop("That upload has expired; upload the file again."))
        raise ImportNotStaged(gettext(message) % {"file": job.file_name}, job)
    _queue("apply_import", job.pk)
    return job


def import_apply(*, job_id: int) -> ImportJob | None:
    """The worker's import. The rows and the job's new status commit together, under a
    lock on the job: a redelivered or duplicated task waits for the first, then finds the
    job applied and does nothing. The data may have changed since the check, so the file
    is checked again as it is written; with errors, nothing is written."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .select_related("created_by")
            .filter(pk=job_id, status=ImportStatus.APPLYING)
            .first()
        )
        if job is None:
            return None
        path = staged_path(job)
        if not path.exists():
            return _end(job, ImportStatus.EXPIRED)
        report = framework.run_import_job(
            job.kind,
            path,
            by=job.created_by,
            create_missing=job.create_missing,
            progress=_progress_keeper(job),
            mapping=job.mapping,
        )
        _store(job, report)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
        return _end(job, ImportStatus.APPLIED if report.ok else ImportStatus.REJECTED)


# A failed job's summary is stored as its reason's English text (a msgid) and looked up in
# the reader's language when shown (ImportJob.summary_text, docs/contracts.md#stored-sentences).
CRASHED = gettext_noop("Something went wrong on our side; nothing was imported. Try again.")


NOT_QUEUED = gettext_noop(
    "The file could not be handed to a worker (the task queue did not answer); "
    "nothing was imported. Upload it again in a few minutes."
)


def _too_slow() -> str:
    hours = int(RUNNING_AT_MOST.total_seconds() // 3600)
    return ngettext(
        "The import did not finish within %(hours)s hour, so it was stopped; "
        "nothing was imported. Upload the file again.",
        "The import did not finish within %(hours)s hours, so it was stopped; "
        "nothing was imported. Upload the file again.",
        hours,
    ) % {"hours": hours}


def import_fail(*, job_id: int, reason: str | None = None) -> bool:
    """A task gave up (after its retries), could not be queued, or ran too long: say so
    on the job, with `reason` (a crash's by default), rather than leave it running for
    ever. Nothing was written (the apply is one transaction). A conditional UPDATE: a job
    that an apply is finishing keeps what the apply says. Returns whether it failed it."""
    with transaction.atomic():
        failed = ImportJob.objects.filter(pk=job_id, status__in=RUNNING).update(
            status=ImportStatus.FAILED,
            summary=reason or CRASHED,
            finished_at=timezone.now(),
        )
        if failed:
            job = ImportJob.objects.select_related("created_by").get(pk=job_id)
            _publish_finished(job)
    if failed:
        cache.delete(_progress_key(job))
        staged_path(job).unlink(missing_ok=True)
    return bool(failed)


def _store(job: ImportJob, report) -> None:
    job.rows = report.rows
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.error_count = report.error_count
    job.errors = report.errors
    job.notes = report.notes
    job.summary = report.summary()


@transaction.atomic
def _end(job: ImportJob, status: str) -> ImportJob:
    job.status = status
    if status != ImportStatus.CHECKED:
        job.finished_at = timezone.now()
    job.save()
    if status in (ImportStatus.APPLIED, ImportStatus.REJECTED):
        _publish_finished(job)
    cache.delete(_progress_key(job))
    return job


def _publish_finished(job: ImportJob) -> None:
    """`import.finished` to the outbound webhooks (docs/api.md#webhook-events): applied, rejected
    or failed, in the transaction that says so."""
    by = job.created_by
    data = {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "file_name": job.file_name,
        "rows": job.rows,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "errors": job.error_count,
        "summary": job.summary,
        "by": {"id": by.pk, "email": by.email, "name": by.full_name},
        "finished_at": job.finished_at,
    }
    # The receiver has no language of its own: the site's, whoever's request failed the job.
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "name": by.full_name,
            "file": job.file_name,
            "kind": job.kind,
            "summary": job.summary_text,
        }
        if job.status == ImportStatus.APPLIED:
            text = gettext("%(name)s imported %(file)s (%(kind)s): %(summary)s") % names
        elif job.status == ImportStatus.REJECTED:
            text = (
                gettext("%(name)s's import of %(file)s (%(kind)s) was rejected: %(summary)s")
                % names
            )
        else:
            text = gettext("%(name)s's import of %(file)s (%(kind)s) failed: %(summary)s") % names
    webhooks.publish(event=Event.IMPORT_FINISHED, data=data, text=text)


# Progress -----------------------------------------------------------------------------------


def _progress_key(job: ImportJob) -> str:
    return f"import-progress:{job.token}"


def _progress_keeper(job: ImportJob):
    """What the importer calls as it goes: kept in the cache, outside the job's
    transaction, so that the page sees it while the rows are still uncommitted."""

    def progress(phase: str, done: int, total: int) -> None:
        cache.set(
            _progress_key(job),
            {"phase": phase, "done": done, "total": total, "at": timezone.now().timestamp()},
            PROGRESS_KEPT,
        )

    return progress


def import_progress(job: ImportJob) -> dict | None:
    """{"phase": reading|checking|writing, "done", "total", "percent"} of a running job, or
    None before its worker starts."""
    progress = cache.get(_progress_key(job)) if job.running else None
    if progress is None:
        return None
    total = progress["total"]
    progress["percent"] = round(100 * progress["done"] / total) if total else None
    return progress


# Housekeeping -------------------------------------------------------------------------------


def import_jobs_resume(*, now=None) -> int:
    """Queue again the jobs whose worker went away (killed, restarted) before finishing.
    Both steps are idempotent, so a job that was only slow is merely checked twice. A
    job running past RUNNING_AT_MOST is failed instead (a file that kills its worker
    every time is not queued for ever). Returns how many were queued."""
    now = now or timezone.now()
    import_jobs_give_up(now=now)
    stuck = ImportJob.objects.filter(status__in=RUNNING, created_at__lt=now - STUCK_AFTER)
    queued = 0
    for job in stuck:
        progress = cache.get(_progress_key(job))
        if progress and now.timestamp() - progress["at"] < STUCK_AFTER.total_seconds():
            continue  # still moving
        _queue("apply_import" if job.status == ImportStatus.APPLYING else "check_import", job.pk)
        queued += 1
    return queued


def import_jobs_give_up(*, now=None) -> int:
    """Fail the jobs still running RUNNING_AT_MOST after they started: a check (or a
    queued job) counts from its upload, an apply from its confirmation. Returns how many
    were failed."""
    now = now or timezone.now()
    late = now - RUNNING_AT_MOST
    jobs = ImportJob.objects.filter(
        Q(status__in=[ImportStatus.QUEUED, ImportStatus.CHECKING], created_at__lt=late)
        | Q(status=ImportStatus.APPLYING, started_at__lt=late)
    ).values_list("pk", flat=True)
    return sum(import_fail(job_id=pk, reason=_too_slow()) for pk in jobs)


def import_staging_purge(*, older_than: timedelta = STAGED_FOR, now=None) -> int:
    """Fail the jobs running past RUNNING_AT_MOST, delete staged files older than
    `older_than` (and any stray file), and mark their unconfirmed jobs expired. Returns
    how many files were deleted."""
    now = now or timezone.now()
    import_jobs_give_up(now=now)
    cutoff = now - older_than
    ImportJob.objects.filter(
        status__in=[ImportStatus.CHECKED, ImportStatus.MAPPING], created_at__lt=cutoff
    ).update(status=ImportStatus.EXPIRED, finished_at=now)
    running = ImportJob.objects.filter(status__in=RUNNING).values_list("token", flat=True)
    in_use = {f"{token}.csv" for token in running}
    deleted = 0
    for path in staging_dir().iterdir():
        if path.name in in_use:
            continue
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
