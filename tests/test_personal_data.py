"""Personal-data detectors on informal customer text in sv, nb, nn, da and en, and on the bundled sample."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from ombud.demo import load_sample
from ombud.understand.personal_data import PersonalData, find_personal_data, redact

# Valid numbers are made here, with check digits computed independently of the module under test.


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def luhn_digit(payload: str) -> str:
    return next(digit for digit in "0123456789" if luhn_valid(payload + digit))


def danish_mod11(digits: str) -> bool:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11 == 0


def personnummer(birth: str, serial: str, separator: str = "-") -> str:
    """birth is YYMMDD or YYYYMMDD (day + 60 for a samordningsnummer); the Luhn digit covers the last ten digits."""
    return f"{birth}{separator}{serial}{luhn_digit(birth[-6:] + serial)}"


def norwegian(birth: str, individual: int = 123, space: bool = False) -> str:
    """DDMMYY (day + 40 for a D-nummer) and the first individual number whose two mod-11 digits exist."""
    for number in range(individual, 1000):
        digits = birth + f"{number:03d}"
        for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
            check = (11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11) % 11
            if check == 10:
                break
            digits += str(check)
        else:
            return f"{digits[:6]} {digits[6:]}" if space else digits
    raise AssertionError("no individual number gives valid check digits")


def cpr(birth: str, mod11: bool, separator: str = "-", luhn: bool = False) -> str:
    """DDMMYY-SSSS whose mod-11 check passes or fails as asked, and whose Swedish Luhn reading passes or fails."""
    for serial in range(1000, 10000):
        digits = f"{birth}{serial}"
        if danish_mod11(digits) == mod11 and luhn_valid(digits) == luhn:
            return f"{birth}{separator}{serial}"
    raise AssertionError("no serial fits")


def iban(country: str, bban: str) -> str:
    numeric = "".join(str(int(character, 36)) for character in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))


def card(prefix: str, length: int = 16) -> str:
    payload = (prefix + "3141592653589793238")[: length - 1]
    digits = payload + luhn_digit(payload)
    return " ".join(digits[index : index + 4] for index in range(0, len(digits), 4))


def one_digit_changed(number: str) -> str:
    """The last digit moved by one: every check here (Luhn, mod-11, mod-97) catches a single changed digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def found(text: str, language: str | None = None) -> list[tuple[str, str]]:
    return [(span.kind, span.text) for span in find_personal_data(text, language)]


