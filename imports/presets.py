"""Known presets: how the exports of HubSpot, Pipedrive and Salesforce map onto our import
columns, so that a team moving to SalesTrack confirms a mapping instead of building one.

Built from each tool's export as its users get it (headers are the tools' field labels):
- HubSpot: the CSV export of an object's index page (Contacts, Deals, Calls); dates as
  "2025-03-03 09:30"; owners as names.
- Pipedrive: the list view export, every header prefixed with its entity ("Deal - Title";
  an unprefixed "Title" fits too); dates ISO, times "2025-03-03 09:30:00".
- Salesforce: a report exported with "Details Only" in a US-English locale; dates
  "3/3/2025", amounts possibly "$25,000.00".

What none of them can know, the user maps in the mapping step:
- owner_email / rep_email: their exports name owners ("Maria Lopez"), so these columns
  carry an empty value map (every row is an error until it is filled); fill it with
  `suggest_values(names, {email: full name})`.
- revenue_type (opportunities): no tool has it; the user gives a constant or a column.
- stage values map their default pipelines onto our default stages (Qualified,
  Meeting/Demo, Proposal, Negotiation, Won, Lost); an organisation that renamed stages, or
  uses custom ones in the other tool, corrects the map (`suggest_values` helps).
- links between files (a deal's contact id, an activity's contact and deal ids) are not in
  the default exports; when the user adds them ("Contact ID", "Person - ID", "Associated
  Contact IDs"), `propose` maps them by name.
- activity outcomes: Pipedrive and Salesforce tasks record no outcome, so a done call is
  "connected", an email "sent", a meeting "held_neutral" (Salesforce's Call Result and
  Pipedrive's Undone refine it); the user can change these value maps.
"""

from imports.mapping import Mapping

# Their activity types -> our kinds, and the outcome a done one has when nothing says more.
_KINDS = {"call": "call", "email": "email", "meeting": "meeting"}
_DONE_OUTCOMES = {"call": "connected", "email": "sent", "meeting": "held_neutral"}

