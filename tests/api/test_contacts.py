"""The contacts area against the local stand-in, and its CSV and vCard formats.

The ``contacts.*`` vectors come from running sipgate's Node library
(``tests/fixtures/contacts_vectors.json``); where that library is wrong, the
test says so and asserts the corrected behaviour.

Why one module of this size: the contacts area's Node-library vectors (requests, CSV, vCard) are
read once and used across all its tests.
"""

import base64
import csv
from dataclasses import replace
import io
import json
from typing import Any

from aiohttp import ClientSession
import pytest

from custom_components.sipgate.api import PersonalAccessToken, SipgateClient
from custom_components.sipgate.api.contacts import (
    ALL_SCOPES,
    CSV_IMPORT_ENCODING,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactNumber,
    ContactScope,
    CsvImport,
    NewContact,
    build_number_index,
    contact_to_vcard,
    contacts_to_csv,
    contacts_to_vcard,
    new_contact_from_vcard,
)
from custom_components.sipgate.api.contacts_formats import (
    VCard,
    parse_vcard,
    read_import_csv,
    render_export_csv,
    validate_delimiter,
)
from custom_components.sipgate.api.exceptions import (
    SipgateForbiddenError,
    SipgateInvalidResponseError,
    SipgateValidationError,
)
from custom_components.sipgate.contact_names import ContactNames

from ..conftest import load_json
from .conftest import TOKEN, TOKEN_ID, Answer, FakeSipgate, RecordedRequest

VECTORS: dict[str, Any] = load_json("contacts_vectors.json")
REST = VECTORS["rest_requests_executed"]
CSV_CASES: list[dict[str, Any]] = VECTORS["contacts_csv_import_executed"]["cases"]
VCARD_VECTORS: dict[str, Any] = VECTORS["contacts_vcard_parse_test"]
VCARD_CASES: list[dict[str, Any]] = VCARD_VECTORS["cases"]
CONTACTS: dict[str, Any] = load_json("contacts.json")
ERIKA, JUERGEN, PRAXIS, ANNA = CONTACTS["items"]

# What the Node library's probes were answered with: the vectors' results show
# foo (PRIVATE), baz (SHARED) and a totalCount of 5; bar is the third scope.
NODE_MOCK = {
    "items": [
        {
            "id": "foo",
            "name": "User1",
            "scope": "PRIVATE",
            "emails": [],
            "numbers": [],
            "addresses": [],
            "organization": [[]],
        },
        {
            "id": "bar",
            "name": "User2",
            "scope": "INTERNAL",
            "emails": [],
            "numbers": [],
            "addresses": [],
            "organization": [],
        },
        {
            "id": "baz",
            "name": "User3",
            "scope": "SHARED",
            "emails": [],
            "numbers": [{"number": "0123456789", "type": []}],
            "addresses": [],
            "organization": [["sipgate"]],
        },
    ],
    "totalCount": 5,
}


class PagedAnswers(dict[tuple[str, str], Answer | list[Answer]]):
    """Answers where a list is given out one entry per request, in order."""

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        """The next answer of a list, or the single answer."""
        value = super().get(key, default)
        if isinstance(value, list):
            return value.pop(0) if value else default
        return value


def answer_pages(fake: FakeSipgate, pages: list[dict[str, Any]]) -> None:
    """Answer successive ``GET /contacts`` with ``pages``."""
    answers = PagedAnswers(fake.answers)
    answers[("GET", "/contacts")] = [Answer(json=page) for page in pages]
    fake.answers = answers  # type: ignore[assignment]


def body(request: RecordedRequest) -> Any:
    return json.loads(request.body)


def sent(fake: FakeSipgate) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(r.method, r.path, r.query) for r in fake.requests]


def vector_request(name: str, index: int = 0) -> dict[str, Any]:
    request: dict[str, Any] = REST[name]["requests"][index]
    return request


def without_null_picture(data: dict[str, Any]) -> dict[str, Any]:
    """The Node library's body without ``"picture": null``.

    sipgate's spec types ``picture`` as a string (not nullable), so the client
    leaves the key out when there is no picture instead of sending ``null``.
    """
    assert data["picture"] is None
    return {key: value for key, value in data.items() if key != "picture"}


# --- vectors: writing -------------------------------------------------------------------------------


