"""Marker strings planted in every restricted field never reach a role that may not read
them, on any page; every restricted read and every refusal is logged exactly once."""

import pytest
from django.urls import reverse

from entractes.models import AccessLogEntry
from tests import tally
from tests.entractes.test_access import PAGES, _request

pytestmark = pytest.mark.django_db

MARKERS = {
    "identity": "ZQIDENTITYMARK",
    "clinical": "ZQCLINICALMARK",
    "minors": "ZQMINORSMARK",
    "rights": "ZQRIGHTSMARK",
    "places": "ZQPLACESMARK",
    "documents": "ZQDOCUMENTSMARK",
    "actions": "ZQACTIONSMARK",
    "health_actions": "ZQHEALTHACTIONMARK",
    "handover": "ZQHANDOVERMARK",
}
# Who may read each kind of restricted content (written from the issue, not the code).
READERS = {
    "identity": {"educator", "online_worker", "director"},
    "clinical": {"nurse", "doctor", "midwife"},
    "minors": {"minors_team", "director"},
    "rights": {"educator", "online_worker", "director"},
    # Place observations: the staff of the rounds and the director.
    "places": {
        "educator",
        "online_worker",
        "nurse",
        "doctor",
        "midwife",
        "peer_volunteer",
        "director",
    },
    # Documents' titles, file names and contents: the educators and online workers.
    "documents": {"educator", "online_worker"},
    # Actions about a person: the field and health staff and the director; a health
    # action: the health staff only. The handover: the field and health staff, the director.
    "actions": {"educator", "online_worker", "nurse", "doctor", "midwife", "director"},
    "health_actions": {"nurse", "doctor", "midwife"},
    "handover": {"educator", "online_worker", "nurse", "doctor", "midwife", "director"},
}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def plant():
    from casefile.models import Document, DocumentContent
    from contacts.models import Action, HandoverNote, LegalIdentity, PlaceObservation
    from health.models import Consultation, ConsultationAct
    from minors.models import MinorFile, Runaway
    from rights.models import Procedure, PSPFile

    mark = MARKERS
    LegalIdentity.objects.update(
        last_name=mark["identity"],
        first_names=mark["identity"],
        birth_place=mark["identity"],
        nationality=mark["identity"],
    )
    Consultation.objects.update(clinical_note=mark["clinical"])
    ConsultationAct.objects.update(detail=mark["clinical"])
    MinorFile.objects.update(notes=mark["minors"], close_reason="")
    Runaway.objects.update(housed_by=mark["minors"], housed_where=mark["minors"])
    Procedure.objects.update(missing_documents=mark["rights"], next_action=mark["rights"])
    PSPFile.objects.update(notes=mark["rights"], decision_reason=mark["rights"])
    PlaceObservation.objects.update(note=mark["places"], place=mark["places"])
    Action.all_objects.filter(domain="general").update(title=mark["actions"], note=mark["actions"])
    Action.all_objects.filter(domain="health").update(
        title=mark["health_actions"], note=mark["health_actions"]
    )
    HandoverNote.all_objects.update(happened=mark["handover"], to_watch=mark["handover"])
    Document.all_objects.update(title=mark["documents"], original_name=f"{mark['documents']}.pdf")
    DocumentContent.objects.update(content=b"%PDF-1.4\n" + mark["documents"].encode())


@pytest.fixture
def planted(objects):
    plant()
    return objects


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_no_marker_reaches_a_role_that_may_not_read_it(
    client, users_by_role, planted, name, target, method, allowed
):
    kwargs = planted[target] if target else None
    for role, user in users_by_role.items():
        client.force_login(user)
        response = _request(client, name, kwargs, method)
        body = _body(response)
        leaked = [
            kind for kind, marker in MARKERS.items() if role not in READERS[kind] and marker in body
        ]
        tally.add("url_role_pairs")
        tally.add("markers_leaked", len(leaked))
        assert not leaked, (name, role, leaked)
        client.logout()
    anonymous = _request(client, name, kwargs, method)
    tally.add("url_role_pairs")
    leaked = [kind for kind, marker in MARKERS.items() if marker in _body(anonymous)]
    tally.add("markers_leaked", len(leaked))
    assert not leaked, (name, "anonymous", leaked)


