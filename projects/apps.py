from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    # Named for what it holds, projects and the calls that start them: a "programmes" app beside
    # workstreams.Programme (PIPS and any later programme) would send readers to the wrong one.
    name = "projects"
    verbose_name = "Projects and calls"
