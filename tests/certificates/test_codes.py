"""Verification codes read aloud and typed by hand; the codes issued before stay valid."""

import re

from certificates import codes, status
from certificates.models import Certificate
from lms.extensions import db

NEW_FORM = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}")


def test_a_new_code_is_grouped_unambiguous_and_holds_at_least_80_bits():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200 and all(NEW_FORM.fullmatch(code) for code in made)
    assert not set("ILOU") & set("".join(made))
    assert codes.GROUPS * codes.GROUP_SIZE * 5 >= 80  # 5 bits per base32 symbol


def test_a_certificate_gets_the_new_form_shown_on_the_status_page(client, certified):  # noqa: F811
    code = status.certificate_of(certified).code
    assert NEW_FORM.fullmatch(code)
    assert f"<code>{code}</code>" in client.get("/mon-statut").get_data(as_text=True)


def test_the_code_is_found_whatever_case_spaces_dashes_or_look_alikes(client, certified):  # noqa: F811
    code = status.certificate_of(certified).code
    bare = code.replace("-", "")
    typed_ways = [
        code.lower(),
        " ".join(code.split("-")),
        bare,
        f"  {bare[:10]} {bare[10:]}  ",
        code.replace("1", "l").replace("0", "O").lower(),
    ]
    for typed in typed_ways:
        answer = client.get("/verifier", query_string={"code": typed})
        assert answer.status_code == 302, typed
        assert answer.location.endswith(f"/verifier/{code}")
        page = client.get(f"/verifier/{typed.strip().replace(' ', '')}")
        assert page.status_code == 200 and "Attestation valide" in page.get_data(as_text=True)


def test_the_whole_verification_url_pasted_in_the_field_is_accepted(client, certified):  # noqa: F811
    code = status.certificate_of(certified).code
    for pasted in [
        f"http://cafeia.test/verifier/{code}",
        f"https://cafeia.test/verifier/{code.lower()}/",
        f"cafeia.test/verifier/{code}",
    ]:
        answer = client.get("/verifier", query_string={"code": pasted})
        assert answer.status_code == 302 and answer.location.endswith(f"/verifier/{code}")
        page = client.get(answer.location).get_data(as_text=True)
        assert "Attestation valide" in page and certified.full_name in page


def test_a_link_without_a_code_or_a_wrong_code_says_so_in_french(client, certified):  # noqa: F811
    empty = client.get("/verifier", query_string={"code": "https://cafeia.test/"})
    assert empty.status_code == 422
    assert "Ce lien ne contient pas de code" in empty.get_data(as_text=True)
    too_long = client.get("/verifier", query_string={"code": "A" * 301})
    assert too_long.status_code == 422 and "trop long" in too_long.get_data(as_text=True)
    unknown = client.get("/verifier/AAAA-AAAA-AAAA-AAAA-AAAA")
    assert unknown.status_code == 404 and "Attestation inconnue" in unknown.get_data(as_text=True)


def test_a_code_issued_before_stays_valid_exactly_as_issued(app, client, certified):  # noqa: F811
    old = "Ab3_x-Yz0OlI1abcdefghijklmnopqrs"  # the former form: 32 URL-safe characters
    db.session.get(Certificate, status.certificate_of(certified).id).code = old
    db.session.commit()
    assert "Attestation valide" in client.get(f"/verifier/{old}").get_data(as_text=True)
    answer = client.get("/verifier", query_string={"code": f"http://cafeia.test/verifier/{old}"})
    assert answer.location.endswith(f"/verifier/{old}")
    assert client.get(f"/badges/statut/{old}").status_code == 200
    # It was case-sensitive when issued: another case is another code.
    assert client.get(f"/verifier/{old.lower()}").status_code == 404
