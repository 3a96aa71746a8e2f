"""How the workstreams app's recorded actions read in a history."""

PHRASES = {
    "programme.create": "added the programme",
    "programme.update": "changed the programme",
    "programme_phase.create": "added a programme phase",
    "programme_phase.update": "changed a programme phase",
    "workstream.create": "added the workstream",
    "workstream.update": "changed the workstream",
    "workstream.activate": "opened the platform to members",
    "join_request.create": "asked to join a workstream",
    "join_request.approve": "approved a request to join a workstream",
    "join_request.decline": "declined a request to join a workstream",
    "join_request.withdraw": "withdrew a request to join a workstream",
    "workstream_membership.start": "started a workstream membership",
    "workstream_membership.end": "ended a workstream membership",
    "workstream_document.share": "shared a document in a members' area",
    "workstream_meeting_file.attach": "attached a file to a meeting",
    "workstream_meeting_file.remove": "removed a file from a meeting",
    "workstream.lead_contact": "wrote to the workstream's lead",
    "meeting_calendar_feed.create": "made a calendar link for their meetings",
    "meeting_calendar_feed.renew": "replaced their calendar link",
    "meeting_calendar_feed.revoke": "turned off their calendar link",
}
