"""The files under deploy/ agree with the application: every scheduled command is in the
cron file and exists, the proxy's body cap matches the application's, its log-free paths
are the application's private paths, the units run the real entry points hardened, and
the example environment file names only variables the settings read."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from saferwork.lib.privatelog import PRIVATE_PREFIXES

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"

# Every SaferWork management command is either run on a schedule or by hand; a new command
# must be put in one list (and, if scheduled, in deploy/cron).
SCHEDULED = {
    "prune_tasks",
    "fold_promotions",
    "send_risk_review_reminders",
    "requeue_stale_tasks",
    "prune_sent_emails",
    "escalate_overdue_reports",
    "fold_reporter_audit",
    "fold_report_tallies",
    "purge_abandoned_report_files",
    "erase_closed_reports",
    "erase_expired_applications",
    "erase_expired_participants",
    "send_training_reminders",
    "send_action_reminders",
    "send_standards_reminders",
    "send_learning_reminders",
}
BY_HAND = {
    "demo_code",
    "load_checklists",
    "seed_demo",
    "seed_recruitment_demo",
    "seed_reporting_demo",
    "seed_training_demo",
}


def cron_lines() -> list[list[str]]:
    lines = []
    for line in (DEPLOY / "cron").read_text().splitlines():
        if line.strip() and not line.startswith("#") and not re.match(r"^[A-Z_]+=", line):
            lines.append(line.split())
    return lines


def own_commands() -> set[str]:
    return {path.stem for path in ROOT.glob("saferwork/*/management/commands/[a-z]*.py")}


def test_every_command_is_scheduled_or_run_by_hand() -> None:
    assert own_commands() == SCHEDULED | BY_HAND
    assert not SCHEDULED & BY_HAND


def test_the_cron_file_runs_every_scheduled_command_and_only_real_ones() -> None:
    commands = get_commands()
    in_cron = []
    for fields in cron_lines():
        assert len(fields) >= 7, fields  # five time fields, the user, the command (cron.d format)
        assert fields[5] == "saferwork", fields
        if "manage.py" in fields:
            name = fields[fields.index("manage.py") + 1]
            assert name in commands, f"deploy/cron runs {name}, which is not a management command"
            assert fields[6] == "/srv/saferwork/deploy/with-env", fields
            in_cron.append(name)
    assert sorted(in_cron) == sorted(SCHEDULED)  # each once
    assert any("deploy/backup.sh" in " ".join(fields) for fields in cron_lines())


def nginx_size(text: str, directive: str) -> int:
    match = re.search(rf"^\s*{directive}\s+(\d+)([km]?);", text, re.MULTILINE)
    assert match, directive
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]


def test_the_proxy_body_cap_matches_the_application() -> None:
    site = (DEPLOY / "nginx-saferwork.conf").read_text()
    cap = nginx_size(site, "client_max_body_size")
    # Above the application's cap (so its own 413 page answers first), but not by much.
    assert settings.MAX_UPLOAD_REQUEST_BYTES <= cap <= settings.MAX_UPLOAD_REQUEST_BYTES + 1024 * 1024
    # Bodies stay in memory and answers are never spooled to disk.
    assert nginx_size(site, "client_body_buffer_size") >= cap
    assert re.search(r"^\s*proxy_max_temp_file_size 0;", site, re.MULTILINE)


def test_the_proxy_logs_nothing_for_the_private_paths() -> None:
    site = (DEPLOY / "nginx-saferwork.conf").read_text()
    match = re.search(r"location ~ \^/\(([^)]*)\)/ \{\s*access_log off;", site)
    assert match
    assert {f"/{part}/" for part in match.group(1).split("|")} == set(PRIVATE_PREFIXES)
    log_format = re.search(r"log_format saferwork_private '([^']*)';", site)
    assert log_format and "$remote_addr" not in log_format.group(1) and "$request_uri" not in log_format.group(1)
    assert "$http_user_agent" not in log_format.group(1) and "$time" not in log_format.group(1)
    for access_log in re.findall(r"access_log ([^;]*);", site):
        assert access_log == "off" or access_log.endswith(" saferwork_private"), access_log
    proxy = (DEPLOY / "nginx-saferwork-proxy.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy


@pytest.mark.parametrize(
    ("unit", "entry"),
    [
        ("saferwork-web.service", "/srv/saferwork/.venv/bin/gunicorn saferwork.wsgi --config gunicorn.conf.py"),
        ("saferwork-worker.service", "/srv/saferwork/.venv/bin/python manage.py db_worker"),
    ],
)
def test_the_units_run_the_entry_points_hardened(unit: str, entry: str) -> None:
    lines = set((DEPLOY / unit).read_text().splitlines())
    assert any(line.startswith(f"ExecStart={entry}") for line in lines)
    for line in [
        "User=saferwork",
        "EnvironmentFile=/etc/saferwork/saferwork.env",
        "WorkingDirectory=/srv/saferwork",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "ReadWritePaths=/var/lib/saferwork",
        "CapabilityBoundingSet=",
    ]:
        assert line in lines, (unit, line)


def test_the_example_environment_names_only_variables_the_settings_read() -> None:
    sources = ["saferwork/settings.py", "saferwork/settings_production.py", "gunicorn.conf.py"]
    read = "".join((ROOT / path).read_text() for path in sources)
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "saferwork.env.example").read_text(), re.MULTILINE)
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "TASK_BACKEND", "SAFERWORK_VAR_DIR"} <= set(names)
    for name in set(names) - {"DJANGO_SETTINGS_MODULE"}:
        assert f'"{name}"' in read, f"{name} is not read by the settings"
    assert "SAFERWORK_VAR_DIR=/var/lib/saferwork" in (DEPLOY / "saferwork.env.example").read_text()


def test_the_scripts_are_strict_bash() -> None:
    for name in ["backup.sh", "restore.sh", "with-env"]:
        script = DEPLOY / name
        assert script.stat().st_mode & 0o111, f"{name} is not executable"
        assert "set -euo pipefail" in script.read_text()
        subprocess.run(["bash", "-n", str(script)], check=True)  # noqa: S603, S607


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=saferwork.test"]  # noqa: S607
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    proxy = tmp_path / "proxy.conf"
    shutil.copy(DEPLOY / "nginx-saferwork-proxy.conf", proxy)
    site = (DEPLOY / "nginx-saferwork.conf").read_text()
    site = site.replace("/etc/nginx/saferwork-proxy.conf", str(proxy))
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(  # noqa: S603
        ["/usr/sbin/nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
