"""What each programme tier entitles an organisation to. The services enforce it.

The tiers are few and change with the programme's membership agreement, not at run time, so
they are a table here rather than rows an admin edits.
"""

from dataclasses import dataclass

from .models import Organisation


@dataclass(frozen=True)
class TierEntitlements:
    workstream_kinds: frozenset[str]  # Workstream.Kind values it may join
    max_representatives: int  # people who may act for the organisation on the portal
    may_lead_projects: bool


TIER_ENTITLEMENTS = {
    Organisation.Tier.CORE: TierEntitlements(
        workstream_kinds=frozenset({"workstream", "platform", "theme"}),
        max_representatives=25, may_lead_projects=True,
    ),
    Organisation.Tier.MEMBER: TierEntitlements(
        workstream_kinds=frozenset({"workstream", "theme"}),
        max_representatives=10, may_lead_projects=True,
    ),
    Organisation.Tier.ASSOCIATE: TierEntitlements(
        workstream_kinds=frozenset({"platform", "theme"}),
        max_representatives=5, may_lead_projects=False,
    ),
}

# Before an organisation has a tier it may still register its first few people.
NO_TIER = TierEntitlements(
    workstream_kinds=frozenset(), max_representatives=3, may_lead_projects=False
)

# Statuses in which the tier's entitlements hold. Grace keeps them while renewal is arranged.
ENTITLED_STATUSES = frozenset({
    Organisation.TierStatus.NEW,
    Organisation.TierStatus.CURRENT,
    Organisation.TierStatus.GRACE,
})


def entitlements_of(organisation: Organisation) -> TierEntitlements:
    if organisation.tier and organisation.tier_status in ENTITLED_STATUSES:
        return TIER_ENTITLEMENTS[organisation.tier]
    if organisation.tier:
        # Lapsed: people already registered stay, but nothing new may be joined.
        return TierEntitlements(
            workstream_kinds=frozenset(),
            max_representatives=TIER_ENTITLEMENTS[organisation.tier].max_representatives,
            may_lead_projects=False,
        )
    return NO_TIER