PNR = personnummer("850312", "238")
PNR_LONG = personnummer("19790823", "553")
SAMORDNING = personnummer("880571", "331")
FNR = norwegian("120380")
FNR_NN = norwegian("030792", 345)
DNR = norwegian("450792", 481)
CPR = cpr("150845", mod11=True)
VISA = card("4571")
MASTERCARD = card("5212")
IBAN_SE = iban("SE", "50000000058398257466")
IBAN_NO = iban("NO", "86011117947")
IBAN_DK = iban("DK", "00400440116243")
IBAN_GB = iban("GB", "NWBK60161331926819")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "sv",
            f"hej! har inte fått nån återbetalning än... mitt personnr är {PNR} och ni når mig på 070-123 45 67 ikväll",
            [("personnummer", PNR), ("phone", "070-123 45 67")],
        ),
        (
            "sv",
            f"Jag har bara samordningsnummer {SAMORDNING}, funkar det?? mejla anna.berg@example.se",
            [("samordningsnummer", SAMORDNING), ("email", "anna.berg@example.se")],
        ),
        (
            "sv",
            f"Kortet {VISA} drogs två ggr!! sätt tillbaka pengarna på {IBAN_SE}\n/Jonas\n{PNR_LONG}\n08-123 456 78",
            [("card", VISA), ("iban", IBAN_SE), ("personnummer", PNR_LONG), ("phone", "08-123 456 78")],
        ),
        (
            "nb",
            f"hei, fnr mitt er {FNR} og dere kan ringe meg på 912 34 567. mvh Ola",
            [("fodselsnummer", FNR), ("phone", "912 34 567")],
        ),
        (
            "nb",
            f"Jeg har bare d-nummer ({DNR}), kan dere sende brevet? Evt send sms til +47 41234567",
            [("d_nummer", DNR), ("phone", "+47 41234567")],
        ),
        (
            "nn",
            f"Hei! Eg har ikkje fått pengane. Kontoen min er {IBAN_NO}, fnr {FNR_NN}\nRing meg på 48 21 09 77",
            [("iban", IBAN_NO), ("fodselsnummer", FNR_NN), ("phone", "48 21 09 77")],
        ),
        (
            "nn",
            "tlf 93418257 eller 0047 915 48 203 heile dagen",
            [("phone", "93418257"), ("phone", "0047 915 48 203")],
        ),
        (
            "da",
            f"hej, mit cpr er {CPR} og i kan ringe på 20 12 34 56 eller skrive til mette.k@example.dk",
            [("cpr", CPR), ("phone", "20 12 34 56"), ("email", "mette.k@example.dk")],
        ),
        (
            "da",
            f"Betalte med kort {MASTERCARD} men fik aldrig varen!!! pengene retur til {IBAN_DK} tak. tlf 20123456",
            [("card", MASTERCARD), ("iban", IBAN_DK), ("phone", "20123456")],
        ),
        (
            "en",
            f"hi, charged twice on my card {VISA} - refund to {IBAN_GB} pls, or call me on +44 7700 900412",
            [("card", VISA), ("iban", IBAN_GB), ("phone", "+44 7700 900412")],
        ),
        (
            "en",
            f"My D-number is {DNR} and my Swedish samordningsnummer {SAMORDNING}. Email j.smith+shop@example.co.uk",
            [("d_nummer", DNR), ("samordningsnummer", SAMORDNING), ("email", "j.smith+shop@example.co.uk")],
        ),
    ],
)
def test_each_detector_in_every_language(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    spans = find_personal_data(text, language)
    assert [(span.kind, span.text) for span in spans] == expected
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert 0 < span.confidence <= 0.99
        assert span.evidence


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "08-123 456 78",
        "0480-12 34 56",
        "070-1234567",
        "+46 70 123 45 67",
        "+46 (0)70-123 45 67",
        "0046 70 123 45 67",
        "912 34 567",
        "91 23 45 67",
        "20 12 34 56",
        "+47 91234567",
        "+47 912 34 567",
        "+45 20123456",
        "+45 20 12 34 56",
        "0047 91234567",
        "0045 20 12 34 56",
        "+358 40 123 4567",
    ],
)
def test_phone_formats(phone: str) -> None:
    assert found(f"nås på {phone} i dag") == [("phone", phone)]


def test_an_order_word_further_back_does_not_veto_a_grouped_phone() -> None:
    assert found("Kunden ønsker opringning, når ordren er oprettet: 98 17 22 64.") == [("phone", "98 17 22 64")]
    assert found("Kundenr. 3308812, tlf. 952 61 470") == [("phone", "952 61 470")]
    assert found("Ordrenr 4821337, ring meg på 91234567") == [("phone", "91234567")]


@pytest.mark.parametrize(
    "text",
    [
        "tlf 91234567",
        "Tlf.: 91234567",
        "mobilnr 91234567",
        "ring meg på 91234567",
        "nummeret mitt er 91234567",
        "call me at 20123456",
        "telefon 9123 4567",
    ],
)
def test_eight_bare_digits_count_after_a_phone_word(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "Ordrenr 48213377",
        "ordrenummer: 482 13 377",
        "my order number is 91234567",
        "Fakturanr. 20 12 34 56",
        "faktura 20123456 er betalt",
        "kundnr 91234567",
        "Kundenummer 912 34 567",
        "ärende #20123456",
        "sak 91234567",
        "sag 20 12 34 56",
        "Bestilling 48213377",
        "beställning 4821337712",
        "han sa 91234567 to ganger",  # eight digits and no phone word: could be anything
        "kr 1 299,00",
        "betalte 12 500 kr, sen 2 340 kr",
        "2026-03-14",
        "14.03.2026 kl 14.30",
        "SE-123 45 Stockholm",
        "Storgatan 12, 123 45 Solna",
        "Sändningsnr 00370712345678901",
        f"OCR {VISA.replace(' ', '')}",
        f"abc{PNR}",
        f"{PNR}abc",
        f"1{PNR_LONG.replace('-', '')}",
        f"9{FNR}",
        f"{FNR}0",
        f"{CPR.replace('-', '')}7",
        f"x{VISA.replace(' ', '')}",
        "12345678901",
        "ring 123 45 67 89",
    ],
)
def test_order_numbers_amounts_dates_and_glued_numbers_do_not_match(text: str) -> None:
    assert found(text) == []
    assert found(text, "da") == []


