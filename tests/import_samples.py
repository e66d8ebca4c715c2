"""A ServiceNow incident event log as an export would hold it (one row per update)."""

from __future__ import annotations

# One row per update of an incident, as ServiceNow's incident event log has it (no short_description);
# INC0001's rows are out of time order on purpose.
SERVICENOW_LOG = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,caller_id,opened_at,"
    "sys_updated_at,priority,assignment_group,assigned_to,resolved_at,closed_at\n"
    "INC0001,Resolved,true,1,0,3,Caller 1,2026-03-02 09:00:00,2026-03-02 12:00:00,2 - High,Network,Dee,"
    "2026-03-02 12:00:00,\n"
    "INC0001,New,true,0,0,0,Caller 1,2026-03-02 09:00:00,2026-03-02 09:00:00,3 - Moderate,Service Desk,,,\n"
    "INC0001,Active,true,0,0,1,Caller 1,2026-03-02 09:00:00,2026-03-02 09:30:00,2 - High,Service Desk,Abe,,\n"
    "INC0001,Active,true,1,0,2,Caller 1,2026-03-02 09:00:00,2026-03-02 10:00:00,2 - High,Network,Dee,,\n"
    "INC0001,Active,true,1,1,4,Caller 1,2026-03-02 09:00:00,2026-03-03 08:00:00,2 - High,Network,Dee,,\n"
    "INC0001,Closed,false,1,1,5,Caller 1,2026-03-02 09:00:00,2026-03-03 15:00:00,2 - High,Network,Dee,"
    "2026-03-03 14:00:00,2026-03-03 15:00:00\n"
    "INC0002,New,true,0,0,0,Caller 2,2026-03-04 10:00:00,2026-03-04 10:00:00,4 - Low,Service Desk,,,\n"
    "INC0002,Awaiting User Info,true,0,0,1,Caller 2,2026-03-04 10:00:00,2026-03-04 11:00:00,4 - Low,"
    "Service Desk,Abe,,\n"
    "INC0003,Resolved,true,0,0,0,Caller 3,2026-03-05 08:00:00,2026-03-05 09:00:00,3 - Moderate,"
    "Service Desk,Abe,2026-03-05 09:00:00,\n"
)
