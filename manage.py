#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from cluster_portal.environment import use_settings_for_environment


def main() -> None:
    use_settings_for_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
