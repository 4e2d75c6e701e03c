"""Team targets, individual quotas and the working-day calendar. Depends on users only."""
