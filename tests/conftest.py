import contextlib

import pytest
from django.db import transaction

from entractes.permissions import ROLES
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"


@pytest.fixture
def make_user(db):
    def make(*roles: str, **kwargs):
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def educator(make_user):
    return make_user("educator", username="educ")


@pytest.fixture
def online_worker(make_user):
    return make_user("online_worker", username="online")


@pytest.fixture
def nurse(make_user):
    return make_user("nurse", username="nurse")


@pytest.fixture
def doctor(make_user):
    return make_user("doctor", username="doctor")


@pytest.fixture
def midwife(make_user):
    return make_user("midwife", username="midwife")


@pytest.fixture
def partner(make_user):
    return make_user("partner_practitioner", username="partner")


@pytest.fixture
def volunteer(make_user):
    return make_user("peer_volunteer", username="volunteer")


@pytest.fixture
def director(make_user):
    return make_user("director", username="director")


@pytest.fixture
def admin_user(make_user):
    return make_user("administrator", username="admin")


@pytest.fixture
def minors_educator(make_user):
    return make_user("educator", "minors_team", username="minors")


@pytest.fixture
def users_by_role(make_user):
    """One account per role, keyed by role slug."""
    return {role: make_user(role, username=f"as-{role}") for role in ROLES}


@pytest.fixture
def login(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@contextlib.contextmanager
def built_once(django_db_blocker):
    """For a module-scoped fixture: records built once for several tests, in a transaction
    rolled back when the fixture ends. Each test runs in a savepoint inside it, so what a
    test changes is undone before the next one, as for records built per test. Fixtures
    hand out primary keys, and tests fetch fresh instances."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    from tests import tally

    lines = tally.summary()
    if lines:
        terminalreporter.section("security figures")
        for line in lines:
            terminalreporter.write_line(line)
