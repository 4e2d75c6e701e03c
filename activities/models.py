"""The activity log. Depends on users and pipeline."""