async def test_create_sends_the_vectors_body(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.create``: same body as the Node library, minus ``picture: null`` (see above)."""
    fake_sipgate.answer("POST", "/contacts", status=204)
    contact = NewContact(
        firstname="Ada",
        lastname="Lovelace",
        organization=[["sipgate"]],
        email=ContactEmail("ada@example.com", ("home",)),
        number=ContactNumber("+4921163553355", ("cell",)),
    )

    await client.contacts.create(contact, ContactScope.PRIVATE)

    (request,) = fake_sipgate.requests
    vector = vector_request("contacts.create")
    assert (request.method, request.path, request.query) == ("POST", "/contacts", [])
    assert body(request) == without_null_picture(vector["body"])
    assert request.headers["Content-Type"] == "application/json"


async def test_create_without_names_is_refused(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.create_noname``: ``Names not given`` before anything is sent."""
    with pytest.raises(SipgateValidationError, match=r"^Names not given") as err:
        await client.contacts.create(NewContact(firstname=" ", number="+4921163553355"), "PRIVATE")
    assert err.value.field == "firstname"
    assert REST["contacts.create_noname"]["error"] == "Names not given"
    assert fake_sipgate.requests == []


async def test_update_sends_the_vectors_body(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.update``: the whole contact, minus ``picture: null``."""
    fake_sipgate.answer("PUT", "/contacts/abc", status=204)
    contact = Contact(
        id="abc", name="Ada Lovelace", numbers=(ContactNumber("+4921163553355"),), scope="SHARED"
    )

    await client.contacts.update(contact)

    (request,) = fake_sipgate.requests
    vector = vector_request("contacts.update")
    assert (request.method, request.path) == ("PUT", vector["url"])
    assert body(request) == without_null_picture(vector["body"])


async def test_delete(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.delete``."""
    fake_sipgate.answer("DELETE", "/contacts/abc", status=204)
    await client.contacts.delete("abc")
    assert sent(fake_sipgate) == [("DELETE", vector_request("contacts.delete")["url"], [])]
    assert fake_sipgate.requests[0].body == b""


async def test_delete_quotes_the_id(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """An id cannot change the path: ``?`` stays part of the id."""
    fake_sipgate.answer("DELETE", "/contacts/a?b", status=204)
    await client.contacts.delete("a?b")
    assert sent(fake_sipgate) == [("DELETE", "/contacts/a?b", [])]


@pytest.mark.parametrize("contact_id", ["", "  "])
async def test_an_empty_id_never_deletes_all_contacts(
    client: SipgateClient, fake_sipgate: FakeSipgate, contact_id: str
) -> None:
    """``DELETE /contacts/`` could mean "delete all": an empty id is refused."""
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.delete(contact_id)
    assert err.value.field == "contact_id"
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.update(Contact(id="", name="x", scope="PRIVATE"))
    assert err.value.field == "contact.id"
    assert fake_sipgate.requests == []


async def test_delete_all_private(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.deleteAllPrivate``: one ``DELETE /contacts``; sipgate does not say how many."""
    fake_sipgate.answer("DELETE", "/contacts", status=204)
    assert await client.contacts.delete_all("private") is None
    assert sent(fake_sipgate) == [("DELETE", vector_request("contacts.deleteAllPrivate")["url"], [])]


async def test_delete_all_shared(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.deleteAllShared``: read, then delete each shared contact; awaited and counted.

    The Node library does not await the deletions; here every DELETE has been
    answered when ``delete_all`` returns, and the count is returned. It also
    reads all pages (the Node library reads only the first, unpaged).
    """
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    fake_sipgate.answer("DELETE", "/contacts/baz", status=204)

    assert await client.contacts.delete_all(ContactScope.SHARED) == 1

    get, delete = vector_request("contacts.deleteAllShared", 0), vector_request("contacts.deleteAllShared", 1)
    assert sent(fake_sipgate) == [
        (get["method"], "/" + get["url"], [("limit", "1000"), ("offset", "0")]),
        (delete["method"], delete["url"], []),
    ]


async def test_delete_all_shared_reads_every_page_before_deleting(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Deleting while paging would shift the offsets: all pages are read first."""
    page1 = {"items": [JUERGEN, ERIKA], "totalCount": 3}
    page2 = {"items": [PRAXIS], "totalCount": 3}
    answer_pages(fake_sipgate, [page1, page2])
    fake_sipgate.answer("DELETE", f"/contacts/{JUERGEN['id']}", status=204)
    fake_sipgate.answer("DELETE", f"/contacts/{PRAXIS['id']}", status=204)

    contacts = client.contacts
    contacts_iterate = contacts.iterate

    def small_pages(*args: Any, **kwargs: Any) -> Any:
        return contacts_iterate(*args, **kwargs | {"page_size": 2})

    contacts.iterate = small_pages  # type: ignore[method-assign]
    assert await contacts.delete_all("SHARED") == 2
    assert [(m, p) for m, p, _ in sent(fake_sipgate)] == [
        ("GET", "/contacts"),
        ("GET", "/contacts"),
        ("DELETE", f"/contacts/{JUERGEN['id']}"),
        ("DELETE", f"/contacts/{PRAXIS['id']}"),
    ]
    assert [q for _, _, q in sent(fake_sipgate)][:2] == [
        [("limit", "2"), ("offset", "0")],
        [("limit", "2"), ("offset", "2")],
    ]


@pytest.mark.parametrize("scope", ["ALL", "INTERNAL", "public", None])
async def test_delete_all_needs_a_writable_scope(
    client: SipgateClient, fake_sipgate: FakeSipgate, scope: Any
) -> None:
    with pytest.raises(SipgateValidationError, match="PRIVATE, SHARED") as err:
        await client.contacts.delete_all(scope)
    assert (err.value.field, err.value.value) == ("scope", scope)
    assert fake_sipgate.requests == []


async def test_forbidden_names_the_scope(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("DELETE", "/contacts", status=403, json={"message": "Forbidden"})
    with pytest.raises(SipgateForbiddenError) as err:
        await client.contacts.delete_all("PRIVATE")
    assert err.value.scope == "contacts:write"
    fake_sipgate.answer("GET", "/contacts", status=403)
    with pytest.raises(SipgateForbiddenError) as err:
        await client.contacts.get()
    assert err.value.scope == "contacts:read"


# --- vectors: reading and exporting -----------------------------------------------------------------


async def test_get_shared_with_filter(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.get_SHARED_with_filter``; filter numbers are sent in E.164.

    The Node library passes its vector's ``+490123456789`` and ``+491111`` on as
    typed; neither can exist, so the strict reading refuses them before anything
    is sent. Numbers that exist go out in E.164 (the trunk zero after ``+49``
    dropped).
    """
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    vector = vector_request("contacts.get_SHARED_with_filter")
    with pytest.raises(SipgateValidationError) as caught:
        await client.contacts.get("SHARED", limit=3, offset=0, phone_numbers=vector["params"]["phonenumbers"])
    assert caught.value.value == "+490123456789"
    assert fake_sipgate.requests == []

    page = await client.contacts.get(
        "SHARED", limit=3, offset=0, phone_numbers=["+49 (0)211 12345678", "0211 98765432"]
    )

    assert page.items == [
        Contact.from_dict(item) for item in REST["contacts.get_SHARED_with_filter"]["result"]
    ]
    assert page.total_count == 5
    assert fake_sipgate.requests[0].query == [
        ("limit", "3"),
        ("offset", "0"),
        ("phonenumbers", "+4921112345678"),
        ("phonenumbers", "+4921198765432"),
    ]


async def test_paginated_get_private(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.paginatedGet_PRIVATE``: the page and whether more follow."""
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    vector = REST["contacts.paginatedGet_PRIVATE"]

    page = await client.contacts.get(ContactScope.PRIVATE, limit=3, offset=0)

    assert page.items == [Contact.from_dict(item) for item in vector["result"]["response"]]
    assert page.items[0].organization == ((),)
    assert page.total_count is not None
    assert (page.total_count > 3 + 0) is vector["result"]["hasMore"]
    query = "&".join(f"{k}={v}" for k, v in fake_sipgate.requests[0].query)
    assert query == vector["requests"][0]["query"]


async def test_paginated_export_as_csv_private(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.paginatedExportAsCsv_PRIVATE``: one page, rendered exactly as the Node library."""
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    vector = REST["contacts.paginatedExportAsCsv_PRIVATE"]

    page = await client.contacts.get("PRIVATE", limit=3, offset=0)

    assert contacts_to_csv(page.items) == vector["result"]["response"]
    assert "&".join(f"{k}={v}" for k, v in fake_sipgate.requests[0].query) == vector["requests"][0]["query"]


async def test_export_as_objects_shared(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.exportAsJSON_SHARED``: the same objects (a list instead of a JSON string).

    The Node library reads one unpaged request (sipgate's default of 5000
    contacts); here every page is read, 1000 at a time.
    """
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    expected = json.loads(REST["contacts.exportAsJSON_SHARED"]["result"])

    assert await client.contacts.export_objects("SHARED") == expected["contacts"]
    assert sent(fake_sipgate) == [("GET", "/contacts", [("limit", "1000"), ("offset", "0")])]


async def test_export_as_vcards_shared(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.exportAsVCards_SHARED``, corrected.

    The Node library writes ``N:User3;`` without ``FN`` (required by vCard
    4.0), ``TEL;TYPE=:`` with an empty type, and no CRLF after ``END:VCARD``.
    """
    fake_sipgate.answer("GET", "/contacts", json=NODE_MOCK)
    node = REST["contacts.exportAsVCards_SHARED"]["result"]

    cards = await client.contacts.export_vcards("SHARED")

    assert node == [
        "BEGIN:VCARD\r\nVERSION:4.0\r\nN:User3;\r\nORG:sipgate\r\nTEL;TYPE=:0123456789\r\nEND:VCARD"
    ]
    assert cards == [
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:User3\r\nN:User3;;;;\r\nORG:sipgate\r\nTEL:0123456789\r\nEND:VCARD\r\n"
    ]
    assert parse_vcard(cards[0]).family == "User3"


async def test_export_vcard_is_one_text(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json=CONTACTS)
    text = await client.contacts.export_vcard()
    cards = await client.contacts.export_vcards()
    assert text == "".join(cards) == "\r\n".join(card.removesuffix("\r\n") for card in cards) + "\r\n"
    assert text.count("BEGIN:VCARD") == 4
    assert await client.contacts.export_vcard("INTERNAL") == contact_to_vcard(Contact.from_dict(ANNA))


async def test_export_csv(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json=CONTACTS)

    text = await client.contacts.export_csv("PRIVATE", delimiter=";")

    assert text == (
        '"id";"name";"emails";"numbers";"addresses";"organizations"\n'
        '"0b8a3c1e-5d2f-4e7a-9c61-2f4d8e9a7b10";"Erika Mustermann";"[""erika.mustermann@example.de""]";'
        '"[""+4921112345678"",""+4917612345678""]";'
        '"[{""poBox"":"""",""extendedAddress"":""3. OG"",""streetAddress"":""Heinrich-Heine-Allee 1"",'
        '""locality"":""Düsseldorf"",""region"":""Nordrhein-Westfalen"",""postalCode"":""40213"",'
        '""country"":""Deutschland""}]";"[[""Muster GmbH"",""Vertrieb""]]"'
    )
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.export_csv(delimiter=";;")
    assert err.value.field == "delimiter"
    assert len(fake_sipgate.requests) == 1


def test_csv_export_quotes_what_needs_quoting() -> None:
    """Delimiters, quotes and line breaks inside values survive a round trip through ``csv``."""
    tricky = Contact(id="1", name='Meier, "Hans"\nGmbH', scope="SHARED")
    text = contacts_to_csv([tricky])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][:2] == ["1", 'Meier, "Hans"\nGmbH']
    assert contacts_to_csv([]) == '"id","name","emails","numbers","addresses","organizations"'
    assert render_export_csv([{"id": "x"}]).endswith('"x","","","","",""')


# --- vectors: CSV import ----------------------------------------------------------------------------


def _corrected_projection(case: dict[str, Any]) -> str:
    """The Node library's projection without the empty lines it sends for skipped records."""
    return "\n".join(line for line in case["projected_csv_sent"].split("\n") if line)


@pytest.mark.parametrize("case", CSV_CASES, ids=[f"csv{i}" for i in range(len(CSV_CASES))])
async def test_csv_import_cases(
    client: SipgateClient, fake_sipgate: FakeSipgate, case: dict[str, Any]
) -> None:
    """Every CSV case of the Node library.

    Corrected: a record missing a value is skipped and reported (the Node
    library sends an empty line for it), and when nothing is left to import
    (header only) nothing is sent (the Node library sends the bare header).
    """
    fake_sipgate.answer("POST", "/contacts/import/csv", status=204)
    if case["error"] is not None:
        with pytest.raises(SipgateValidationError, match="^" + case["error"]) as err:
            await client.contacts.import_csv(case["input"])
        assert err.value.field == "csv"
        assert fake_sipgate.requests == []
        return

    result = await client.contacts.import_csv(case["input"])

    expected = _corrected_projection(case)
    assert result.imported == expected.count("\n")
    assert len(result.skipped_lines) == len(case["console_warnings"]) - (
        "WARNING: no lines to import" in case["console_warnings"]
    )
    if result.imported == 0:
        assert fake_sipgate.requests == []
        return
    (request,) = fake_sipgate.requests
    assert (request.method, request.path) == ("POST", "/contacts/import/csv")
    assert base64.b64decode(body(request)["base64Content"]).decode(CSV_IMPORT_ENCODING) == expected


async def test_csv_import_vector_base64(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.importFromCsvString``: byte for byte the Node library's base64."""
    fake_sipgate.answer("POST", "/contacts/import/csv", status=204)
    text = "firstname,lastname,number\nAlan,Turing,+4921163553355\nAda,Lovelace,+4921163553355"

    result = await client.contacts.import_csv(text)

    assert body(fake_sipgate.requests[0]) == vector_request("contacts.importFromCsvString")["body"]
    assert result.skipped_lines == ()
    assert [(r.firstname, r.lastname, r.number, r.line) for r in result.rows] == [
        ("Alan", "Turing", "+4921163553355", 2),
        ("Ada", "Lovelace", "+4921163553355", 3),
    ]


async def test_csv_import_skips_records_missing_a_value(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    fake_sipgate.answer("POST", "/contacts/import/csv", status=204)
    result = await client.contacts.import_csv(CSV_CASES[8]["input"])
    assert result.skipped_lines == (3,)
    assert result.imported == 2


async def test_csv_import_sends_nothing_when_every_record_is_skipped(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    result = await client.contacts.import_csv("firstname,lastname,number\n,Turing,+4921163553355\nAda,,\n")
    assert result == CsvImport((), (2, 3))
    assert fake_sipgate.requests == []


async def test_csv_import_keeps_umlauts_in_latin1(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``Müller`` is sent as Latin-1 (one byte ``FC``), the encoding of sipgate's Node library."""
    fake_sipgate.answer("POST", "/contacts/import/csv", status=204)

    await client.contacts.import_csv("firstname,lastname,number\nJürgen,Müller,0211 98765432")

    content = base64.b64decode(body(fake_sipgate.requests[0])["base64Content"])
    assert content == b"firstname,lastname,number\nJ\xfcrgen,M\xfcller,+4921198765432"
    assert content.decode("latin-1").endswith("Jürgen,Müller,+4921198765432")


async def test_csv_import_refuses_what_latin1_cannot_hold(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """The Node library would silently send a wrong byte for ``Ł``; here the line is named."""
    with pytest.raises(SipgateValidationError, match="line 3: 'Ł'") as err:
        await client.contacts.import_csv(
            "firstname,lastname,number\nAda,Lovelace,+4921163553355\nŁukasz,Nowak,+48221234567"
        )
    assert (err.value.field, err.value.value) == ("csv", "Łukasz")
    with pytest.raises(SipgateValidationError, match="line 2"):
        await client.contacts.import_csv("firstname,lastname,number\nAnna,Nowak\u2013Łęcka,+48221234567")
    assert fake_sipgate.requests == []


async def test_csv_import_reads_quotes_semicolons_and_excel(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Quoted fields, ``;`` as delimiter, a byte order mark, spaces and national numbers."""
    fake_sipgate.answer("POST", "/contacts/import/csv", status=204)
    text = (
        "\ufeffVorname;FirstName;LastName;Number\r\n"
        '"x;y";"Müller, Jürgen";"Meier ""Hansi""";"0211 / 98765432"\r\n'
        '"";Erika; Mustermann ;+49 211 12345678\r\n'
    )

    result = await client.contacts.import_csv(text, delimiter=";")

    assert result.imported == 2
    content = base64.b64decode(body(fake_sipgate.requests[0])["base64Content"]).decode("latin-1")
    assert content == (
        'firstname,lastname,number\n"Müller, Jürgen","Meier ""Hansi""",+4921198765432\n'
        "Erika,Mustermann,+4921112345678"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "^Invalid CSV string"),
        ("\n \r\n\n", "^Invalid CSV string"),
        ('firstname,lastname,number\n"Alan,Turing,+4921163553355', "^Invalid CSV string: line 2"),
        ("firstname,lastname,number\nAlan,Turing,+4921163553355,x", "^Missing values in CSV: line 2 has 4"),
        ("firstname,lastname,number\nAlan,Turing,kein Anschluss", "line 2: 'kein Anschluss' is not a valid"),
    ],
)
async def test_csv_import_errors(
    client: SipgateClient, fake_sipgate: FakeSipgate, text: str, message: str
) -> None:
    with pytest.raises(SipgateValidationError, match=message) as err:
        await client.contacts.import_csv(text)
    assert err.value.field == "csv"
    assert fake_sipgate.requests == []


@pytest.mark.parametrize("delimiter", ["", ";;", '"', "\n", " ", 1])
def test_delimiter_validation(delimiter: Any) -> None:
    with pytest.raises(SipgateValidationError) as err:
        read_import_csv("firstname,lastname,number", delimiter=delimiter)
    assert (err.value.field, err.value.value) == ("delimiter", delimiter)
    assert validate_delimiter("\t") == "\t"


# --- vectors: vCard import --------------------------------------------------------------------------


def test_vcard_parse_reads_the_vectors_vcard() -> None:
    """``contacts_vcard_parse_test`` case 0: every field the Node library reads."""
    case = VCARD_CASES[0]
    parsed = case["parsed"]

    card = parse_vcard(case["input"])

    assert (card.given, card.family) == (parsed["firstname"], parsed["lastname"])
    assert card.formatted_name == "Vorname Nachname"
    assert card.numbers == (ContactNumber(parsed["phoneNumber"], ("home",)),)
    assert card.emails == (ContactEmail(parsed["email"], ("home", "internet")),)
    assert [list(org) for org in card.organizations] == parsed["organization"]
    (address,) = card.addresses
    assert replace(address, types=()).to_dict() == parsed["address"]
    assert address.types == ("home",)


@pytest.mark.parametrize(
    "case", [c for c in VCARD_CASES if "error" in c], ids=[c["error"] for c in VCARD_CASES if "error" in c]
)
async def test_vcard_error_cases(
    client: SipgateClient, fake_sipgate: FakeSipgate, case: dict[str, Any]
) -> None:
    with pytest.raises(SipgateValidationError, match="^" + case["error"]) as err:
        await client.contacts.import_vcard(case["input"], "PRIVATE")
    assert err.value.field == "vcard"
    assert fake_sipgate.requests == []


async def test_vcard_import_sends_the_vectors_body(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``import_request_executed``: the Node library's body, minus ``picture: null``."""
    fake_sipgate.answer("POST", "/contacts", status=204)
    vector = VCARD_VECTORS["import_request_executed"]["request"]

    await client.contacts.import_vcard(VCARD_CASES[0]["input"], "SHARED")

    (request,) = fake_sipgate.requests
    assert (request.method, request.path) == (vector["method"], vector["url"])
    assert body(request) == without_null_picture(vector["body"])


async def test_vcard_without_org_imports(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """``contacts.importVCardString_without_ORG_line``: the Node library crashes; this imports."""
    fake_sipgate.answer("POST", "/contacts", status=204)
    assert "TypeError" in REST["contacts.importVCardString_without_ORG_line"]["note"]
    text = "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Müller;Jürgen;;;\r\nTEL:0211 98765432\r\nEND:VCARD\r\n"

    await client.contacts.import_vcard(text, ContactScope.PRIVATE)

    assert body(fake_sipgate.requests[0]) == {
        "name": "Jürgen Müller",
        "family": "Müller",
        "given": "Jürgen",
        "organization": [],
        "scope": "PRIVATE",
        "addresses": [],
        "emails": [],
        "numbers": [{"number": "+4921198765432", "type": []}],
    }


async def test_vcard_import_needs_a_writable_scope(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.import_vcard(VCARD_CASES[0]["input"], "INTERNAL")
    assert err.value.field == "scope"
    assert fake_sipgate.requests == []


def test_create_vcard_vector_corrected() -> None:
    """``create_vcard_test``: the Node library writes ``ADDR`` and ``N:John;Doe`` (first name first).

    Corrected: ``FN``, ``N:Doe;John;;;`` (family first), ``ADR``, and the long
    ``ADR`` line folded after 75 octets.
    """
    vector = VCARD_VECTORS["create_vcard_test"]
    data = vector["input"]
    contact = Contact(
        id="1",
        name=f"{data['firstname']} {data['lastname']}",
        given=data["firstname"],
        family=data["lastname"],
        emails=tuple(ContactEmail.from_dict(e) for e in data["emails"]),
        numbers=tuple(ContactNumber.from_dict(n) for n in data["phoneNumbers"]),
        addresses=tuple(ContactAddress.from_dict(a) for a in data["addresses"]),
        organization=tuple(tuple(o) for o in data["organizations"]),
    )

    text = contact_to_vcard(contact)

    assert "ADDR" in vector["output"]
    assert "N:John;Doe" in vector["output"]
    assert text == (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:John Doe\r\nN:Doe;John;;;\r\nORG:private;org\r\n"
        "TEL;TYPE=work:+00012345678\r\nEMAIL;TYPE=private,home:John.Doe@example.org\r\n"
        "ADR;TYPE=private:Post Box;Extended ADdress;Street;Locality;Region;PostalCod\r\n"
        " e;Country\r\nEND:VCARD\r\n"
    )
    card = parse_vcard(text)
    assert card.addresses == contact.addresses
    assert (card.family, card.given, card.formatted_name) == ("Doe", "John", "John Doe")


# --- vCard format -----------------------------------------------------------------------------------


def test_vcard_escapes_folds_and_round_trips() -> None:
    card = VCard(
        formatted_name="Müller, Jürgen; Dr.",
        family="Müller-Lüdenscheidt",
        given="Jürgen\\Hans",
        organizations=(("Muster GmbH", "Vertrieb; Innendienst"), ("",), ()),
        numbers=(ContactNumber("+4921198765432", ("home", "voice")),),
        emails=(ContactEmail("j@example.de", ("work", "x;y", "")),),
        addresses=(
            ContactAddress(
                street_address="Königsallee 1\nHinterhaus",
                locality="Düsseldorf",
                postal_code="40212",
                country="Deutschland" * 8,
                types=("work",),
            ),
        ),
    )

    text = card.render()

    assert "FN:Müller\\, Jürgen\\; Dr.\r\n" in text
    assert "N:Müller-Lüdenscheidt;Jürgen\\\\Hans;;;\r\n" in text
    assert "ORG:Muster GmbH;Vertrieb\\; Innendienst\r\n" in text
    assert text.count("ORG:") == 1
    assert "EMAIL;TYPE=work:j@example.de" in text
    assert "Königsallee 1\\nHinterhaus" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCARD\r\n")
    parsed = parse_vcard(text)
    assert parsed.formatted_name == card.formatted_name
    assert (parsed.family, parsed.given) == (card.family, card.given)
    assert parsed.organizations == (("Muster GmbH", "Vertrieb; Innendienst"),)
    assert parsed.numbers == card.numbers
    assert parsed.emails == (ContactEmail("j@example.de", ("work",)),)
    assert parsed.addresses == card.addresses


def test_vcard_folding_never_splits_a_character() -> None:
    text = VCard(formatted_name="ü" * 100, family="x", numbers=(ContactNumber("+4921112345678"),)).render()
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert lines[2] == "FN:" + "ü" * 36
    assert parse_vcard(text).formatted_name == "ü" * 100


def test_vcard_parser_understands_groups_uris_quotes_and_folding() -> None:
    text = (
        "begin:vcard\nversion:4.0\nN:Schäfer;Dr. Anna\n"
        'item1.TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+49-30-1234567\n'
        'EMAIL;LABEL="Büro: Zentrale":praxis@dr-schaefer.\n example\n'
        "ADR:;;Unter den Linden 1;Berlin;;10117;Deutschland;Extra\n"
        "X-UNKNOWN:ignored\\\nORG:Praxis\\, Dr. Schäfer;Empfang\\\nEND:VCARD\n"
    )

    card = parse_vcard(text)

    assert (card.family, card.given, card.formatted_name) == ("Schäfer", "Dr. Anna", "")
    assert card.numbers == (ContactNumber("+49-30-1234567", ("voice", "cell")),)
    assert card.emails == (ContactEmail("praxis@dr-schaefer.example"),)
    assert card.addresses[0].street_address == "Unter den Linden 1"
    assert card.addresses[0].country == "Deutschland"
    assert card.organizations == (("Praxis, Dr. Schäfer", "Empfang\\"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b\r\nTEL:1\r\nEND:VCARD", "^Invalid VCard Version given"),
        ("BEGIN:VCARD\r\nN:a;b\r\nTEL:1\r\nEND:VCARD", "^Invalid VCard Version given"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nN:Doe\r\nTEL:1\r\nEND:VCARD", "^Missing Name Fields"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nN:;;;;\r\nTEL:1\r\nEND:VCARD", "^Names not given"),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:a;b\r\nTEL:1\r\nADR:;;x\r\nEND:VCARD",
            "^Address Fields are invalid",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:a;b\r\nTEL:1\r\nADR:;;;;;;\r\nADR:;;;;;;\r\nEND:VCARD",
            "^Only one address is allowed",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:a;b\r\nTEL:1\r\nEMAIL:a@b.de\r\nEMAIL:c@d.de\r\nEND:VCARD",
            "^Only one email is allowed",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:a;b\r\nTEL:1\r\nEND:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD",
            "^Only one vCard",
        ),
        ("END:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\n", "^vCard does not contain a valid END tag"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nN:a;b\r\nnonsense\r\nEND:VCARD", "is not a property"),
    ],
)
def test_vcard_parser_errors(text: str, message: str) -> None:
    with pytest.raises(SipgateValidationError, match=message) as err:
        parse_vcard(text)
    assert err.value.field == "vcard"


async def test_vcard_import_checks_the_number(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.import_vcard("BEGIN:VCARD\nVERSION:4.0\nN:a;b\nTEL:1\nEND:VCARD", "PRIVATE")
    assert err.value.field == "number"
    assert fake_sipgate.requests == []


def test_new_contact_from_a_card_without_number_mail_or_address() -> None:
    contact = new_contact_from_vcard(VCard(family="Müller", given="Jürgen"), "SHARED")
    assert contact == NewContact(firstname="Jürgen", lastname="Müller", scope="SHARED")
    assert contact.to_create_body()["numbers"] == []


# --- models -----------------------------------------------------------------------------------------


def test_contact_from_the_fixture() -> None:
    erika, juergen, praxis, anna = (Contact.from_dict(item) for item in CONTACTS["items"])

    assert erika == Contact(
        id="0b8a3c1e-5d2f-4e7a-9c61-2f4d8e9a7b10",
        name="Erika Mustermann",
        scope=ContactScope.PRIVATE,
        emails=(ContactEmail("erika.mustermann@example.de", ("home",)),),
        numbers=(ContactNumber("+4921112345678", ("work",)), ContactNumber("+4917612345678", ("cell",))),
        addresses=(
            ContactAddress(
                extended_address="3. OG",
                street_address="Heinrich-Heine-Allee 1",
                locality="Düsseldorf",
                region="Nordrhein-Westfalen",
                postal_code="40213",
                country="Deutschland",
            ),
        ),
        organization=(("Muster GmbH", "Vertrieb"),),
    )
    assert juergen.picture is not None
    assert juergen.scope == "SHARED"
    assert praxis.numbers[1].types == ("fax", "work")
    assert anna.scope == ContactScope.INTERNAL


def test_contact_from_a_sparse_answer() -> None:
    contact = Contact.from_dict(
        {"id": "x", "organization": "Muster GmbH", "given": "Erika", "family": "Mustermann", "emails": [{}]}
    )
    assert contact == Contact(id="x", given="Erika", family="Mustermann", emails=(ContactEmail(""),))
    assert Contact.from_dict({"id": "y", "organization": [["a", None], "b"]}).organization == (("a",),)
    with pytest.raises(SipgateInvalidResponseError):
        Contact.from_dict({"name": "no id"})


def test_update_body() -> None:
    contact = Contact.from_dict(JUERGEN | {"given": "Jürgen", "family": "Müller"})
    assert contact.to_update_body() == {
        "id": JUERGEN["id"],
        "name": "Jürgen Müller",
        "family": "Müller",
        "given": "Jürgen",
        "picture": JUERGEN["picture"],
        "emails": [],
        "numbers": [{"number": "+4921198765432", "type": ["home"]}],
        "addresses": [],
        "organization": [],
        "scope": "SHARED",
    }
    typed = Contact(id="a", scope="private", addresses=(ContactAddress(locality="Köln", types=("home",)),))
    assert typed.to_update_body(region=None)["addresses"][0]["type"] == ["home"]
    assert typed.to_update_body()["scope"] == "PRIVATE"


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (Contact(id="a", scope="INTERNAL"), "scope"),
        (Contact(id="a"), "scope"),
        (
            Contact(
                id="a", scope="SHARED", numbers=(ContactNumber("+4921112345678"), ContactNumber("Hausruf"))
            ),
            "numbers[1]",
        ),
    ],
)
async def test_update_refuses(
    client: SipgateClient, fake_sipgate: FakeSipgate, contact: Contact, field: str
) -> None:
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.update(contact)
    assert err.value.field == field
    assert fake_sipgate.requests == []


def test_new_contact_body() -> None:
    contact = NewContact(
        lastname=" Müller ",
        number=" 0211 98765432 ",
        email=" j.mueller@example.de ",
        address=ContactAddress(street_address="Königsallee 1", locality="Düsseldorf", postal_code="40212"),
        organization="  Muster GmbH ",
        picture="iVBORw0KGgo=",
        scope="shared",
    )
    assert contact.name == "Müller"
    assert contact.to_create_body() == {
        "name": "Müller",
        "family": "Müller",
        "given": "",
        "organization": [["Muster GmbH"]],
        "picture": "iVBORw0KGgo=",
        "scope": "SHARED",
        "addresses": [
            {
                "poBox": "",
                "extendedAddress": "",
                "streetAddress": "Königsallee 1",
                "locality": "Düsseldorf",
                "region": "",
                "postalCode": "40212",
                "country": "",
            }
        ],
        "emails": [{"email": "j.mueller@example.de", "type": []}],
        "numbers": [{"number": "+4921198765432", "type": []}],
    }
    bare = NewContact(firstname="Erika", organization=" ", email=ContactEmail(" "), number="")
    assert bare.to_create_body(scope="PRIVATE") == {
        "name": "Erika",
        "family": "",
        "given": "Erika",
        "organization": [],
        "scope": "PRIVATE",
        "addresses": [],
        "emails": [],
        "numbers": [],
    }
    assert NewContact(firstname="A", number="+12025550123").to_create_body(region=None)["numbers"][0][
        "number"
    ] == ("+12025550123")


@pytest.mark.parametrize(
    ("contact", "scope", "field"),
    [
        (NewContact(firstname="A", email="keine-adresse"), None, "email"),
        (NewContact(firstname="A", email=ContactEmail("a@b@c")), None, "email"),
        (NewContact(firstname="A", number="kein Anschluss"), None, "number"),
        (NewContact(firstname="A", number=ContactNumber("abc", ("cell",))), None, "number"),
        (NewContact(firstname="A"), "INTERNAL", "scope"),
        (NewContact(firstname="A", scope="ALL"), None, "scope"),
    ],
)
async def test_create_refuses(
    client: SipgateClient, fake_sipgate: FakeSipgate, contact: NewContact, scope: str | None, field: str
) -> None:
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.create(contact, scope)
    assert err.value.field == field
    assert fake_sipgate.requests == []


async def test_create_uses_the_contacts_scope_and_the_region(
    session: ClientSession, fake_sipgate: FakeSipgate
) -> None:
    swiss = SipgateClient(
        session, PersonalAccessToken(TOKEN_ID, TOKEN), base_url=fake_sipgate.base_url, region="CH"
    )
    fake_sipgate.answer("POST", "/contacts", status=204)
    await swiss.contacts.create(NewContact(firstname="Heidi", number="044 668 18 00", scope="SHARED"))
    assert body(fake_sipgate.requests[0])["scope"] == "SHARED"
    assert body(fake_sipgate.requests[0])["numbers"] == [{"number": "+41446681800", "type": []}]


# --- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "names"),
    [
        (ALL_SCOPES, ["Erika Mustermann", "Jürgen Müller", "Praxis Dr. Schäfer", "Anna Schmidt"]),
        ("all", ["Erika Mustermann", "Jürgen Müller", "Praxis Dr. Schäfer", "Anna Schmidt"]),
        ("PRIVATE", ["Erika Mustermann"]),
        (ContactScope.SHARED, ["Jürgen Müller", "Praxis Dr. Schäfer"]),
        ("internal", ["Anna Schmidt"]),
    ],
)
async def test_get_filters_the_scope_on_the_client(
    client: SipgateClient, fake_sipgate: FakeSipgate, scope: str, names: list[str]
) -> None:
    fake_sipgate.answer("GET", "/contacts", json=CONTACTS)
    page = await client.contacts.get(scope)
    assert [c.name for c in page.items] == names
    assert page.total_count == 4
    assert fake_sipgate.requests[0].query == []


async def test_get_with_a_single_number(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json={"items": [ERIKA]})
    page = await client.contacts.get(phone_numbers="0211 12345678", limit=5000)
    assert page.total_count is None
    assert fake_sipgate.requests[0].query == [("limit", "5000"), ("phonenumbers", "+4921112345678")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scope": "EVERYTHING"}, "scope"),
        ({"scope": 3}, "scope"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"phone_numbers": ["+4921112345678", "nicht"]}, "phone_numbers"),
    ],
)
async def test_get_refuses(
    client: SipgateClient, fake_sipgate: FakeSipgate, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(SipgateValidationError) as err:
        await client.contacts.get(**kwargs)
    assert err.value.field == field
    assert fake_sipgate.requests == []


async def test_get_rejects_an_answer_without_items(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json={"totalCount": 1})
    with pytest.raises(SipgateInvalidResponseError):
        await client.contacts.get()


async def test_iterate_walks_every_page_and_filters_afterwards(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """A page without shared contacts does not end the walk (the filter is applied after paging)."""
    answer_pages(
        fake_sipgate,
        [
            {"items": [ERIKA, ANNA], "totalCount": 5},
            {"items": [JUERGEN, ERIKA | {"id": "e2"}], "totalCount": 5},
            {"items": [PRAXIS], "totalCount": 5},
        ],
    )

    names = [c.name async for c in client.contacts.iterate("SHARED", page_size=2)]

    assert names == ["Jürgen Müller", "Praxis Dr. Schäfer"]
    assert [r.query for r in fake_sipgate.requests] == [
        [("limit", "2"), ("offset", "0")],
        [("limit", "2"), ("offset", "2")],
        [("limit", "2"), ("offset", "4")],
    ]


async def test_iterate_stops_at_the_total_count(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    answer_pages(fake_sipgate, [{"items": [ERIKA, ANNA], "totalCount": 2}])
    assert len([c async for c in client.contacts.iterate(page_size=2)]) == 2
    assert len(fake_sipgate.requests) == 1


async def test_iterate_stops_at_the_limit(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    answer_pages(
        fake_sipgate,
        [{"items": [ERIKA, JUERGEN], "totalCount": 4}, {"items": [PRAXIS, ANNA], "totalCount": 4}],
    )
    names = [c.name async for c in client.contacts.iterate("SHARED", page_size=2, limit=1)]
    assert names == ["Jürgen Müller"]
    assert len(fake_sipgate.requests) == 1


@pytest.mark.parametrize(("kwargs", "field"), [({"page_size": 0}, "page_size"), ({"limit": 0}, "limit")])
async def test_iterate_refuses(
    client: SipgateClient, fake_sipgate: FakeSipgate, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(SipgateValidationError) as err:
        async for _ in client.contacts.iterate(**kwargs):
            pass  # pragma: no cover
    assert err.value.field == field
    assert fake_sipgate.requests == []


async def test_get_all(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json=CONTACTS)
    contacts = await client.contacts.get_all("SHARED", phone_numbers=["+49 211 98765432"])
    assert [c.id for c in contacts] == [JUERGEN["id"], PRAXIS["id"]]
    assert fake_sipgate.requests[0].query == [
        ("limit", "1000"),
        ("offset", "0"),
        ("phonenumbers", "+4921198765432"),
    ]


# --- the number index -------------------------------------------------------------------------------


async def test_number_index(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    fake_sipgate.answer("GET", "/contacts", json=CONTACTS)

    index = await client.contacts.number_index()

    assert index == {
        "+4921112345678": "Erika Mustermann",
        "+4917612345678": "Erika Mustermann",
        "+4921198765432": "Jürgen Müller",
        "+49301234567": "Praxis Dr. Schäfer",
        "+4930123456789": "Praxis Dr. Schäfer",
        "+4921100000010": "Anna Schmidt",
    }
    assert await client.contacts.number_index("PRIVATE") == {
        "+4921112345678": "Erika Mustermann",
        "+4917612345678": "Erika Mustermann",
    }


def test_build_number_index_skips_and_keeps_the_first() -> None:
    contacts = [
        Contact(id="1", name="Erika", numbers=(ContactNumber("0211 12345678"), ContactNumber("Hausruf"))),
        Contact(id="2", name="  ", numbers=(ContactNumber("0211 98765432"),)),
        Contact(id="3", name="Zentrale", numbers=(ContactNumber("+49 211 12345678"), ContactNumber(""))),
        Contact(id="4", name="Jürgen", numbers=(ContactNumber("0211 98765432"),)),
    ]
    assert build_number_index(contacts) == {"+4921112345678": "Erika", "+4921198765432": "Jürgen"}
    assert build_number_index(contacts, region=None) == {"+4921112345678": "Zentrale"}
    # Read in Austria, 0211 … is no number that can exist: only the international one is kept.
    assert build_number_index(contacts, region="AT") == {"+4921112345678": "Zentrale"}
    contacts.append(Contact(id="5", name="Wien", numbers=(ContactNumber("01 5880012"),)))
    assert build_number_index(contacts, region="AT")["+4315880012"] == "Wien"


def test_number_index_reads_numbers_strictly() -> None:
    """No guessing: digits without +, cut-off numbers and extensions name nobody."""
    contacts = [
        Contact(id="1", name="Fremd", numbers=(ContactNumber("4915791234567"),)),
        Contact(id="2", name="Abgeschnitten", numbers=(ContactNumber("+49 211 <&>"),)),
        Contact(id="3", name="Durchwahl", numbers=(ContactNumber("e14"), ContactNumber("0211"))),
        Contact(id="4", name="Anna", numbers=(ContactNumber("0157 912 345 67"),)),
    ]
    assert build_number_index(contacts) == {"+4915791234567": "Anna"}
    names = ContactNames("DE")
    names.replace(build_number_index(contacts))
    assert names.lookup("+4915791234567") == "Anna"
    assert names.lookup("01579 1234567") == "Anna"
    assert names.lookup("4915791234567") is None
    assert names.lookup("+49211") is None
    assert names.lookup("anonymous") is None


def test_vcard_text_of_several_contacts() -> None:
    contacts = [Contact.from_dict(item) for item in CONTACTS["items"]]
    text = contacts_to_vcard(contacts)
    assert text.count("END:VCARD\r\n") == 4
    assert contacts_to_vcard([]) == ""
    erika = contact_to_vcard(contacts[0])
    assert "N:Erika Mustermann;;;;\r\n" in erika
    assert "TEL;TYPE=cell:+4917612345678\r\n" in erika
    assert (
        "ADR:;3. OG;Heinrich-Heine-Allee 1;Düsseldorf;Nordrhein-Westfalen;40213;Deutschland"
        in erika.replace("\r\n ", "")
    )
    assert "ORG:Muster GmbH;Vertrieb\r\n" in erika