HUBSPOT_DATES = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
PIPEDRIVE_DATES = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
SALESFORCE_DATES = ("%m/%d/%Y", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M")

HUBSPOT = {
    # Contacts index export.
    "prospects": Mapping(
        kind="prospects",
        columns={
            "external_id": "Record ID",
            "owner_email": "Contact owner",
            "company": "Company Name",
            "email": "Email",
            "phone": "Phone Number",
            "lead_source": "Original Source",
            "created_on": "Create Date",
        },
        joins={"name": ("First Name", "Last Name")},
        values={
            "owner_email": {},
            # HubSpot's fixed Original Source values -> our default lead sources; the
            # ones that say nothing about a lead leave it empty.
            "lead_source": {
                "organic search": "Inbound web",
                "paid search": "Inbound web",
                "direct traffic": "Inbound web",
                "ai referrals": "Inbound web",
                "referrals": "Referral",
                "social media": "Social",
                "organic social": "Social",
                "paid social": "Social",
                "email marketing": "Email campaign",
                "offline sources": "",
                "other campaigns": "",
            },
        },
        date_format=HUBSPOT_DATES,
    ),
    # Deals index export. Close Date is the expected close of an open deal and the close
    # of a closed one.
    "opportunities": Mapping(
        kind="opportunities",
        columns={
            "external_id": "Record ID",
            "name": "Deal Name",
            "owner_email": "Deal owner",
            "amount": "Amount",
            "stage": "Deal Stage",
            "opened_on": "Create Date",
            "expected_close_on": "Close Date",
            "closed_on": "Close Date",
        },
        values={
            "owner_email": {},
            # HubSpot's default sales pipeline.
            "stage": {
                "appointment scheduled": "Meeting/Demo",
                "qualified to buy": "Qualified",
                "presentation scheduled": "Meeting/Demo",
                "decision maker bought-in": "Proposal",
                "contract sent": "Negotiation",
                "closed won": "Won",
                "closed lost": "Lost",
            },
        },
        only_if={"closed_on": ("Deal Stage", ("closed won", "closed lost"))},
        date_format=HUBSPOT_DATES,
        amount_columns=("amount",),
    ),
    # Calls index export (HubSpot exports each activity type from its own index page).
    "activities": Mapping(
        kind="activities",
        columns={
            "date": "Activity date",
            "rep_email": "Activity assigned to",
            "outcome": "Call outcome",
            "notes": "Call notes",
        },
        constants={"kind": "call", "quantity": "1"},
        values={
            "rep_email": {},
            # HubSpot's default call outcomes; a message left with a person is not a
            # conversation with the prospect.
            "outcome": {
                "connected": "connected",
                "busy": "no_answer",
                "no answer": "no_answer",
                "left voicemail": "voicemail",
                "left live message": "voicemail",
                "wrong number": "wrong_number",
            },
        },
        ignored=("Call duration",),  # milliseconds or h:mm:ss, not our minutes
        date_format=HUBSPOT_DATES,
    ),
}

PIPEDRIVE = {
    # Contacts > People list view export.
    "prospects": Mapping(
        kind="prospects",
        columns={
            "external_id": "Person - ID",
            "name": "Person - Name",
            "owner_email": "Person - Owner",
            "company": "Person - Organization",
            "email": "Person - Email - Work",
            "phone": "Person - Phone - Work",
            "created_on": "Person - Person created",
        },
        values={"owner_email": {}},
        date_format=PIPEDRIVE_DATES,
    ),
    # Deals list view export. A won or lost deal stays in its last stage; Status says it
    # closed, and one of Won time / Lost time is its close.
    "opportunities": Mapping(
        kind="opportunities",
        columns={
            "external_id": "Deal - ID",
            "name": "Deal - Title",
            "owner_email": "Deal - Owner",
            "amount": "Deal - Value",
            "stage": "Deal - Stage",
            "opened_on": "Deal - Deal created",
            "expected_close_on": "Deal - Expected close date",
        },
        joins={"closed_on": ("Deal - Won time", "Deal - Lost time")},
        overrides={"stage": ("Deal - Status", {"won": "Won", "lost": "Lost"})},
        values={
            "owner_email": {},
            # Pipedrive's default pipeline.
            "stage": {
                "qualified": "Qualified",
                "contact made": "Qualified",
                "demo scheduled": "Meeting/Demo",
                "proposal made": "Proposal",
                "negotiations started": "Negotiation",
            },
        },
        date_format=PIPEDRIVE_DATES,
        amount_columns=("amount",),
    ),
    # Activities list view export. Type gives both the kind and, for a done activity, the
    # outcome; an undone one is a plan: a scheduled meeting (our importer refuses other
    # kinds of plans, so export done activities and future meetings).
    "activities": Mapping(
        kind="activities",
        columns={
            "date": "Activity - Due date",
            "rep_email": "Activity - Assigned to user",
            "kind": "Activity - Type",
            "outcome": "Activity - Type",
            "notes": "Activity - Subject",
        },
        constants={"quantity": "1"},
        values={
            "rep_email": {},
            "kind": {**_KINDS, "lunch": "meeting"},
            "outcome": {**_DONE_OUTCOMES, "lunch": "held_neutral"},
        },
        overrides={"outcome": ("Activity - Done", {"undone": "scheduled"})},
        ignored=("Activity - Duration",),  # "01:30", not our minutes
        date_format=PIPEDRIVE_DATES,
    ),
}

# Salesforce's default Lead Source picklist -> our default lead sources; the ones that say
# nothing about where a lead came from leave it empty.
SALESFORCE_SOURCES = {
    "web": "Inbound web",
    "phone inquiry": "Inbound web",
    "partner referral": "Partner",
    "partner": "Partner",
    "purchased list": "Cold list",
    "employee referral": "Referral",
    "external referral": "Referral",
    "word of mouth": "Referral",
    "trade show": "Event",
    "seminar - internal": "Event",
    "seminar - partner": "Event",
    "advertisement": "",
    "public relations": "",
    "other": "",
}

SALESFORCE = {
    # "Contacts & Accounts" report with Contact ID added.
    "prospects": Mapping(
        kind="prospects",
        columns={
            "external_id": "Contact ID",
            "owner_email": "Contact Owner",
            "company": "Account Name",
            "email": "Email",
            "phone": "Phone",
            "lead_source": "Lead Source",
            "created_on": "Created Date",
        },
        joins={"name": ("First Name", "Last Name")},
        values={
            "owner_email": {},
            "lead_source": SALESFORCE_SOURCES,
        },
        date_format=SALESFORCE_DATES,
    ),
    # "Opportunities" report with Opportunity ID added. Close Date is the expected close
    # of an open opportunity and the close of a closed one.
    "opportunities": Mapping(
        kind="opportunities",
        columns={
            "external_id": "Opportunity ID",
            "name": "Opportunity Name",
            "owner_email": "Opportunity Owner",
            "amount": "Amount",
            "stage": "Stage",
            "opened_on": "Created Date",
            "expected_close_on": "Close Date",
            "closed_on": "Close Date",
            "lead_source": "Lead Source",
        },
        values={
            "owner_email": {},
            "lead_source": SALESFORCE_SOURCES,
            # Salesforce's default opportunity stages.
            "stage": {
                "prospecting": "Qualified",
                "qualification": "Qualified",
                "needs analysis": "Meeting/Demo",
                "value proposition": "Meeting/Demo",
                "id. decision makers": "Meeting/Demo",
                "perception analysis": "Proposal",
                "proposal/price quote": "Proposal",
                "negotiation/review": "Negotiation",
                "closed won": "Won",
                "closed lost": "Lost",
            },
        },
        only_if={"closed_on": ("Stage", ("closed won", "closed lost"))},
        date_format=SALESFORCE_DATES,
        amount_columns=("amount",),
    ),
    # "Tasks and Events" report. Type is the kind; Call Result, free text in Salesforce,
    # refines a call's outcome when it says one of the usual things.
    "activities": Mapping(
        kind="activities",
        columns={
            "date": "Date",
            "rep_email": "Assigned",
            "kind": "Type",
            "outcome": "Type",
            "notes": "Subject",
        },
        constants={"quantity": "1"},
        values={"rep_email": {}, "kind": _KINDS, "outcome": _DONE_OUTCOMES},
        overrides={
            "outcome": (
                "Call Result",
                {
                    "connected": "connected",
                    "left voicemail": "voicemail",
                    "voicemail": "voicemail",
                    "no answer": "no_answer",
                    "busy": "no_answer",
                    "wrong number": "wrong_number",
                },
            )
        },
        ignored=("Call Duration",),  # seconds, not our minutes
        date_format=SALESFORCE_DATES,
    ),
}

PRESETS: dict[str, dict[str, Mapping]] = {
    "HubSpot": HUBSPOT,
    "Pipedrive": PIPEDRIVE,
    "Salesforce": SALESFORCE,
}
