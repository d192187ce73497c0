"""Every page declares who may use it, and refuses everybody else."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from entractes.permissions import PUBLIC, ROLES

pytestmark = pytest.mark.django_db

FIELD = {"educator", "online_worker", "nurse", "doctor", "midwife", "director"}
PERSON_READERS = FIELD | {"partner_practitioner"}
# The partner practitioner here has met nobody in a line of theirs: no person's page.
PERSON_PAGE_READERS = FIELD
IDENTITY = {"educator", "online_worker", "director"}
EVERYONE = set(ROLES)
LOGGERS = {"educator", "online_worker", "nurse", "doctor", "midwife", "peer_volunteer"}
ONLINE_AND_MEDIATION = {"educator", "online_worker", "director"}
# Place observations: the staff of the rounds and the director (no person in them).
PLACES = {"educator", "online_worker", "nurse", "doctor", "midwife", "peer_volunteer", "director"}
HEALTH_STAFF = {"nurse", "doctor", "midwife"}
# Documents (identity papers, letters, a procedure's or PSP file's scans): the educators
# and online workers; not the director, the health staff nor the partners.
DOCUMENTS = {"educator", "online_worker"}
# The agenda: field and health staff, the director, and the minors' team (for the
# minors' deadlines and actions; a general action about a person is not theirs).
AGENDA = FIELD | {"minors_team"}
HANDOVER = FIELD
HEALTH_USERS = HEALTH_STAFF | {"partner_practitioner"}
MINORS = {"minors_team", "director"}
REPORT_READERS = {"educator", "online_worker", "director", "administrator"}

# (url name, kwargs builder, method, roles allowed): written from the issue, not from the map.
PAGES = [
    ("home", None, "get", EVERYONE),
    ("password_change", None, "get", EVERYONE),
    ("password_change_done", None, "get", EVERYONE),
    ("contacts:person-list", None, "get", PERSON_READERS),
    ("contacts:person-list", None, "post", PERSON_READERS),
    ("contacts:person-create", None, "get", FIELD),
    ("contacts:person-detail", "person", "get", PERSON_PAGE_READERS),
    ("contacts:person-contacts-panel", "person", "get", PERSON_PAGE_READERS),
    ("casefile:person-data-access", "person", "get", FIELD),
    ("casefile:person-data-export", "person", "get", FIELD),
    ("casefile:person-erase", "person", "get", {"director"}),
    ("casefile:person-erase", "person", "post", {"director"}),
    ("casefile:person-documents", "person", "get", PERSON_PAGE_READERS),
    ("casefile:document-create", None, "get", DOCUMENTS),
    ("casefile:document-download", "document", "get", DOCUMENTS),
    ("casefile:procedure-documents", "procedure", "get", DOCUMENTS),
    ("casefile:psp-documents", "psp", "get", DOCUMENTS),
    ("contacts:person-edit", "person", "get", FIELD),
    ("casefile:person-history", "person", "get", FIELD),
    ("contacts:person-merge", "person", "get", IDENTITY),
    # Leaving and coming back to the active file: those who create and correct persons.
    ("contacts:person-leave-file", "person", "post", FIELD),
    ("contacts:person-return-to-file", "person_out_of_file", "post", FIELD),
    ("contacts:identity-show", "person", "get", IDENTITY),
    ("contacts:identity-edit", "person", "get", {"educator", "online_worker"}),
    ("contacts:merge-undo", "merge", "post", IDENTITY),
    ("contacts:person-suggest", None, "post", PERSON_READERS),
    ("contacts:session-list", None, "get", LOGGERS),
    ("contacts:session-create", None, "get", LOGGERS),
    ("contacts:session-detail", "session", "get", LOGGERS),
    ("contacts:session-edit", "session", "get", LOGGERS),
    ("contacts:round-sheet", "session", "get", LOGGERS),
    # Called by the sheet's script: JSON in and out, a refusal in JSON too.
    ("contacts:round-sheet-send", "session", "json", LOGGERS),
    ("contacts:session-material", "session", "get", LOGGERS),
    ("contacts:session-services", "session", "get", LOGGERS),
    ("contacts:session-sites", "session", "get", {"educator", "online_worker"}),
    ("contacts:contact-create", None, "get", LOGGERS),
    ("contacts:contact-edit", "contact", "get", LOGGERS),
    ("contacts:followers", None, "get", ONLINE_AND_MEDIATION),
    ("contacts:mediation-list", None, "get", ONLINE_AND_MEDIATION),
    ("contacts:mediation-create", None, "get", ONLINE_AND_MEDIATION),
    ("contacts:mediation-edit", "mediation", "get", ONLINE_AND_MEDIATION),
    ("contacts:partner-directory", None, "get", EVERYONE),
    ("contacts:place-list", None, "get", PLACES),
    ("contacts:place-create", None, "get", PLACES),
    ("contacts:place-edit", "place", "get", PLACES),
    ("agenda:my-day", None, "get", AGENDA),
    ("agenda:week", None, "get", AGENDA),
    ("agenda:action-create", None, "get", AGENDA),
    ("agenda:action-edit", "action", "get", FIELD),
    ("agenda:action-status", "action", "post", FIELD),
    ("agenda:action-edit", "health_action", "get", HEALTH_STAFF),
    ("agenda:person-panel", "person", "get", PERSON_PAGE_READERS),
    ("agenda:handover", None, "get", HANDOVER),
    ("agenda:handover-create", None, "get", HANDOVER),
    ("agenda:handover-edit", "handover", "get", HANDOVER),
    ("health:home", None, "get", HEALTH_USERS),
    ("health:consultation-create", None, "get", HEALTH_USERS),
    # The partner practitioner here is linked to no line: the nurse's records are not theirs.
    ("health:consultation-detail", "consultation", "get", HEALTH_STAFF),
    ("health:consultation-edit", "consultation", "get", HEALTH_STAFF),
    ("health:session-list", None, "get", HEALTH_USERS),
    ("health:session-create", None, "get", HEALTH_USERS),
    ("health:session-detail", "health_session", "get", HEALTH_STAFF),
    ("health:session-participants", "health_session", "get", HEALTH_STAFF),
    ("health:workshop-list", None, "get", HEALTH_USERS),
    ("health:workshop-create", None, "get", HEALTH_USERS),
    ("health:person-panel", "person", "get", PERSON_PAGE_READERS),
    ("rights:procedure-list", None, "get", ONLINE_AND_MEDIATION),
    ("rights:procedure-create", None, "get", ONLINE_AND_MEDIATION),
    ("rights:procedure-detail", "procedure", "get", ONLINE_AND_MEDIATION),
    ("rights:procedure-edit", "procedure", "get", ONLINE_AND_MEDIATION),
    ("rights:procedure-status", "procedure", "post", ONLINE_AND_MEDIATION),
    ("rights:psp-list", None, "get", ONLINE_AND_MEDIATION),
    ("rights:psp-create", None, "post", ONLINE_AND_MEDIATION),
    ("rights:psp-detail", "psp", "get", ONLINE_AND_MEDIATION),
    ("rights:psp-transition", "psp", "post", ONLINE_AND_MEDIATION),
    ("rights:person-panel", "person", "get", PERSON_PAGE_READERS),
    ("minors:home", None, "get", MINORS),
    ("minors:file-create", None, "get", MINORS),
    ("minors:file-detail", "minor_file", "get", MINORS),
    ("minors:file-edit", "minor_file", "get", MINORS),
    ("minors:file-add", "minor_file_add", "post", MINORS),
    ("minors:period-end", "minor_period", "post", MINORS),
    ("minors:report-list", None, "get", MINORS),
    ("minors:report-link", "report", "post", MINORS),
    ("minors:training", None, "get", MINORS),
    ("minors:training-add", "training_kind", "get", MINORS),
    ("minors:person-panel", "person", "get", PERSON_PAGE_READERS),
    ("reporting:dashboard", None, "get", REPORT_READERS),
    ("reporting:figures", None, "get", REPORT_READERS),
    ("reporting:drilldown", "drill", "get", {"director"}),
    ("reporting:drilldown-export", "drill", "get", {"director"}),
    ("reporting:reference-figures", None, "get", {"director"}),
    ("reporting:reference-figure-edit", "reference_figure", "get", {"director"}),
    ("reporting:reference-figure-remove", "reference_figure", "post", {"director"}),
    ("reporting:narrative-preview", None, "post", {"director"}),
    ("reporting:checks", "year", "get", {"director"}),
    ("reporting:narrative", "year", "get", {"director"}),
    ("reporting:narrative-edit", "narrative", "get", {"director"}),
    ("reporting:pdf", "year", "get", REPORT_READERS),
    ("reporting:pdf-start", "year", "post", {"director"}),
    ("reporting:pdf-download", "render", "get", REPORT_READERS),
    ("reporting:publication-download", "publication", "get", REPORT_READERS),
    ("reporting:publish", "year", "get", {"director", "administrator"}),
    ("exchange:export", "export", "get", REPORT_READERS),
    ("exchange:caarud-extract", "year", "get", REPORT_READERS),
    ("exchange:exports", None, "get", {"director", "administrator"}),
    ("exchange:export-job", "export_job", "get", {"director"}),
    ("exchange:export-job-file", "export_job", "get", {"director"}),
    ("exchange:records-import", None, "get", {"administrator"}),
    ("exchange:import-job", "import_job", "get", {"administrator"}),
    ("exchange:import-job-confirm", "import_job", "post", {"administrator"}),
    ("staff-list", None, "get", {"administrator"}),
    ("staff-create", None, "get", {"administrator"}),
    ("staff-edit", "staff", "get", {"administrator"}),
    ("staff-deactivate", "staff", "post", {"administrator"}),
    ("staff-reactivate", "staff", "post", {"administrator"}),
    ("staff-force-reset", "staff", "post", {"administrator"}),
    ("staff-unlock", "staff", "post", {"administrator"}),
    ("staff-reset-2fa", "staff", "post", {"administrator"}),
    ("staff-requests", None, "get", {"administrator", "director"}),
    # A nurse's account: the director decides; an administrator only for the director's.
    ("staff-request-confirm", "change", "post", {"director"}),
    ("staff-request-refuse", "change", "post", {"director"}),
    ("otp-enrol", None, "get", EVERYONE),
    ("otp-verify", None, "get", EVERYONE),
    ("access-log", None, "get", {"administrator", "director"}),
    ("casefile:archive-contact", "contact", "get", LOGGERS),
    ("casefile:archive-consultation", "consultation", "get", HEALTH_STAFF),
    ("casefile:archive-procedure", "procedure", "get", ONLINE_AND_MEDIATION),
    ("casefile:archive-mediation", "mediation", "get", ONLINE_AND_MEDIATION),
    ("casefile:archive-place", "place", "get", PLACES),
    ("casefile:archive-document", "document", "get", DOCUMENTS),
    ("casefile:archive-action", "action", "get", FIELD),
    ("casefile:archive-handover", "handover", "get", HANDOVER),
    ("casefile:archive-person", "person_pk", "get", IDENTITY),
    ("casefile:archive-list", None, "get", {"administrator"}),
    ("casefile:archive-restore", "archived", "post", {"administrator"}),
    ("settings:index", None, "get", {"administrator"}),
]
PUBLIC_PAGES = [
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "password-with-code",
    # What makes the round sheet installable and open offline (no record in them).
    "contacts:manifest",
    "contacts:service-worker",
]


def _request(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    if method == "json":
        return client.post(url, '{"contacts": []}', content_type="application/json")
    return getattr(client, method)(url)


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_page_is_allowed_exactly_for_its_roles(
    client, users_by_role, objects, name, target, method, allowed
):
    kwargs = objects[target] if target else None
    for role, user in users_by_role.items():
        client.force_login(user)
        response = _request(client, name, kwargs, method)
        if role in allowed:
            assert response.status_code in (200, 302), (role, response.status_code)
            if response.status_code == 302:
                assert "/compte/connexion/" not in response["Location"], role
        else:
            assert response.status_code in (403, 404), (role, response.status_code)
        client.logout()


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_anonymous_visitor_is_sent_to_login(client, objects, name, target, method, allowed):
    response = _request(client, name, objects[target] if target else None, method)
    if method == "json":  # a script is told where to log in, never redirected
        assert response.status_code == 401
        assert response.json()["login"].startswith(reverse("login"))
        return
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_open_to_anonymous_visitors(client, name):
    assert client.get(reverse(name)).status_code == 200


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry, prefix + namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + (entry.name or str(entry.pattern)), entry.callback


def test_every_url_declares_who_may_use_it():
    undeclared = []
    for name, callback in _walk(get_resolver()):
        if not getattr(callback, "required_capability", None):
            undeclared.append(name)
    assert undeclared == []


def test_every_protected_url_is_in_the_access_table():
    declared = {name for name, _cb in _walk(get_resolver())}
    # The settings site's pages all go through one wrapper, tested on its index.
    covered = {page[0] for page in PAGES} | set(PUBLIC_PAGES)
    covered |= {name for name in declared if name.startswith("settings:")}
    public = {
        name
        for name, callback in _walk(get_resolver())
        if getattr(callback, "required_capability", None) == PUBLIC
    }
    assert declared - covered - public == set()


def test_navigation_shows_only_what_the_role_may_use(client, users_by_role):
    client.force_login(users_by_role["peer_volunteer"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("contacts:person-list") not in body
    assert reverse("staff-list") not in body
    client.force_login(users_by_role["administrator"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("staff-list") in body
    assert reverse("contacts:person-list") not in body
    client.force_login(users_by_role["educator"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("contacts:person-list") in body
    assert reverse("staff-list") not in body


def test_deactivated_account_loses_every_capability(client, make_user):
    user = make_user("educator", is_active=False)
    assert user.capabilities == frozenset()
    assert not client.login(username=user.username, password="a-long-test-password")


def test_every_kind_of_record_declares_who_may_read_and_write_it():
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    from entractes.permissions import CAPABILITIES, record_access

    project = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).parent == settings.BASE_DIR
    }
    labels = {m._meta.label for m in apps.get_models() if m._meta.app_label in project}
    assert labels - set(record_access()) == set()
    # Nothing declared for a model that does not exist (a typo would give no rule).
    assert set(record_access()) - labels == set()
    for read, write in record_access().values():
        for capability in (read, write):
            assert capability is None or capability in CAPABILITIES or capability == "authenticated"


def test_record_access_holds_to_the_rules_of_the_service():
    from entractes.permissions import roles_reading, roles_with

    # Health content: nurse, doctor, midwife (and a partner practitioner for their line).
    assert roles_with("health.read_clinical") == {"nurse", "doctor", "midwife"}
    assert roles_reading("health.Consultation") == {
        "nurse",
        "doctor",
        "midwife",
        "partner_practitioner",
    }
    # Minors' files: the minors' team and the director.
    for label in ("minors.MinorFile", "minors.Runaway", "minors.ReceivedReport"):
        assert roles_reading(label) == {"minors_team", "director"}
    # Legal identity and PSP: educators and the director.
    assert roles_reading("contacts.LegalIdentity") == {"educator", "online_worker", "director"}
    assert roles_reading("rights.PSPFile") == {"educator", "online_worker", "director"}
    # The administrator: accounts and settings, never clinical or minors' content.
    for label in ("health.Consultation", "minors.MinorFile", "contacts.LegalIdentity"):
        assert "administrator" not in roles_reading(label)
    assert "administrator" in roles_reading("entractes.User")
