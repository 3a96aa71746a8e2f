"""Prints the size of the access table, and how many requests the API fuzzing sent, at the end
of a run that checked them."""


def _ran(terminalreporter, path: str) -> bool:
    return any(path in getattr(report, "nodeid", "")
               for reports in terminalreporter.stats.values() for report in reports)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _ran(terminalreporter, "tests/security/test_api_fuzz.py"):
        _fuzzing_summary(terminalreporter)
    if _ran(terminalreporter, "tests/security/test_access_table.py"):
        _access_table_summary(terminalreporter)


def _fuzzing_summary(terminalreporter):
    from tests.security.test_api_fuzz import CALLS_SENT, MAX_EXAMPLES, schema

    operations = sum(1 for result in schema.get_all_operations() if result.ok())
    line = f"{operations} operations x {len(CALLS_SENT) or 6} roles, up to {MAX_EXAMPLES} " \
           f"generated examples each besides the boundary cases"
    if CALLS_SENT:  # under xdist the workers keep their counts
        line += "; requests sent here: " + ", ".join(
            f"{role} {count}" for role, count in sorted(CALLS_SENT.items()))
    terminalreporter.write_sep("-", "API fuzzing")
    terminalreporter.write_line(line)


def _access_table_summary(terminalreporter):
    from tests.security import access_table as table
    from tests.security.test_access_table import SWEEP_STATS, url_patterns

    patterns = len(dict(url_patterns()))
    cases = sum(len(row.cases) for row in table.TABLE.values())
    idor = sum(1 for row in table.TABLE.values() for case in row.cases if case.idor)
    roles = len(table.ROLES)
    line = (f"{patterns} URL patterns x {roles} roles = {patterns * roles} pattern-role pairs; "
            f"{cases} cases ({idor} IDOR) x {roles} roles = {cases * roles} cells")
    if SWEEP_STATS:  # under xdist the sweeps ran in the workers, which keep their counts
        checked = sum(stats["cells"] for stats in SWEEP_STATS.values())
        line += f"; {checked} checked here by {len(SWEEP_STATS)} role sweep(s)"
    terminalreporter.write_sep("-", "access table")
    terminalreporter.write_line(line)
