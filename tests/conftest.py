import contextlib
import datetime

import pytest
from django.db import transaction
from django.test import override_settings

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


# --- The demo, built once per session ----------------------------------------------------
#
# The tests asking for ``demo_db`` are run one after the other (after the other
# non-transactional database tests, before the transactional ones). The demo is generated
# once, before the first of them, inside a transaction of its own that holds the tests'
# transactions; each test's changes are rolled back as usual, and the demo's transaction
# is rolled back after the last of them, so every other test starts from an empty database.

DEMO_FIXTURE = "demo_db"
# The shared demo stops at the end of 2023 whatever the day: the same records every day,
# and the round trips of the whole demo stay short (the years after 2023 have a test of
# their own, tests/demo).
DEMO_UNTIL = datetime.date(2023, 12, 31)
_demo_state = pytest.StashKey["_DemoState"]()


class _DemoState:
    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.generated = None

    @property
    def is_open(self) -> bool:
        return self.atomic is not None

    def open(self) -> None:
        from demo.generator import generate

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                with override_settings(DEBUG=True):
                    self.generated = generate(until=DEMO_UNTIL)
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


@pytest.fixture(scope="session")
def _demo_database(request, django_db_setup, django_db_blocker):
    # Session scope: set up before the tests' own transactions (function scope).
    state = _DemoState(django_db_blocker)
    request.config.stash[_demo_state] = state
    state.open()
    yield state
    state.close()


@pytest.fixture
def demo_db(request, _demo_database, db):
    """The demo's accounts and records (generated once); what a test changes is rolled back."""
    from demo.generator import Generated
    from entractes.models import User

    if "transactional_db" in request.fixturenames:
        pytest.fail("demo_db holds the demo in a transaction: not for transactional tests")
    state = _demo_database
    if not state.is_open:
        # Asked for again once the shared demo is gone (tests run out of order): this
        # test gets its own, rolled back with it.
        from demo.generator import generate

        with override_settings(DEBUG=True):
            return generate(until=DEMO_UNTIL)
    # Fresh instances: a test changing one leaves the next test's untouched.
    fresh = User.objects.in_bulk([u.pk for u in state.generated.accounts])
    return Generated([fresh[u.pk] for u in state.generated.accounts], state.generated.persons)


def _database_order(item) -> int:
    """pytest-django's order: 0 database tests, 1 transactional ones, 2 the others."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or bool({"transactional_db", "live_server"} & set(fixtures))
    if transactional:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    readers = [item for item in items if DEMO_FIXTURE in getattr(item, "fixturenames", ())]
    if not readers:
        return
    others = [item for item in items if DEMO_FIXTURE not in getattr(item, "fixturenames", ())]
    at = sum(1 for item in others if _database_order(item) == 0)
    items[:] = others[:at] + readers + others[at:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    state = item.config.stash.get(_demo_state, None)
    if state is not None and state.is_open:
        following = nextitem is not None and DEMO_FIXTURE in nextitem.fixturenames
        if not following:
            state.close()
    return result
