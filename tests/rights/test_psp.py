import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from entractes.models import AccessLogEntry
from rights import services
from rights.models import PSPDocumentKind, PSPFile
from rights.services import RightsError
from tests.factories import LegalIdentityFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ready(educator):
    """A first request with identity and every document, still in preparation."""
    person = PersonFactory(nickname="Madame O")
    LegalIdentityFactory(person=person)
    psp_file = services.psp_file_create(person=person, by=educator)
    psp_file.documents.set(PSPDocumentKind.objects.all())
    return psp_file


def move(psp_file, to, by, **data):
    return services.psp_file_transition(psp_file=psp_file, to=to, data=data, by=by)


def favourable_path(psp_file, by, filed=None):
    filed = filed or D(2023, 3, 1)
    move(psp_file, "filed", by, filed_on=filed, commission_date=filed + datetime.timedelta(days=30))
    move(
        psp_file,
        "decided",
        by,
        decision="favourable",
        decision_on=filed + datetime.timedelta(days=30),
    )
    return move(psp_file, "path", by)


def test_refusal_reversed_on_review_then_path(ready, educator):
    """Madame O: refused at the commission on a mistaken identity, reviewed, accepted."""
    move(ready, "filed", educator, filed_on=D(2023, 5, 2), commission_date=D(2023, 6, 15))
    move(
        ready,
        "decided",
        educator,
        decision="unfavourable",
        decision_on=D(2023, 6, 15),
        decision_reason="Homonymie avec l'auteur de violences",
    )
    move(ready, "review", educator)
    decided = move(
        ready, "decided", educator, review_outcome="favourable", review_on=D(2023, 6, 22)
    )
    assert decided.final_decision == "favourable"
    path = move(ready, "path", educator)
    assert path.path_start == D(2023, 6, 22)
    assert path.path_end == D(2023, 12, 21)
    assert move(ready, "closed", educator).state == "closed"


@pytest.mark.parametrize(
    ("steps", "to", "message"),
    [
        ([], "decided", "ne peut pas passer"),
        ([], "path", "ne peut pas passer"),
        ([], "review", "ne peut pas passer"),
        (["filed"], "path", "ne peut pas passer"),
        (["filed", "favourable"], "review", "Seul un avis défavorable"),
        (["filed", "unfavourable"], "path", "avis favorable"),
        (["filed", "unfavourable"], "filed", "ajourné"),
        (["filed", "adjourned"], "path", "avis favorable"),
    ],
)
def test_forbidden_transitions_are_refused_with_a_reason(ready, educator, steps, to, message):
    for step in steps:
        if step == "filed":
            move(ready, "filed", educator, filed_on=D(2023, 3, 1))
        else:
            move(
                ready,
                "decided",
                educator,
                decision=step,
                decision_on=D(2023, 4, 1),
                decision_reason="motif",
            )
    with pytest.raises(RightsError, match=message):
        move(ready, to, educator)


def test_adjourned_file_goes_back_to_a_commission(ready, educator):
    move(ready, "filed", educator, filed_on=D(2023, 3, 1))
    move(
        ready,
        "decided",
        educator,
        decision="adjourned",
        decision_on=D(2023, 4, 1),
        decision_reason="pièce",
    )
    again = move(ready, "filed", educator, commission_date=D(2023, 10, 1))
    assert (again.state, again.decision) == ("filed", "")


def test_filing_needs_identity_documents_and_a_date(educator):
    person = PersonFactory()
    psp_file = services.psp_file_create(person=person, by=educator)
    with pytest.raises(RightsError, match="identité légale"):
        move(psp_file, "filed", educator, filed_on=D(2023, 3, 1))
    LegalIdentityFactory(person=person)
    with pytest.raises(RightsError, match="Pièces manquantes : Passeport"):
        move(psp_file, "filed", educator, filed_on=D(2023, 3, 1))
    psp_file.documents.set(PSPDocumentKind.objects.all())
    with pytest.raises(RightsError, match="À renseigner : déposé le"):
        move(psp_file, "filed", educator)
    with pytest.raises(RightsError, match="futur"):
        move(
            psp_file, "filed", educator, filed_on=timezone.localdate() + datetime.timedelta(days=3)
        )


def test_decision_cannot_precede_filing(ready, educator):
    move(ready, "filed", educator, filed_on=D(2023, 3, 1))
    with pytest.raises(RightsError, match="précéder"):
        move(ready, "decided", educator, decision="favourable", decision_on=D(2023, 2, 1))


