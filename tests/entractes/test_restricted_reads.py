"""Every page that shows restricted content writes exactly one access-log entry per view.

The pages are derived from the URL conf: every URL whose view requires a restricted
capability (``permissions.RESTRICTED``), the person panels that show restricted content,
and the pages listed below that show restricted records under another capability. A new
restricted URL fails ``test_every_restricted_url_is_walked_or_exempted`` until it is
walked here (and so logs) or exempted with its reason.
"""

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse

from entractes.models import AccessLogEntry
from entractes.permissions import RESTRICTED, ROLE_CAPABILITIES
from tests import tally
from tests.entractes.test_access import PAGES, _walk

pytestmark = pytest.mark.django_db

# Restricted URLs that are not a read of restricted records, with the reason.
EXEMPT = {
    "health:consultation-create": "blank form (the lines and sessions of one's own line)",
    "health:session-create": "blank form",
    "health:workshop-create": "blank form",
    "rights:procedure-create": "blank form",
    "minors:file-create": "blank form",
    "minors:training-add": "blank form",
    "casefile:document-create": "blank form (the person's code, a title, a file)",
    "rights:procedure-status": "action (POST, redirects to the logged detail page)",
    "rights:psp-create": "action (POST, redirects to the logged detail page)",
    "rights:psp-transition": "action (POST, redirects to the logged detail page)",
    "minors:file-add": "action (POST, redirects to the logged file page)",
    "minors:period-end": "action (POST, redirects to the logged file page)",
    "minors:report-link": "action (POST, redirects to the logged list)",
    "exchange:exports": "form asking for an export, and the account's own jobs (no record)",
    "exchange:export-job": "a job's progress (no record; its file's download is logged)",
}
# Pages showing restricted records under a capability that is not itself restricted.
OTHER_READS = {
    # Minors' files, safeguarding, procedures, PSP files and health records' changes.
    "casefile:person-history",
    # Archived records of every kind (labels only, but of restricted kinds).
    "casefile:archive-list",
    # The report's print and exports are logged as such.
    "reporting:pdf-download",
    "reporting:publication-download",
    "exchange:export",
}
# Person panels (served by each app for the person page) and what a role needs to get
# restricted content in them; the others receive the panel without it, and no entry.
PANEL_CAPABILITY = {
    "health:person-panel": "health.use",
    "rights:person-panel": "rights.use",
    "minors:person-panel": "minors.read_file",
    "casefile:person-documents": "documents.use",
}
QUERY = {
    "reporting:drilldown": {"key": "attendance.people", "year": 2023},
    "reporting:drilldown-export": {"key": "attendance.people", "year": 2023},
}


def _restricted_urls() -> set[str]:
    return {
        name
        for name, callback in _walk(get_resolver())
        if getattr(callback, "required_capability", None) in RESTRICTED
    }


def _walked() -> set[str]:
    return (_restricted_urls() - set(EXEMPT)) | OTHER_READS | set(PANEL_CAPABILITY)


READ_PAGES = [page for page in PAGES if page[0] in _walked() and page[2] == "get"]


def test_every_restricted_url_is_walked_or_exempted():
    walked = {page[0] for page in READ_PAGES}
    assert _restricted_urls() - walked - set(EXEMPT) == set()
    assert set(EXEMPT) <= _restricted_urls()
    assert set(PANEL_CAPABILITY) <= set(settings.PERSON_PANELS)
    assert walked == _walked()  # every page to walk has its row in the access table


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"),
    READ_PAGES,
    ids=[page[0] for page in READ_PAGES],
)
def test_each_restricted_page_writes_exactly_one_entry(
    client, users_by_role, objects, name, target, method, allowed
):
    url = reverse(name, kwargs=objects[target] if target else None)
    capability = PANEL_CAPABILITY.get(name)
    for role in sorted(allowed):
        user = users_by_role[role]
        client.force_login(user)
        before = AccessLogEntry.objects.count()
        response = client.get(url, QUERY.get(name, {}))
        assert response.status_code == 200, (role, response.status_code)
        new = list(AccessLogEntry.objects.order_by("pk")[before:])
        if capability and capability not in ROLE_CAPABILITIES[role]:
            assert new == [], role  # the panel without restricted content
            continue
        tally.add("restricted_reads")
        tally.add("restricted_read_rows", len(new))
        assert len(new) == 1, (role, [(e.action, e.target_type, e.detail) for e in new])
        assert new[0].user == user
        assert new[0].action in {"read", "export", "print", "drilldown"}
        client.logout()


def test_a_page_that_forgets_to_log_is_caught(client, users_by_role, objects, monkeypatch):
    """The walk's check fails on a page that writes nothing (the procedure list here)."""
    from rights import access

    monkeypatch.setattr(access, "log_list_read", lambda user, what: None)
    client.force_login(users_by_role["educator"])
    before = AccessLogEntry.objects.count()
    assert client.get(reverse("rights:procedure-list")).status_code == 200
    assert AccessLogEntry.objects.count() == before


def test_the_history_and_archive_pages_log_which_page_was_read(
    client, users_by_role, objects, educator, admin_user
):
    from contacts.models import Person

    person = Person.objects.get(code=objects["person"]["code"])
    client.force_login(educator)
    client.get(reverse("casefile:person-history", args=[person.code]))
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.user, entry.target_type, entry.target_id, entry.detail) == (
        educator,
        "contacts.person",
        str(person.pk),
        "history",
    )
    client.force_login(admin_user)
    client.get(reverse("casefile:archive-list"))
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.user, entry.detail) == (admin_user, "archive list")
