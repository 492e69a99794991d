"""The shipped readers on hand-written voices in all five languages, the analysis format,
`ombud analyze` on files and on the store (SQLite and PostgreSQL), and `ombud train`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ombud.cli import app
from ombud.store import Database
from ombud.store.models import SentenceAnalysisRow, VoiceAnalysis
from ombud.understand import analyze
from ombud.understand.analysis import analysis_json
from ombud.understand.backlog import analyse_stored_voices
from ombud.understand.tiers import load_reader

SAMPLE = Path(__file__).parents[1] / "src" / "ombud" / "demo" / "sample"

# (text, the act of its one sentence), written for these tests: plain cases and the hard ones of the issue.
ACT_CASES = {
    "sv": [
        ("Paketet kom tre veckor för sent.", "complaint"),
        ("Tack för snabb och trevlig hjälp i butiken!", "praise"),
        ("Det hade varit bra om ni hade öppet på söndagar.", "wish"),
        ("När kommer min beställning?", "question"),
        ("Tack för INGENTING, ni har slösat bort en hel dag för mig.", "complaint"),
    ],
    "nb": [
        ("Kundeservice var uhøflige og la på midt i samtalen.", "complaint"),
        ("Supert service, anbefales på det varmeste!", "praise"),
        ("Det hadde vært fint med en app der man kan se fakturaene.", "wish"),
        ("Hvordan endrer jeg leveringsadressen min?", "question"),
    ],
    "nn": [
        ("Pakken kom aldri fram, og ingen svarar på e-post.", "complaint"),
        ("Takk for god hjelp, de var veldig greie.", "praise"),
        ("Eg skulle ønskje at de hadde ope lenger på laurdagar.", "wish"),
        ("Kva tid kjem bestillinga mi?", "question"),
    ],
    "da": [
        ("Varen var i stykker da den kom, og ingen har svaret mig.", "complaint"),
        ("Personalet var meget venlige og hjælpsomme.", "praise"),
        ("I kunne godt sende en sms, når pakken er på vej.", "wish"),
        ("Hvornår kommer min ordre?", "question"),
    ],
    "en": [
        ("The parcel arrived two weeks late and nobody answered my emails.", "complaint"),
        ("Thanks for the quick and friendly help!", "praise"),
        ("It would be great if you were open on Sundays.", "wish"),
        ("When will my order arrive?", "question"),
        ("Why can't I pay with Apple Pay in your app?", "wish"),
    ],
}
SENTIMENT_CASES = [
    ("Helt fantastisk service, tack så mycket!", "positive"),
    ("Dette er den verste opplevelsen jeg har hatt med noen butikk.", "negative"),
    ("Elendig kundeservice, jeg er rasende.", "negative"),
    ("Really happy with the new phone, great value.", "positive"),
    ("Det var ikke dårligt, faktisk ret godt.", "positive"),
]
FLAG_CASES = [
    ("Jag vill reklamera tvättmaskinen enligt konsumentköplagen och kräver pengarna tillbaka.", "legal_claim"),
    ("Jeg krever pengene tilbake etter angrerettloven, ellers går jeg til Forbrukerrådet.", "legal_claim"),
    ("Nu byter jag operatör, jag har fått nog.", "churn_risk"),
    ("I'm cancelling my subscription and never ordering from you again.", "churn_risk"),
    ("De lovede levering inden for 2 dage, men det tog tre uger.", "expectation_gap"),
]


@pytest.fixture(scope="module", params=["fast", "accurate"])
def tier(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_acts_in_every_language(tier: str) -> None:
    cases = [case for language_cases in ACT_CASES.values() for case in language_cases]
    analyses = analyze([text for text, _ in cases], tier=tier)
    wrong = [
        (text, expected, analysis.dominant_act)
        for (text, expected), analysis in zip(cases, analyses, strict=True)
        if analysis.dominant_act != expected
    ]
    # Every language is read; no reader is perfect, so a few misses among 22 are allowed, not more.
    assert len(wrong) <= 4, wrong
    for language, language_cases in ACT_CASES.items():
        misses = [case for case in wrong if case[0] in {text for text, _ in language_cases}]
        assert len(misses) <= 2, (language, misses)


def test_sentiment_and_flags(tier: str) -> None:
    analyses = analyze([text for text, _ in SENTIMENT_CASES], tier=tier)
    wrong = [
        (text, analysis.sentiment)
        for (text, expected), analysis in zip(SENTIMENT_CASES, analyses, strict=True)
        if analysis.sentiment.label != expected or (analysis.sentiment.score > 0) != (expected == "positive")
    ]
    # The fast tier's n-grams carry sentiment poorly to wordings the corpus lacks (docs/quality.md).
    assert len(wrong) <= {"accurate": 1, "fast": 3}[tier], wrong
    analyses = analyze([text for text, _ in FLAG_CASES], tier=tier)
    found = [analysis.flags[flag].present for (_, flag), analysis in zip(FLAG_CASES, analyses, strict=True)]
    assert sum(found) >= 4, list(zip(FLAG_CASES, found, strict=True))


def test_every_reading_has_probability_and_evidence(tier: str) -> None:
    text = "Hej! Ni lovade leverans på tre dagar, det tog två veckor. Jag byter till er konkurrent.\n\nMvh Anna"
    [analysis] = analyze([text], tier=tier)
    assert analysis.language.language == "sv"
    assert [text[s.start : s.end] for s in analysis.sentences] == [s.text for s in analysis.sentences]
    assert len(analysis.emotions) == 8
    for sentence in analysis.sentences:
        assert 0 <= sentence.act_probability <= 1
        assert sum(sentence.act_probabilities.values()) == pytest.approx(1, abs=1e-4)
        assert -1 <= sentence.sentiment.score <= 1
    for flag in analysis.flags.values():
        assert flag.evidence is not None and 0 <= flag.evidence < len(analysis.sentences)


def test_empty_and_odd_texts_are_read_without_failing(tier: str) -> None:
    analyses = analyze(["", "   ", "👍👍", "12345", "x" * 5000], tier=tier)
    assert analyses[0].sentences == [] and analyses[0].dominant_act == "other"
    assert analyses[2].language.language == "other"
    assert all(analysis.model for analysis in analyses)


def test_personal_data_in_the_analysis() -> None:
    [analysis] = analyze(["Ring mig på 070-123 45 67 eller anna@example.se."], tier="fast")
    assert {item.kind for item in analysis.personal_data} == {"phone", "email"}


def test_analysis_json_is_the_documented_format() -> None:
    [analysis] = analyze(["Bra app, men det vore toppen med mörkt läge. Varför tar det så lång tid?"], tier="fast")
    public = analysis_json(analysis)
    assert set(public) >= {
        "language",
        "acts",
        "dominant_act",
        "sentiment",
        "emotions",
        "topics",
        "flags",
        "sentences",
        "personal_data",
    }
    assert set(public["sentiment"]) >= {"label", "score"}
    assert set(public["flags"]) == {"expectation_gap", "legal_claim", "churn_risk"}
    assert all(isinstance(value, bool) for value in public["flags"].values())
    for sentence in public["sentences"]:
        assert set(sentence) >= {"text", "start", "end", "act", "sentiment", "topics"}
    json.dumps(public)  # serialisable as it is


def test_analyze_file_passes_fields_through_and_reports_bad_lines(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"id": 1, "text": "Leveransen kom tre veckor för sent och ingen svarade på mina mejl."}, ensure_ascii=False
        )
        + "\nnot json\n"
        + json.dumps({"id": 2, "text": "Tusen takk for hjelpen!"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": 3})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", "--input", str(source), "--output", str(out), "--tier", "fast"])
    assert result.exit_code == 1, result.output
    assert "in.jsonl:2" in result.output and "in.jsonl:4" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [1, 2]
    assert rows[0]["analysis"]["dominant_act"] == "complaint"
    assert rows[1]["analysis"]["sentiment"]["label"] == "positive"


def test_analyze_text_readable_and_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["analyze", "--tier", "fast", "--text", "Varför kan man inte betala med Swish?"])
    assert result.exit_code == 0, result.output
    assert "wish" in result.output
    result = runner.invoke(app, ["analyze", "--tier", "fast", "--json", "--text", "Tack för hjälpen!"])
    assert json.loads(result.output)["dominant_act"] == "praise"


def test_eval_command(runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "wishes.jsonl"
    rows = [("Please add a dark mode to the app.", 1), ("The app crashed twice today.", 0)]
    file.write_text("".join(json.dumps({"text": text, "label": label, "lang": "en"}) + "\n" for text, label in rows))
    result = runner.invoke(app, ["eval", "act", str(file), "--tier", "fast", "--label-map", "1=wish,0=none", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["count"] == 2 and "wish" in scores["labels"]
    assert scores["confusion"]["wish"]
    result = runner.invoke(app, ["eval", "act", str(file), "--tier", "fast"])
    assert result.exit_code == 2 and "label-map" in result.output


def _import_sample(runner: CliRunner, url: str, tmp_path: Path, count: int) -> None:
    rows = [json.loads(line) for line in sorted(SAMPLE.glob("*.jsonl"))[0].read_text().splitlines()[:count]]
    file = tmp_path / f"voices-{count}.jsonl"
    file.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    result = runner.invoke(app, ["import", str(file), "--db", url])
    assert result.exit_code == 0, result.output


def test_analyze_store_is_incremental(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    _import_sample(runner, database_url, tmp_path, 12)
    result = runner.invoke(app, ["analyze", "--tier", "fast", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert "Read 12 voices" in result.output
    result = runner.invoke(app, ["analyze", "--tier", "fast", "--db", database_url])
    assert "Read 0 voices" in result.output
    _import_sample(runner, database_url, tmp_path, 20)  # 8 new voices
    result = runner.invoke(app, ["analyze", "--tier", "fast", "--db", database_url])
    assert "Read 8 voices" in result.output


def test_stored_analysis_matches_the_reader_and_is_replaced_on_again(database: Database, tmp_path: Path) -> None:
    from ombud.capture import import_file

    rows = [json.loads(line) for line in sorted(SAMPLE.glob("*.jsonl"))[1].read_text().splitlines()[:5]]
    file = tmp_path / "five.jsonl"
    file.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    import_file(database, file)
    reader = load_reader("fast")
    assert analyse_stored_voices(database, reader) == 5
    assert analyse_stored_voices(database, reader, again=True) == 0  # same model: nothing to redo
    with database.session() as session:
        stored = session.scalars(select(VoiceAnalysis).order_by(VoiceAnalysis.voice_id)).all()
        assert len(stored) == 5
        assert stored[0].model == reader.model.label
        sentences = session.scalar(select(func.count()).select_from(SentenceAnalysisRow))
        [expected] = reader.analyze([rows[0]["text"]])
        assert stored[0].dominant_act == expected.dominant_act
        assert sentences == sum(len(analysis.sentences) for analysis in reader.analyze([r["text"] for r in rows]))


def test_train_round_trip_is_deterministic(runner: CliRunner, tmp_path: Path) -> None:
    sample = sorted(SAMPLE.glob("*.jsonl"))
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    for out in (out_a, out_b):
        result = runner.invoke(
            app,
            [
                "train",
                *map(str, sample[:2]),
                "--out",
                str(out),
                "--base",
                "none",
                "--tier",
                "fast",
                "--held-out",
                "0.2",
            ],
        )
        assert result.exit_code == 0, result.output
    assert (out_a / "fast.npz").read_bytes() == (out_b / "fast.npz").read_bytes()
    [analysis] = analyze(["Tack för den snabba hjälpen!"], model=out_a / "fast.npz")
    assert analysis.model == "custom 1.0"
    assert analysis.dominant_act in {"praise", "other", "complaint", "wish", "question"}


def test_train_reports_bad_files(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Hej"}\n')
    result = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path), "--base", "none", "--tier", "fast"])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output
