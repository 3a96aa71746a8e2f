# The benchmarks use the tests' fixtures (people with roles, the cache kept apart per test).
from tests.conftest import _isolated_cache, mfa_staff_user  # noqa: F401
