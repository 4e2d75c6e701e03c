"""Our own import files (docs/contracts.md), as the importers' tests write them: each kind's
header, an activity row with a cell or two changed, and a file's bytes."""

ACTIVITY_HEADER = (
    "date,rep_email,kind,outcome,prospect_status,quantity,duration_minutes,"
    "prospect_external_id,opportunity_external_id,notes"
)
PROSPECT_HEADER = "external_id,name,company,email,phone,lead_source,owner_email,created_on"
OPPORTUNITY_HEADER = (
    "external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,opened_on,"
    "expected_close_on,closed_on,lead_source,product"
)


def csv_bytes(*lines: str, bom=False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode()


def activity_line(email="ana@example.com", day="2026-03-02", **cells):
    values = {
        "kind": "call",
        "outcome": "connected",
        "prospect_status": "new",
        "quantity": "1",
        "duration_minutes": "",
        "prospect": "",
        "opportunity": "",
        "notes": "",
    } | cells
    return ",".join(
        [
            day,
            email,
            values["kind"],
            values["outcome"],
            values["prospect_status"],
            values["quantity"],
            values["duration_minutes"],
            values["prospect"],
            values["opportunity"],
            values["notes"],
        ]
    )