@pytest.mark.parametrize(
    ("valid", "kind"),
    [
        (PNR, "personnummer"),
        (PNR_LONG, "personnummer"),
        (personnummer("850312", "238", separator=""), "personnummer"),
        (personnummer("190503", "238", separator="+"), "personnummer"),
        (SAMORDNING, "samordningsnummer"),
        (FNR, "fodselsnummer"),
        (norwegian("120380", space=True), "fodselsnummer"),
        (DNR, "d_nummer"),
        (IBAN_SE, "iban"),
        (IBAN_GB, "iban"),
        (VISA, "card"),
        (card("2221"), "card"),
        (card("37", 15), "card"),
        (card("6011"), "card"),
        (card("3530"), "card"),
        (card("4", 13), "card"),
    ],
)
def test_check_digits_decide(valid: str, kind: str) -> None:
    assert found(f"nr: {valid} ok") == [(kind, valid)]
    assert found(f"nr: {one_digit_changed(valid)} ok") == []


def test_card_needs_a_real_issuer_prefix() -> None:
    assert found(card("1234")) == []
    assert found(card("9000")) == []
    assert found(card("2720")) == [("card", card("2720"))]
    assert found(card("2721")) == []


def test_cpr_needs_only_a_valid_date_but_its_mod11_check_adds_confidence() -> None:
    passing, failing = cpr("150845", mod11=True), cpr("150845", mod11=False)
    [strong], [weak] = find_personal_data(passing), find_personal_data(failing)
    assert (strong.kind, weak.kind) == ("cpr", "cpr")
    assert strong.confidence > weak.confidence
    assert "mod-11 check valid" in strong.evidence
    assert "not required" in weak.evidence
    bare = find_personal_data(cpr("150845", mod11=True, separator=""))
    assert [span.kind for span in bare] == ["cpr"]
    assert bare[0].confidence < strong.confidence  # the dash is part of what makes it look like a CPR


@pytest.mark.parametrize(
    "text",
    [
        personnummer("851301", "238"),  # month 13
        personnummer("850230", "238"),  # 30 February
        personnummer("19850230", "238"),
        personnummer("850392", "331"),  # samordningsnummer day 92 - 60 = 32
        norwegian("320185"),  # day 32
        norwegian("121385"),  # month 13
        norwegian("720185"),  # D-nummer day 72 - 40 = 32
        norwegian("290283"),  # 29 February in a year without one
        cpr("320145", mod11=True),  # day 32
        cpr("151345", mod11=True),  # month 13
        cpr("290201", mod11=True),  # 29 February 2001
    ],
)
def test_invalid_dates_never_match(text: str) -> None:
    assert found(f"se {text} her") == []


def test_leap_days() -> None:
    assert found(cpr("290200", mod11=True)) == [("cpr", cpr("290200", mod11=True))]
    assert found(norwegian("290284")) == [("fodselsnummer", norwegian("290284"))]
    assert found(personnummer("20000229", "123")) == [("personnummer", personnummer("20000229", "123"))]


def test_spans_have_exact_offsets() -> None:
    text = f"Hej!\nPersonnummer: {PNR}\nRing 070-123 45 67 🙂 eller maila mig@example.com."
    spans = find_personal_data(text, "sv")
    assert [(span.kind, span.start, span.end) for span in spans] == [
        ("personnummer", 19, 30),
        ("phone", 36, 49),
        ("email", 64, 79),
    ]
    assert all(text[span.start : span.end] == span.text for span in spans)


def test_swedish_and_danish_readings_of_the_same_digits() -> None:
    # 120305-NNNC is 5 March 2012 in Sweden and 12 March 2005 in Denmark.
    luhn_passes = cpr("120305", mod11=False, luhn=True)
    assert found(luhn_passes, "sv") == [("personnummer", luhn_passes)]
    assert found(luhn_passes, "da") == [("cpr", luhn_passes)]
    assert found(luhn_passes) == [("personnummer", luhn_passes)]  # only the Swedish check digit passes
    assert "also a possible Danish CPR" in find_personal_data(luhn_passes)[0].evidence
    luhn_fails = cpr("120305", mod11=True, luhn=False)
    for language in ("sv", "da", None):
        assert found(luhn_fails, language) == [("cpr", luhn_fails)]


