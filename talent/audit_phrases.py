"""How the talent app's recorded actions read in a history."""

PHRASES = {
    "enrolment.create": "enrolled on a course run",
    "enrolment.cancel": "cancelled an enrolment",
    "enrolment.promote_confirmed": "gave a freed seat to the first on the waitlist",
    "enrolment.promote_offered": "offered a freed seat to the first on the waitlist",
    "enrolment.accept_offer": "accepted an offered seat",
    "enrolment.decline_offer": "declined an offered seat",
    "enrolment.offer_expired": "let an unanswered offer pass to the next in line",
    "course_run.set_capacity": "changed the seats of a course run",
    "skills_framework.load": "loaded the skills framework",
    "course.create": "created a course",
    "course_run.create": "scheduled a course run",
    "course.update": "changed a course",
    "course_run.update": "changed a course run",
    "prerequisite.waive": "waived a course's prerequisites for a person",
    "course_run.cancel": "cancelled a course run and every enrolment on it",
    "session.create": "added a session to a course run",
    "session.update": "changed a session of a course run",
    "session.delete": "removed a session from a course run",
}
