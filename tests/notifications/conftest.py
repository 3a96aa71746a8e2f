"""What the notification tests share: a real SMTP server, and tasks sent to the real broker."""

import pytest

from cluster_portal.celery import app as celery_app
from tests.support.mailserver import MailServer


@pytest.fixture
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings, mail_server):
    """The portal's mail goes over SMTP to `mail_server`, in this process."""
    for name, value in mail_server.django_settings().items():
        setattr(settings, name, value)
    return mail_server


@pytest.fixture
def broker_delivery():
    """Tasks go to the real broker, on this pytest process's test queue, for a real worker to
    take, instead of running in-process; nothing left there by an earlier test is taken."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield
    celery_app.control.purge()
    celery_app.conf.task_always_eager = eager
