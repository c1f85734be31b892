"""What the customer sees (issue 16) through the Python door: the e-mail's eleven score
links (M1), a click recording the score once, the survey, thank-you and unsubscribe pages
(M2) with the golden thank-you page, the posted form read into answers, escaping (M4)."""

import pytest

import hearken
from test_hearken import DUE, golden_text, prepared


def token(link):
    return link.rsplit("/", 1)[-1]


@pytest.fixture
def delivered():
    engine = prepared()
    engine.sync_json(golden_text("night1.batch.json"), 1_795_212_000_000)
    messages = {m.customer: m for m in engine.claim(10, DUE)}
    for m in messages.values():
        engine.ack(m.message_id, DUE)
    return engine, messages


def nps(engine):
    s = engine.nps(hearken.ScoreQuery())
    return (s.promoters, s.passives, s.detractors)


def test_m1_email_has_eleven_score_links_and_the_first_click_records_once(delivered):
    engine, messages = delivered
    c1 = messages["c1"]
    for n in range(11):
        assert f'href="{c1.survey_link}?score={n}"' in c1.html_body
    assert "score=" not in c1.body
    t = token(c1.survey_link)
    first = engine.record_score_click(t, 9, DUE)
    assert (first.score, first.recorded, first.completed) == (9, True, False)
    assert nps(engine) == (1, 0, 0)
    again = engine.record_score_click(t, 3, DUE)
    assert (again.score, again.recorded, again.response_id) == (9, False, first.response_id)
    page = engine.survey_link_page(t, 3, None, DUE)
    assert page.kind == hearken.PageKind.SURVEY
    assert "Vous nous avez donné 9 sur 10" in page.html
    assert nps(engine) == (1, 0, 0)


def test_m2_the_page_completes_the_response_and_the_thanks_equal_golden(delivered):
    engine, messages = delivered
    t = token(messages["c1"].survey_link)
    engine.record_score_click(t, 9, DUE)
    body = "q.comment=Tr%c3%a8s+bien%2c+l%27accueil+%ec%a2%8b%ec%95%84%ec%9a%94"
    thanks = engine.submit_survey_form(t, body, DUE)
    assert thanks.kind == hearken.PageKind.THANK_YOU
    assert thanks.html + "\n" == golden_text("thanks_c1.html")
    assert thanks.review_link == "https://g.page/r/paris/review"
    assert engine.thread(thanks.response_id)[0].body == "Très bien, l'accueil 좋아요"
    # Complete: later clicks and posts change nothing.
    late = engine.record_score_click(t, 0, DUE)
    assert (late.recorded, late.completed, late.score) == (False, True, 9)
    assert engine.survey_link_page(t, 0, None, DUE).kind == hearken.PageKind.THANK_YOU
    assert len(engine.thread(thanks.response_id)) == 1
    assert nps(engine) == (1, 0, 0)


def test_m2_unsubscribe_page_and_form_answers(delivered):
    engine, messages = delivered
    page = engine.unsubscribe_page(token(messages["c5"].unsubscribe_link), DUE)
    assert (page.kind, page.language) == (hearken.PageKind.UNSUBSCRIBED, "ko")
    assert '<html lang="ko"' in page.html
    answers = engine.survey_form_answers("q.recommend=10&q.comment=a%27b&consent=1")
    assert answers.answers[0].score == 10
    assert answers.answers[1].text == "a'b"
    assert answers.consent_to_reply
    with pytest.raises(hearken.HearkenError.InvalidInput) as err:
        engine.survey_form_answers("q.recommend=secret")
    assert "secret" not in str(err.value)


def test_m4_a_name_with_markup_renders_as_text():
    engine = hearken.Engine.open_in_memory()
    engine.upsert_location(
        hearken.Location(id="x", name='<script>alert(1)</script> "Bob"', time_zone="Europe/Paris")
    )
    batch = golden_text("night1.batch.json").replace('"location": "paris"', '"location": "x"')
    engine.sync_json(batch, 1_795_212_000_000)
    for m in engine.claim(10, DUE):
        assert "<script>" not in m.html_body
        assert "&lt;script&gt;" in m.html_body
        page = engine.survey_link_page(token(m.survey_link), 10, None, DUE)
        assert "<script>" not in page.html


FR_OVERRIDE_BODY = "{survey_link} {unsubscribe_link}"
ATTACK_BATCH = (
    '{"format":1,"location":"paris","business_dates":["2026-11-20"],'
    '"customers":[{"id":"c1","name":"Anne/onmouseover=alert(4) Dupont",'
    '"email":"anne@example.fr","language":"fr","include_in_communications":true}],'
    '"transactions":[{"id":"t1","customer":"c1","kind":"sale","amount_minor":100,'
    '"currency":"EUR","finalized_at":"2026-11-20T10:15:00+01:00"}]}'
)


def fr_invitation(html):
    return hearken.Template(
        kind=hearken.MessageKind.SURVEY_INVITATION,
        channel=hearken.Channel.EMAIL,
        language="fr",
        subject="{location}",
        body=FR_OVERRIDE_BODY,
        html=html,
    )


def test_m4_elided_apostrophe_in_a_single_quoted_attribute_stays_text():
    for q in ("'", '"'):
        engine = prepared()
        engine.set_template(fr_invitation(
            f"<p title={q}Un mot de {{first_name}}{q}>Bonjour</p>{{score_scale}}"
            '<a href="{unsubscribe_link}">x</a>'
        ))
        engine.sync_json(ATTACK_BATCH, 1_795_212_000_000)
        (m,) = engine.claim(10, DUE)
        assert m.html_body.startswith(
            f"<p title={q}Un mot d&#39;Anne/onmouseover=alert(4){q}>Bonjour</p>"
        ), m.html_body
        assert "d'Anne" not in m.html_body


def test_m4_set_template_refuses_a_placeholder_where_no_escaping_is_safe():
    engine = prepared()
    for html, where in [
        ("<p title={first_name}>MARK</p>", "unquoted attribute value"),
        ("<script>var n = '{first_name}'; // MARK</script>", "<script>"),
        ("<a href='https://MARK/{location}'>x</a>", "URL-valued attribute"),
        ("<!-- MARK {first_name} -->", "comment"),
    ]:
        with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
            engine.set_template(fr_invitation(
                html + '{score_scale}<a href="{unsubscribe_link}">x</a>'
            ))
        (problem,) = caught.value.problems
        assert (problem.record, problem.field) == ("template", "html")
        assert where in problem.reason, problem.reason
        assert "MARK" not in problem.reason and "MARK" not in str(caught.value)
    # Nothing stored: the shipped French HTML part is still the one in force.
    shipped = engine.template(hearken.MessageKind.SURVEY_INVITATION, hearken.Channel.EMAIL, "fr")
    assert shipped.html.startswith("<!doctype html>")