def test_person_search_and_list_carry_no_restricted_marker(client, users_by_role, planted):
    for role, user in users_by_role.items():
        client.force_login(user)
        for response in (
            client.get(reverse("contacts:person-list")),
            client.post(reverse("contacts:person-list"), {"q": "ZQ"}),
            client.post(reverse("contacts:person-suggest"), {"q": "ZQ"}),
        ):
            body = response.content.decode()
            for marker in MARKERS.values():
                assert marker not in body, role


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_each_refusal_writes_exactly_one_entry(
    client,
    users_by_role,
    objects,
    name,
    target,
    method,
    allowed,
):
    kwargs = objects[target] if target else None
    for role, user in users_by_role.items():
        if role in allowed:
            continue
        client.force_login(user)
        before = AccessLogEntry.objects.count()
        response = _request(client, name, kwargs, method)
        assert response.status_code in (403, 404)
        new = AccessLogEntry.objects.order_by("pk")[before:]
        refused = [e for e in new if e.action == AccessLogEntry.Action.REFUSED]
        assert len(new) == 1 and len(refused) == 1, (role, [e.action for e in new])
        assert refused[0].user == user
        client.logout()


# Pages that read restricted content: each request by an allowed role writes one entry.
RESTRICTED_READS = {
    "contacts:identity-show",
    "health:home",
    "health:consultation-detail",
    "health:consultation-edit",
    "health:session-list",
    "health:session-detail",
    "health:person-panel",
    "rights:psp-detail",
    "rights:person-panel",
    "minors:home",
    "minors:file-detail",
    "minors:file-edit",
    "minors:report-list",
    "minors:person-panel",
    "reporting:pdf-download",
    "reporting:publication-download",
    "exchange:export",
    "casefile:person-data-access",
    "casefile:person-data-export",
    "casefile:person-documents",
    "casefile:document-download",
    "casefile:procedure-documents",
    "casefile:psp-documents",
}
# Person panels are open to every person reader; only some read restricted content there.
PANEL_READERS = {
    "health:person-panel": {"nurse", "doctor", "midwife", "partner_practitioner"},
    "rights:person-panel": {"educator", "online_worker", "director"},
    "minors:person-panel": {"director"},  # the minors' team does not open person pages
    "casefile:person-documents": {"educator", "online_worker"},
}
READ_PAGES = [page for page in PAGES if page[0] in RESTRICTED_READS]


def test_the_restricted_reads_are_all_in_the_access_table():
    assert {page[0] for page in READ_PAGES} == RESTRICTED_READS


@pytest.mark.parametrize(
    ("name", "target", "method", "allowed"),
    READ_PAGES,
    ids=[f"{p[0]}-{p[2]}" for p in READ_PAGES],
)
def test_each_restricted_read_writes_exactly_one_entry(
    client,
    users_by_role,
    objects,
    name,
    target,
    method,
    allowed,
):
    kwargs = objects[target] if target else None
    readers = PANEL_READERS.get(name, allowed)
    for role in allowed:
        user = users_by_role[role]
        client.force_login(user)
        before = AccessLogEntry.objects.count()
        response = _request(client, name, kwargs, method)
        assert response.status_code == 200, (role, response.status_code)
        new = list(AccessLogEntry.objects.order_by("pk")[before:])
        if role not in readers:
            # A person panel open to the role, without the restricted content: no read.
            assert new == [], role
            continue
        assert len(new) == 1, (role, [e.action for e in new])
        assert new[0].user == user
        assert new[0].action in {"read", "export", "print"}
        client.logout()


def test_content_security_policy_is_strict_with_a_fresh_nonce(client, educator):
    client.force_login(educator)
    first = client.get(reverse("home"))
    second = client.get(reverse("home"))
    policy = first["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    for name in ("script-src", "style-src"):
        assert directives[name].startswith("'self' 'nonce-")
        assert "unsafe" not in directives[name]
    assert "http" not in policy and "*" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    nonce = directives["script-src"].split("'nonce-")[1].rstrip("'")
    assert f'nonce="{nonce}"' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]
    # No inline script or style in the page, and no style attribute.
    body = first.content.decode()
    assert "<script>" not in body and "<style" not in body and " style=" not in body


def test_record_pages_are_never_cached(client, users_by_role, objects):
    pages = [
        ("contacts:person-detail", "person", "educator"),
        ("contacts:identity-show", "person", "educator"),
        ("health:consultation-detail", "consultation", "nurse"),
        ("rights:psp-detail", "psp", "educator"),
        ("minors:file-detail", "minor_file", "minors_team"),
    ]
    for name, target, role in pages:
        client.force_login(users_by_role[role])
        response = client.get(reverse(name, kwargs=objects[target]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name


def test_no_marker_in_the_report_pdf_or_the_figure_exports(objects):
    """The report and its exports are figures: no restricted text reaches them."""
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from entractes.lib.exports import to_csv
    from reporting.document import narrative_snapshot, render_pdf
    from reporting.figures import all_figures

    plant()
    year = timezone.localdate().year
    values = all_figures(year)
    pdf = render_pdf(year, values, narrative_snapshot(year))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert len(text) > 1000
    exported = "".join(to_csv(["key", "value"], sorted(values.items())))
    for marker in MARKERS.values():
        assert marker not in text
        assert marker not in exported