def test_overlapping_candidates_resolve_to_the_most_certain() -> None:
    # 0701234567 is a Swedish mobile and also a possible CPR (7 January 2023) without its mod-11 check.
    assert not luhn_valid("0701234567") and not danish_mod11("0701234567")
    assert found("0701234567", "sv") == [("phone", "0701234567")]
    assert found("0701234567", "da") == [("cpr", "0701234567")]
    assert found("ring 0701234567", "da") == [("phone", "0701234567")]
    # The phone-looking digits inside an e-mail address or an IBAN give way to the longer, surer match.
    assert found("ring eller maila anna.91234567@example.com") == [("email", "anna.91234567@example.com")]
    assert found(f"konto {IBAN_DK}") == [("iban", IBAN_DK)]
    # A card followed by its expiry: the card is the longest prefix that passes, the expiry is left alone.
    assert found(f"{VISA} 08/28") == [("card", VISA)]
    assert found(f"overfør til {IBAN_NO} innen 14 dager") == [("iban", IBAN_NO)]


def test_spans_never_overlap_and_come_in_order() -> None:
    # Separated by words or punctuation: numbers separated by a bare space would read as one longer digit run.
    text = ", ".join(
        [PNR, FNR, CPR, VISA, IBAN_SE, "070-123 45 67", "+47 91234567", "a@b.se", "tlf 20123456", SAMORDNING] * 3
    )
    spans = find_personal_data(text)
    assert len(spans) >= 27
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start


def test_redact() -> None:
    text = f"ring meg på 912 34 567, fnr {FNR}"
    assert redact(text) == "ring meg på [phone], fnr [fodselsnummer]"
    assert redact(text, mask="***") == "ring meg på ***, fnr ***"
    assert redact(text, mask="<{kind}>") == "ring meg på <phone>, fnr <fodselsnummer>"
    phone_only = [span for span in find_personal_data(text) if span.kind == "phone"]
    assert redact(text, phone_only) == f"ring meg på [phone], fnr {FNR}"
    assert redact(text, []) == text
    assert redact("ingenting her, ordre 48213377") == "ingenting her, ordre 48213377"
    assert redact(text, mask="{unknown} {0}") == "ring meg på {unknown} {0}, fnr {unknown} {0}"


def test_redact_masks_the_union_of_overlapping_spans() -> None:
    text = "abcdefghij"
    spans = [PersonalData("phone", 2, 6, "cdef", 0.9, "x"), PersonalData("card", 4, 8, "efgh", 0.9, "x")]
    assert redact(text, spans, mask="#") == "ab##ij"
    assert redact(text, [PersonalData("phone", 8, 99, "", 0.9, "x")], mask="#") == "abcdefgh#"


def test_nothing_ever_raises() -> None:
    generator = random.Random(7)
    alphabet = "0123456789 -+.,/#@()\nABSEDKNOaeøåä@x"
    for _ in range(3000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 60)))
        for span in find_personal_data(text, generator.choice([None, "sv", "da", "nb", "", "xx-YY"])):
            assert text[span.start : span.end] == span.text
        redact(text)
    assert find_personal_data("") == []
    assert find_personal_data(None) == []  # type: ignore[arg-type]
    assert find_personal_data(12345678) == []  # type: ignore[arg-type]
    assert find_personal_data("tlf 91234567", 42) == [find_personal_data("tlf 91234567")[0]]  # type: ignore[arg-type]
    assert redact(None) == ""  # type: ignore[arg-type]


MUST_FIND = ("personnummer", "samordningsnummer", "fodselsnummer", "d_nummer", "cpr", "iban", "card", "email")


def test_recall_on_the_bundled_sample() -> None:
    marked, hits, reported, correct = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    missed: list[tuple[str, str, str]] = []
    for voice in load_sample():
        truth = {(item["kind"], item["text"]) for item in voice.get("personal_data") or []}
        spans = {(span.kind, span.text) for span in find_personal_data(voice["text"], voice["language"])}
        for kind, text in truth:
            marked[kind] += 1
            if (kind, text) in spans:
                hits[kind] += 1
            else:
                missed.append((voice["id"], kind, text))
        for kind, text in spans:
            reported[kind] += 1
            correct[kind] += (kind, text) in truth
    print("\nkind               marked found  precision  recall")
    for kind in sorted(marked | reported):
        precision = correct[kind] / reported[kind] if reported[kind] else float("nan")
        recall = hits[kind] / marked[kind] if marked[kind] else float("nan")
        print(f"{kind:<18} {marked[kind]:>6} {reported[kind]:>5} {precision:>10.2f} {recall:>7.2f}")
    assert [item for item in missed if item[1] in MUST_FIND] == []
    assert hits["phone"] / marked["phone"] >= 0.9, missed
