"""Prints the size of the access table at the end of a run that checked it."""


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ran = any("tests/security/test_access_table.py" in getattr(report, "nodeid", "")
              for reports in terminalreporter.stats.values() for report in reports)
    if not ran:
        return
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
