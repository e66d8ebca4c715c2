"""The column names of each help desk's standard CSV export, and where they were taken from."""

# Zendesk "Export > CSV" columns, from "Exporting data to a JSON, CSV, or XML file"
# (support.zendesk.com/hc/en-us/articles/4408886165402). Names compare case-insensitively: the
# article writes "ID" and "Requester ID", exports write "Id" and "Requester id".
ZENDESK_COLUMNS = (
    "Id", "Requester", "Requester id", "Requester external id", "Requester email", "Requester domain",
    "Submitter", "Assignee", "Group", "Subject", "Tags", "Status", "Priority", "Via", "Ticket type",
    "Created at", "Updated at", "Assigned at", "Organization", "Due date", "Initially assigned at",
    "Solved at", "Resolution time", "Satisfaction Score", "Group stations", "Assignee stations",
    "Reopens", "Replies", "First reply time in minutes", "First reply time in minutes within business hours",
    "First resolution time in minutes", "First resolution time in minutes within business hours",
    "Full resolution time in minutes", "Full resolution time in minutes within business hours",
    "Agent wait time in minutes", "Agent wait time in minutes within business hours",
    "Requester wait time in minutes", "Requester wait time in minutes within business hours",
    "On hold time in minutes", "On hold time in minutes within business hours",
    "Description",  # not in Zendesk's CSV (it leaves multi-line text out); read when a user adds it
)  # fmt: skip
# Jira "Export > CSV (all fields)" system columns, plus the Jira Service Management satisfaction
# fields; Labels, Comment, Watchers and Component/s repeat once per value, so they are read as lists.
JIRA_COLUMNS = (
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
    "Project type", "Project lead", "Project description", "Project url", "Priority", "Resolution",
    "Assignee", "Reporter", "Creator", "Created", "Updated", "Last Viewed", "Resolved", "Due date",
    "Votes", "Labels", "Description", "Environment", "Watchers", "Component/s", "Comment",
    "Status Category", "Custom field (Request Type)", "Custom field (Satisfaction)",
    "Custom field (Satisfaction date)",
)  # fmt: skip
# ServiceNow incident list "Export > CSV": field names as headers (the default list view is number,
# opened_at, short_description, caller_id, priority, state, category, assignment_group, assigned_to,
# sys_updated_on, sys_updated_by), display values in cells ("1 - Critical", "Resolved").
SERVICENOW_COLUMNS = (
    "number", "short_description", "description", "caller_id", "opened_by", "assigned_to",
    "assignment_group", "priority", "urgency", "impact", "state", "incident_state", "category",
    "subcategory", "opened_at", "resolved_at", "closed_at", "sys_created_on", "sys_updated_on",
    "sys_updated_by", "reassignment_count", "reopen_count", "close_code", "close_notes",
    "resolved_by", "closed_by", "contact_type", "cmdb_ci", "business_service", "sys_id", "active",
)  # fmt: skip
# ServiceNow's incident event log (one row per update of an incident, as in the "Incident management
# process enriched event log" published from a ServiceNow instance): these columns beside the above.
SERVICENOW_EVENT_COLUMNS = (
    "sys_updated_at", "sys_created_at", "sys_created_by", "sys_mod_count", "made_sla", "location",
    "u_symptom", "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor",
    "caused_by", "closed_code",
)  # fmt: skip
