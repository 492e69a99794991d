"""Regrouping a wish board: open themes are grouped again as wishes trickle in; themes agents acted on hold."""

from __future__ import annotations

from sqlalchemy import select

from ombud.loop.wishes import set_theme_status, split_theme, update_themes
from ombud.store import Database
from ombud.store.models import Wish, WishTheme
from wish_factories import APP, SUNDAY, Shop, theme_of


def test_open_themes_that_hold_one_wish_between_them_are_grouped_again_when_wishes_arrive(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in ("sv", "nb"):
            shop.wish(SUNDAY[language], language)
            shop.wish(APP[language], language)
        update_themes(session)
        sunday = theme_of(session, SUNDAY["sv"])
        # As if the Norwegian Sunday wish had arrived first and started a theme of its own.
        apart = WishTheme(company="Testbutiken", title="", status="new")
        session.add(apart)
        session.flush()
        session.scalars(select(Wish).where(Wish.text == SUNDAY["nb"])).one().theme_id = apart.id
        session.commit()
        shop.wish(SUNDAY["en"], "en")
        report = update_themes(session)
        session.commit()
        together = {theme_of(session, SUNDAY[language]) for language in ("sv", "nb", "en")}
        assert len(together) == 1 and report.wishes_added == 1
        assert report.wishes_regrouped >= 1 and report.themes_removed == 1
        assert together == {sunday} and session.get(WishTheme, apart.id) is None
        assert {theme_of(session, APP[language]) for language in ("sv", "nb")} != together
        again = update_themes(session)
        assert again.wishes_regrouped == 0 and again.wishes_added == 0


def test_themes_an_agent_split_or_moved_keep_their_wishes_when_the_board_is_regrouped(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        for language in ("sv", "nb", "nn", "da", "en"):
            shop.wish(SUNDAY[language], language)
        shop.wish(APP["sv"], "sv")
        update_themes(session)
        sunday = theme_of(session, SUNDAY["sv"])
        app = theme_of(session, APP["sv"])
        moved = [w.id for w in session.scalars(select(Wish).where(Wish.language.in_(["da", "en"])))]
        split = split_theme(session, sunday, moved)
        set_theme_status(session, app, "under_review")
        session.commit()
        before = {wish.id: wish.theme_id for wish in session.scalars(select(Wish))}
        shop.wish("Söndagsöppet hade varit toppen, jobbar hela veckan", "sv")
        shop.wish(APP["da"], "da")
        report = update_themes(session)
        session.commit()
        after = {wish.id: wish.theme_id for wish in session.scalars(select(Wish))}
        assert all(after[wish_id] == theme for wish_id, theme in before.items())
        assert report.wishes_added == 2 and report.wishes_regrouped == 0
        assert split.arranged_at is not None and session.get(WishTheme, sunday).arranged_at is not None  # type: ignore[union-attr]
        assert theme_of(session, APP["da"]) == app
        assert theme_of(session, "Söndagsöppet hade varit toppen, jobbar hela veckan") in {sunday, split.id}
