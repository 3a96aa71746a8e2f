"""How the partners app's recorded actions read in a history."""

PHRASES = {
    "organisation.register": "registered the organisation",
    "organisation.approve": "approved the registration",
    "organisation.decline": "declined the registration",
    "organisation.update_profile": "changed the profile",
    "organisation.set_tier": "set the programme membership tier and term",
    "organisation.tier_status": "moved the programme membership to a new status",
    "organisation_membership.add": "added a person",
    "organisation_membership.change_role": "changed a person's role",
    "organisation_membership.remove": "removed a person",
    "invitation.create": "sent an invitation",
    "invitation.revoke": "revoked an invitation",
    "invitation.accept": "accepted an invitation",
    "person_request.create": "asked to join the organisation",
    "person_request.approve": "approved a request to join the organisation",
    "person_request.decline": "declined a request to join the organisation",
    "person_request.withdraw": "withdrew a request to join the organisation",
    "agreement.save": "recorded an agreement",
}
