"""Production settings: refuse to start without secrets, and pass `check --deploy` cleanly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7Q!pv9#Lm2$Zr8@Tk4^Wd6&Hs1*Nf3(Gb5)Jc0_Yq-Ua+Ve=Oi~Pl|Rn;Sm:Xo",
    "ALLOWED_HOSTS": "portal.example.org",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "PROGRAMME_OFFICE_EMAIL": "programme.office@portal.example.org",
}


def run_manage(*args, extra_env: dict, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", *drop)}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue_at_all():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", extra_env=env, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("required", ["ALLOWED_HOSTS", "PORTAL_BASE_URL",
                                      "PROGRAMME_OFFICE_EMAIL"])
def test_production_refuses_to_start_without_a_required_setting(required):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != required}
    result = run_manage("check", extra_env=env, drop=(required,))
    assert result.returncode != 0
    assert required in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = run_manage("check", extra_env={"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV='staging'" in result.stderr
