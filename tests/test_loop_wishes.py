"""Wish themes: grouping by meaning across languages, incrementally, per company; merge, split and status."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ombud.cli import app
from ombud.errors import WishThemeError
from ombud.loop.wishes import (
    board,
    merge_themes,
    representative_quotes,
    set_theme_status,
    split_theme,
    theme_demand,
    update_themes,
)
from ombud.store import Database
from ombud.store.models import Wish, WishTheme, WishThemeChange
from wish_factories import APP, GIFT_WRAP, SUNDAY, Shop, theme_of

LANGUAGES = ("sv", "nb", "nn", "da", "en")


def test_the_same_wish_in_five_languages_is_one_theme(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in LANGUAGES:
            for wishes in (SUNDAY, APP, GIFT_WRAP):
                shop.wish(wishes[language], language)
        report = update_themes(session)
        session.commit()
        assert report.wishes_added == 15
        sunday = {theme_of(session, SUNDAY[language]) for language in LANGUAGES}
        apps = {theme_of(session, APP[language]) for language in LANGUAGES}
        gifts = {theme_of(session, GIFT_WRAP[language]) for language in LANGUAGES}
        assert len(sunday) == 1 and len(apps) == 1
        assert sunday != apps and not gifts & (sunday | apps)
        entries = board(session)
        assert [e.customers for e in entries][:2] == [5, 5]
        sunday_theme = session.get(WishTheme, sunday.pop())
        assert sunday_theme is not None and sunday_theme.encoder == report.encoder
        assert "söndag" in sunday_theme.title.lower() or "sunday" in sunday_theme.title.lower()
        assert len(sunday_theme.centroid or b"") == 4 * 384


def test_new_voices_join_the_nearest_theme_and_nothing_is_placed_twice(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in ("sv", "da", "en"):
            shop.wish(SUNDAY[language], language)
            shop.wish(APP[language], language)
        update_themes(session)
        session.commit()
        # With the learned projection the Danish wish written with aa/oe is on the edge of the Swedish one's
        # theme (cosine ≈ the threshold), so the Sunday wishes may sit in one theme or two; never with the app.
        sunday = {theme_of(session, SUNDAY[language]) for language in ("sv", "da", "en")}
        apps = {theme_of(session, APP[language]) for language in ("sv", "da", "en")}
        shop.wish("Öppna pa sondagar, snalla!! 😩", "sv")
        shop.wish("Åpent på søndager hadde vært supert.", "nb")
        report = update_themes(session)
        session.commit()
        assert report.wishes_added == 2 and report.themes_started == 0 and not sunday & apps
        assert theme_of(session, "Öppna pa sondagar, snalla!! 😩") in sunday
        assert theme_of(session, "Åpent på søndager hadde vært supert.") in sunday
        again = update_themes(session)
        assert again.wishes_added == 0 and again.themes_started == 0


def test_each_company_has_its_own_board_and_greetings_do_not_become_wishes(database: Database) -> None:
    with database.session() as session:
        one, other, none = Shop(session, "Kvikk"), Shop(session, "Ljus"), Shop(session, None)
        one.wish(SUNDAY["nb"], "nb")
        other.wish(SUNDAY["sv"], "sv")
        none.wish(SUNDAY["en"], "en")
        update_themes(session)
        session.commit()
        themes = list(session.scalars(select(WishTheme)))
        assert sorted((t.company or "") for t in themes) == ["", "Kvikk", "Ljus"]
        assert [t.title for t in themes if t.company == "Kvikk"] == ["Hadde vært fint om dere hadde åpent på søndager"]
        assert session.scalar(select(Wish.text).where(Wish.text.like("Hei%"))) is None
        assert [e.theme.company for e in board(session, company="Ljus")] == ["Ljus"]


def test_a_new_encoder_embeds_every_wish_again(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        shop.wish(SUNDAY["sv"], "sv")
        update_themes(session)
        theme = session.scalars(select(WishTheme)).one()
        theme.encoder = "an-older-encoder:0"
        session.commit()
        report = update_themes(session)
        assert report.wishes_reembedded == 1
        assert theme.encoder == report.encoder


def test_a_wish_read_again_as_something_else_leaves_its_theme(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        spoken = shop.wish(SUNDAY["da"], "da")
        update_themes(session)
        sentence = next(s for s in spoken_sentences(session, spoken.id) if s.act == "wish")
        sentence.act = "question"
        session.flush()
        report = update_themes(session)
        assert report.wishes_removed == 1
        assert board(session) == []


def spoken_sentences(session, voice_id: int):
    from ombud.store.models import SentenceAnalysisRow

    return list(session.scalars(select(SentenceAnalysisRow).where(SentenceAnalysisRow.voice_id == voice_id)))


def test_merge_keeps_every_customer_and_hides_the_other(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in ("sv", "en"):
            shop.wish(SUNDAY[language], language)
            shop.wish(APP[language], language)
        update_themes(session)
        sunday, apps = theme_of(session, SUNDAY["sv"]), theme_of(session, APP["sv"])
        customers = {w.customer_id for w in session.scalars(select(Wish))}
        kept = merge_themes(session, sunday, apps)
        session.commit()
        assert {w.customer_id for w in kept.wishes} == customers
        other = session.get(WishTheme, apps)
        assert other is not None and other.merged_into_id == sunday and other.wishes == []
        assert [e.theme.id for e in board(session)] == [sunday]
        assert theme_demand(session, sunday).customers == 4
        with pytest.raises(WishThemeError, match="merged into theme"):
            merge_themes(session, sunday, apps)
        with pytest.raises(WishThemeError, match="into itself"):
            merge_themes(session, sunday, sunday)
        # New wishes never join a merged theme.
        shop.wish(APP["da"], "da")
        update_themes(session)
        assert theme_of(session, APP["da"]) != apps


def test_merge_across_boards_is_refused(database: Database) -> None:
    with database.session() as session:
        Shop(session, "A").wish(SUNDAY["sv"], "sv")
        Shop(session, "B").wish(SUNDAY["nb"], "nb")
        update_themes(session)
        with pytest.raises(WishThemeError, match="different boards"):
            merge_themes(session, theme_of(session, SUNDAY["sv"]), theme_of(session, SUNDAY["nb"]))


def test_split_moves_chosen_wishes_into_a_new_theme(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in LANGUAGES:
            shop.wish(SUNDAY[language], language)
        update_themes(session)
        theme_id = theme_of(session, SUNDAY["sv"])
        moving = [w.id for w in session.scalars(select(Wish).where(Wish.language.in_(["da", "en"])))]
        new = split_theme(session, theme_id, moving)
        session.commit()
        assert sorted(w.id for w in new.wishes) == sorted(moving) and new.status == "new"
        assert new.title and new.company == "Testbutiken"
        assert len(session.get(WishTheme, theme_id).wishes) == 3  # type: ignore[union-attr]
        with pytest.raises(WishThemeError, match="holds no wish"):
            split_theme(session, theme_id, moving)
        with pytest.raises(WishThemeError, match="leaves it empty"):
            split_theme(session, new.id, moving)
        with pytest.raises(WishThemeError, match="choose the wishes"):
            split_theme(session, theme_id, [])


def test_status_moves_forward_with_notes_and_refuses_what_it_cannot(database: Database) -> None:
    with database.session() as session:
        Shop(session).wish(SUNDAY["sv"], "sv")
        update_themes(session)
        theme_id = theme_of(session, SUNDAY["sv"])
        set_theme_status(session, theme_id, "under_review")
        with pytest.raises(WishThemeError, match="give a note"):
            set_theme_status(session, theme_id, "planned")
        set_theme_status(session, theme_id, "planned", note="Från 1 mars har vi öppet på söndagar.", actor="anna")
        with pytest.raises(WishThemeError, match="cannot move from planned to new"):
            set_theme_status(session, theme_id, "new")
        with pytest.raises(WishThemeError, match="unknown status 'finished'"):
            set_theme_status(session, theme_id, "finished")
        with pytest.raises(WishThemeError, match="already planned"):
            set_theme_status(session, theme_id, "planned", note="x")
        set_theme_status(session, theme_id, "in_progress")
        set_theme_status(session, theme_id, "done", note="Nu har vi öppet på söndagar.")
        with pytest.raises(WishThemeError, match="it is finished"):
            set_theme_status(session, theme_id, "declined", note="x")
        with pytest.raises(WishThemeError, match="no wish theme 999"):
            set_theme_status(session, 999, "planned", note="x")
        session.commit()
        changes = list(session.scalars(select(WishThemeChange).order_by(WishThemeChange.id)))
        assert [(c.status_from, c.status) for c in changes] == [
            ("new", "under_review"),
            ("under_review", "planned"),
            ("planned", "in_progress"),
            ("in_progress", "done"),
        ]
        assert changes[1].note == "Från 1 mars har vi öppet på söndagar." and changes[1].actor == "anna"
        theme = session.get(WishTheme, theme_id)
        assert theme is not None and theme.status == "done" and theme.status_note == "Nu har vi öppet på söndagar."


def test_demand_counts_customers_months_channels_and_emotions(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        anna = shop.customer(name="Anna")
        shop.wish(SUNDAY["sv"], "sv", anna, channel="chat", emotions=["anticipation"])
        shop.wish("Öppet på söndagar vore så bra.", "sv", anna, channel="email")
        shop.wish(SUNDAY["en"], "en", channel="review", emotions=["anger", "anticipation"])
        update_themes(session)
        demand = theme_demand(session, theme_of(session, SUNDAY["sv"]))
        assert (demand.customers, demand.wishes) == (2, 3)
        assert demand.by_month == [("2026-01", 2)]
        assert demand.channels == [("chat", 1), ("email", 1), ("review", 1)]
        assert demand.emotions == [("anticipation", 2), ("anger", 1)]
        quotes = representative_quotes(session, theme_of(session, SUNDAY["sv"]))
        assert len(quotes) == 2 and len({q.customer_id for q in quotes}) == 2


def test_wishes_json_and_the_wish_commands(runner: CliRunner, database: Database, database_url: str) -> None:
    with database.session() as session:
        shop = Shop(session)
        who = shop.customer(name="Kari", email="kari@example.no")
        reviewer = shop.customer(name=None, phone="+4791548203")
        first = shop.wish(SUNDAY["nb"], "nb", who)
        second = shop.wish(SUNDAY["en"], "en", reviewer, channel="review")
        session.commit()
        voices = (first.id, second.id)
    result = runner.invoke(app, ["wishes", "--json", "--db", database_url])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert len(document) == 1 and set(document[0]) == {"id", "title", "status", "customers", "wishes"}
    theme = document[0]
    assert (theme["status"], theme["customers"]) == ("new", 2)
    assert theme["wishes"] == [
        {"voice_id": voices[0], "customer": "kari@example.no", "text": SUNDAY["nb"]},
        {"voice_id": voices[1], "customer": "+4791548203", "text": SUNDAY["en"]},
    ]
    shown = runner.invoke(app, ["wish", "show", str(theme["id"]), "--db", database_url])
    assert shown.exit_code == 0 and "2 customers" in shown.output and "kari@example.no" in shown.output
    moved = runner.invoke(app, ["wish", "status", str(theme["id"]), "under_review", "--db", database_url])
    assert moved.exit_code == 0 and "now under_review" in moved.output
    wrong = runner.invoke(app, ["wish", "status", str(theme["id"]), "done", "--db", database_url])
    assert wrong.exit_code == 2 and "give a note" in wrong.output
    missing = runner.invoke(app, ["wish", "merge", "1", "999", "--db", database_url])
    assert missing.exit_code == 2 and "no wish theme 999" in missing.output
    bad = runner.invoke(app, ["wish", "split", str(theme["id"]), "--wishes", "a,b", "--db", database_url])
    assert bad.exit_code == 2 and "separated by commas" in bad.output
    filtered = runner.invoke(app, ["wishes", "--json", "--status", "planned", "--db", database_url])
    assert json.loads(filtered.output) == []


def test_the_shipped_model_loads_with_a_threshold_for_each_encoder_and_its_measured_scores() -> None:
    from ombud.loop.themes_model import SHIPPED, load_model
    from ombud.loop.themes_vectors import wish_encoder, wish_model

    model = load_model(SHIPPED)
    encoder = wish_encoder()
    assert set(model.comparisons) >= {"e5-small-int8", "e5-static-256"}
    assert -1 < model.comparison(encoder.name).threshold < 1
    assert model.corpus["themes"] >= 150 and set(model.corpus["languages"]) == set(LANGUAGES)
    assert "ari" in model.scores["cross_validated"]["voices"]
    assert wish_model().label == model.label
    # Frame words weigh little and what the wish is about much, in every language.
    ids = {word: encoder.tokenizer.tokenize([word], offsets=False)[0].ids for word in ("önskar", "söndagar")}
    assert model.token_weights(ids["önskar"]).max() < model.token_weights(ids["söndagar"]).max()


def test_an_unusable_model_file_is_refused_with_a_clear_message(tmp_path) -> None:
    import dataclasses

    import numpy as np

    from ombud.loop.themes_model import SHIPPED, IncompatibleWishModel, load_model

    shipped = load_model(SHIPPED)
    with pytest.raises(IncompatibleWishModel, match="no wish-theme model here"):
        load_model(tmp_path / "missing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, header=np.array(json.dumps({"format": "ombud-wish-themes/1"})), matrix=np.zeros((2, 2)))
    with pytest.raises(IncompatibleWishModel, match=r"format 'ombud-wish-themes/1'.*`make model`"):
        load_model(other)
    damaged = tmp_path / "damaged.npz"
    dataclasses.replace(shipped, token_ids=shipped.token_ids[::-1].copy()).save(damaged)
    with pytest.raises(IncompatibleWishModel, match="token table is damaged"):
        load_model(damaged)
    copy = tmp_path / "copy.npz"
    dataclasses.replace(shipped, version="test").save(copy)
    assert load_model(copy).version == "test"
    assert np.array_equal(load_model(copy).token_counts, shipped.token_counts)


def test_cross_language_paraphrases_group_together_and_a_near_miss_stays_apart(database: Database) -> None:
    from wish_factories import PHONE_EVENINGS

    with database.session() as session:
        shop = Shop(session)
        for language in LANGUAGES:
            shop.wish(PHONE_EVENINGS[language], language)
            shop.wish(SUNDAY[language], language)
        update_themes(session)
        session.commit()
        evenings = {theme_of(session, PHONE_EVENINGS[language]) for language in LANGUAGES}
        sunday = {theme_of(session, SUNDAY[language]) for language in LANGUAGES}
        assert len(evenings) == 1 and len(sunday) == 1
        assert evenings != sunday
