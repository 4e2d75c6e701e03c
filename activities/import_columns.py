"""The columns of SalesTrack's own import files (DESIGN.md §8), which the importers read
and another tool's export is mapped onto (activities.import_mapping)."""

KINDS = ("users", "prospects", "opportunities", "activities")

# Required and optional columns of each file; any other column is an error.
COLUMNS = {
    "users": (["email", "full_name", "role", "team"], ["joined_on"]),
    "prospects": (
        ["external_id", "name", "owner_email"],
        ["company", "email", "phone", "lead_source", "created_on"],
    ),
    "opportunities": (
        [
            "external_id",
            "name",
            "owner_email",
            "prospect_external_id",
            "amount",
            "revenue_type",
            "stage",
            "opened_on",
        ],
        ["expected_close_on", "closed_on", "lead_source", "product"],
    ),
    "activities": (
        ["date", "rep_email", "kind", "outcome", "quantity"],
        [
            "prospect_status",
            "duration_minutes",
            "prospect_external_id",
            "opportunity_external_id",
            "notes",
        ],
    ),
}