def test_renewals_follow_a_favourable_path_and_stop_at_two(ready, educator):
    person = ready.person
    with pytest.raises(RightsError, match="déjà en cours"):
        services.psp_file_create(person=person, by=educator)
    favourable_path(ready, educator)
    first = services.psp_file_create(person=person, by=educator)
    assert (first.kind, first.previous) == ("first_renewal", ready)
    first.documents.set(PSPDocumentKind.objects.all())
    favourable_path(first, educator, filed=D(2023, 9, 1))
    second = services.psp_file_create(person=person, by=educator)
    assert second.kind == "second_renewal"
    second.documents.set(PSPDocumentKind.objects.all())
    favourable_path(second, educator, filed=D(2024, 3, 1))
    with pytest.raises(RightsError, match="troisième"):
        services.psp_file_create(person=person, by=educator)


def test_a_renewal_opened_on_the_page_keeps_the_dependants_and_the_documents(
    login, ready, educator
):
    services.psp_file_update(psp_file=ready, data={"dependants": 2})
    gathered = list(PSPDocumentKind.objects.all())
    favourable_path(ready, educator)
    response = login(educator).post(reverse("rights:psp-create"), {"person": ready.person.code})
    renewal = PSPFile.objects.get(previous=ready)
    assert response["Location"] == reverse("rights:psp-detail", args=[renewal.pk])
    assert renewal.kind == "first_renewal"
    assert renewal.dependants == 2
    assert renewal.afis_amount == ready.afis_amount
    assert set(renewal.documents.all()) == set(gathered)
    assert renewal.missing_documents == []
    # The renewal's documents are its own: changing them leaves the renewed file's.
    renewal.documents.remove(gathered[0])
    assert set(ready.documents.all()) == set(gathered)


def test_a_second_renewal_starts_from_the_first_renewal(ready, educator):
    favourable_path(ready, educator)
    first = services.psp_file_create(person=ready.person, by=educator)
    services.psp_file_update(psp_file=first, data={"dependants": 1})
    first.documents.remove(PSPDocumentKind.objects.first())
    first.documents.add(PSPDocumentKind.objects.first())
    favourable_path(first, educator, filed=D(2023, 9, 1))
    second = services.psp_file_create(person=ready.person, by=educator)
    assert (second.previous, second.dependants) == (first, 1)
    assert set(second.documents.all()) == set(first.documents.all())


def test_a_first_request_starts_empty(educator):
    psp_file = services.psp_file_create(person=PersonFactory(), by=educator)
    assert (psp_file.dependants, psp_file.documents.count()) == (0, 0)


def test_no_renewal_of_a_refused_path(ready, educator):
    move(ready, "filed", educator, filed_on=D(2023, 3, 1))
    move(
        ready,
        "decided",
        educator,
        decision="unfavourable",
        decision_on=D(2023, 4, 1),
        decision_reason="x",
    )
    move(ready, "closed", educator)
    again = services.psp_file_create(person=ready.person, by=educator)
    assert again.kind == "first_request"
    with pytest.raises(RightsError, match="prochain dossier"):
        services.psp_file_create(person=PersonFactory(), by=educator, kind="first_renewal")


@pytest.mark.parametrize(("dependants", "amount"), [(0, "343.20"), (1, "445.20"), (3, "649.20")])
def test_afis_amount_follows_the_dependants(ready, dependants, amount):
    ready.dependants = dependants
    assert ready.afis_amount == Decimal(amount)


def test_pages_refuse_a_jump_with_the_reason_and_log_reads(client, educator, ready):
    client.force_login(educator)
    response = client.post(
        reverse("rights:psp-transition", args=[ready.pk]), {"to": "path"}, follow=True
    )
    assert "ne peut pas passer" in response.content.decode()
    assert PSPFile.objects.get().state == "preparing"
    assert AccessLogEntry.objects.filter(target_type="rights.pspfile", action="read").exists()
    response = client.post(
        reverse("rights:psp-transition", args=[ready.pk]),
        {"to": "filed", "filed_on": "2023-03-01"},
        follow=True,
    )
    assert PSPFile.objects.get().state == "filed"
    response = client.get(reverse("rights:psp-detail", args=[ready.pk]))
    assert "343,20" in response.content.decode() or "343.20" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["peer_volunteer", "partner_practitioner", "nurse", "administrator"]
)
def test_psp_and_procedures_hidden_from_other_roles(client, make_user, ready, role):
    client.force_login(make_user(role))
    assert client.get(reverse("rights:psp-detail", args=[ready.pk])).status_code == 403
    assert client.get(reverse("rights:procedure-list")).status_code == 403
