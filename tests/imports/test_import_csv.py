"""`manage.py import_csv` (imports/management/commands/import_csv.py): exit 1
with every bad row listed, a dry run, and progress bars on a terminal only."""

import io

import pytest
from django.core.management import CommandError, call_command

from activities.models import Activity
from tests.import_files import ACTIVITY_HEADER, activity_line, csv_bytes


def test_the_command_exits_1_and_lists_every_bad_row(rep, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(ACTIVITY_HEADER, activity_line(quantity="0"), activity_line(outcome="sent"))
    )
    with pytest.raises(CommandError) as error:
        call_command("import_csv", "activities", str(path))
    assert error.value.returncode == 1
    err = capsys.readouterr().err
    assert "line 2, column quantity" in err
    assert "line 3, column outcome" in err
    assert not Activity.objects.exists()


def test_the_command_imports_and_reports(rep, tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(ACTIVITY_HEADER, activity_line()))
    call_command("import_csv", "activities", str(path), "--dry-run")
    assert "Dry run: 1 rows: 1 would be created" in capsys.readouterr().out
    assert not Activity.objects.exists()
    call_command("import_csv", "activities", str(path))
    assert Activity.objects.count() == 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(("stream", "shows_bars"), [(io.StringIO, False), (_Terminal, True)])
def test_the_command_shows_progress_bars_on_a_terminal_only(rep, tmp_path, stream, shows_bars):
    path = tmp_path / "week.csv"
    path.write_bytes(csv_bytes(ACTIVITY_HEADER, activity_line(), activity_line(quantity="2")))
    errors, out = stream(), io.StringIO()
    call_command("import_csv", "activities", str(path), stdout=out, stderr=errors)
    assert "2 rows: 2 were created" in out.getvalue()
    shown = errors.getvalue()
    assert ("Checking" in shown and "Writing" in shown and "rows" in shown) == shows_bars
    if not shows_bars:
        assert shown == ""  # a script sees the summary and nothing else
