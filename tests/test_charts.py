"""Charts for the dashboard and the report: well-formed SVG with the caller's labels and links, nothing fetched
from the network, text that stays text, the same colour for the same act everywhere, and a table for every chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from ombud.insight.charts import (
    ACT_COLOURS,
    EMOTION_COLOURS,
    KEY_COLOURS,
    PALETTE,
    Band,
    Chart,
    Point,
    Series,
    bar_chart,
    colours_for,
    css_variables,
    data_table,
    heatmap,
    heatmap_html,
    line_chart,
    shade,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
# The act names as a caller passes them, translated.
ACT_NAMES = {
    "sv": {"complaint": "Klagomål", "praise": "Beröm", "wish": "Önskemål"},
    "nb": {"complaint": "Klager", "praise": "Ros", "wish": "Ønsker"},
    "nn": {"complaint": "Klager", "praise": "Ros", "wish": "Ønske"},
    "da": {"complaint": "Klager", "praise": "Ros", "wish": "Ønsker"},
    "en": {"complaint": "Complaints", "praise": "Praise", "wish": "Wishes"},
}
MONTHS = {
    "sv": ["januari", "februari", "mars"],
    "nb": ["januar", "februar", "mars"],
    "nn": ["januar", "februar", "mars"],
    "da": ["januar", "februar", "marts"],
    "en": ["January", "February", "March"],
}
TITLES = {
    "sv": "Vad kunderna säger, per månad",
    "nb": "Hva kundene sier, per måned",
    "nn": "Kva kundane seier, per månad",
    "da": "Hvad kunderne siger, pr. måned",
    "en": "What customers say, by month",
}


def act_mix(language: str) -> Chart:
    names = ACT_NAMES[language]
    counts = {"complaint": [3, 5, 2], "praise": [1, 0, 4], "wish": [12, 9, 15]}
    return Chart(
        title=TITLES[language],
        categories=MONTHS[language],
        series=[
            Series(
                names[act],
                [Point(value, f"/voices?act={act}&month=2026-0{month + 1}") for month, value in enumerate(values)],
                key=act,
            )
            for act, values in counts.items()
        ],
        description=f"{names['wish']} > {names['complaint']}",
    )


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def urls(svg: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", svg))


def texts(root: ElementTree.Element) -> list[str]:
    return [node.text for node in root.iter() if node.text]


@pytest.mark.parametrize("language", ["sv", "nb", "nn", "da", "en"])
@pytest.mark.parametrize("stacked", [True, False])
def test_bars_carry_the_callers_words_and_links_and_fetch_nothing(language: str, stacked: bool) -> None:
    chart = act_mix(language)
    svg = bar_chart(chart, stacked=stacked)
    root = parse(svg)
    words = texts(root)
    assert chart.title in words
    assert all(month in words for month in MONTHS[language])
    assert all(name in words for name in ACT_NAMES[language].values())
    links = {node.get(XLINK_HREF) for node in root.iter(f"{SVG}a")}
    assert links == {point.link for series in chart.series for point in series.points}
    # No script, no stylesheet or font from elsewhere, no address but the SVG namespaces.
    assert not list(root.iter(f"{SVG}script")) and "<?xml-stylesheet" not in svg
    assert urls(svg) == NAMESPACES
    assert "pygal.org" not in svg and "github.com" not in svg


def test_the_svg_is_accessible_and_scales() -> None:
    chart = act_mix("sv")
    root = parse(bar_chart(chart, width=640, height=360))
    assert root.get("role") == "img"
    title_id, description_id = (root.get("aria-labelledby") or "").split()
    title = root.find(f"{SVG}title")
    description = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == title_id and title.text == chart.title
    assert description is not None and description.get("id") == description_id
    assert description.text == "Önskemål > Klagomål"
    assert (root.get("viewBox"), root.get("width")) == ("0 0 640 360", "640")
    assert root.get("style") == "max-width:100%;height:auto"
    # Every bar says what it is: series, category and value.
    bar_titles = [node.text for node in root.iter(f"{SVG}title") if node.text and " – " in node.text]
    assert bar_titles[:3] == ["Klagomål – januari: 3", "Klagomål – februari: 5", "Klagomål – mars: 2"]
    assert len(bar_titles) == 9
    # White behind everything, so that it prints as it shows.
    style = root.find(f"{SVG}defs/{SVG}style")
    assert style is not None and "background-color:#FFFFFF" in (style.text or "")


def test_text_stays_text() -> None:
    hostile = "<script>x()</script> & <b>"
    series = [Series(hostile, [Point(1), Point(2)]), Series("två", [Point(3), Point(4)])]
    chart = Chart(hostile, [hostile, "ok"], series)
    for svg in (bar_chart(chart), bar_chart(chart, horizontal=True), line_chart(chart)):
        root = parse(svg)
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}b"))
        # The title, the axis label and the legend each hold it as text.
        assert texts(root).count(hostile) >= 3
        assert "<script>" not in svg
    table = data_table(chart)
    assert "<script>" not in table and "&lt;script&gt;" in table
    hot = heatmap_html(heatmap(hostile, [hostile], [hostile], [[1.0]]))
    assert "<script>" not in hot and hot.count("&lt;script&gt;") == 3


def test_links_must_be_addresses_not_scripts() -> None:
    for link in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x"):
        chart = Chart("t", ["a"], [Series("s", [Point(1, link)])])
        with pytest.raises(ValueError, match="relative or http"):
            bar_chart(chart)
        with pytest.raises(ValueError, match="relative or http"):
            data_table(chart)
    for link in ("/voices?act=wish", "?act=wish&channel=chat", "voices/12", "https://ombud.example/voices"):
        assert link.replace("&", "&amp;") in bar_chart(Chart("t", ["a"], [Series("s", [Point(1, link)])]))


def test_an_act_has_its_colour_in_every_chart() -> None:
    one = [Series("Önskemål", [], key="wish"), Series("Klagomål", [], key="complaint")]
    other = [Series("Channel", []), Series("Complaints", [], key="complaint"), Series("Anger", [], key="anger")]
    assert colours_for(one) == [ACT_COLOURS["wish"], ACT_COLOURS["complaint"]]
    assert colours_for(other)[1:] == [ACT_COLOURS["complaint"], EMOTION_COLOURS["anger"]]
    # A series without a key takes a colour no keyed series of the chart has.
    assert colours_for(other)[0] not in colours_for(other)[1:]
    svg = bar_chart(Chart("t", ["a"], [Series("x", [Point(1)], key="praise"), Series("y", [Point(2)], key="wish")]))
    css = parse(svg).find(f"{SVG}defs/{SVG}style")
    assert css is not None
    assert re.search(r"\.color-0[^{]*\{[^}]*" + ACT_COLOURS["praise"], css.text or "", re.I)
    assert re.search(r"\.color-1[^{]*\{[^}]*" + ACT_COLOURS["wish"], css.text or "", re.I)


def test_every_colour_stands_out_from_the_page() -> None:
    # WCAG 1.4.11: graphics need 3:1 against what is next to them, here the white page.
    weak = [colour for colour in {*KEY_COLOURS.values(), *PALETTE} if contrast(colour, "#FFFFFF") < 3]
    assert weak == []
    assert len(set(ACT_COLOURS.values())) == len(ACT_COLOURS)
    assert len(set(EMOTION_COLOURS.values())) == len(EMOTION_COLOURS)
    variables = css_variables()
    assert f"--complaint:{ACT_COLOURS['complaint']}" in variables and "--churn-risk:" in variables


def test_a_ranking_reads_from_the_top() -> None:
    themes = ["Vipps i appen", "Söndagsöppet", "En app där man ser sina beställningar och fakturor, tack"]
    chart = Chart("Mest önskat", themes, [Series("Kunder", [Point(40, "/wishes/1"), Point(25), Point(10)])])
    root = parse(bar_chart(chart, horizontal=True))
    bars = sorted(
        (float(rect.get("y", 0)), title.text)
        for rect in root.iter(f"{SVG}rect")
        if (title := rect.find(f"{SVG}title")) is not None
    )
    assert [text for _, text in bars] == [
        "Vipps i appen: 40",
        "Söndagsöppet: 25",
        "En app där man ser sina beställningar och fakturor, tack: 10",
    ]
    assert "En app där man ser sina beställningar o…" in texts(root)  # the axis label is shortened, the title not


def bar_marks(root: ElementTree.Element) -> list[tuple[str | None, str | None]]:
    """(the link around it, its title) for every bar that has a title, in the order drawn."""
    marks = []
    for bar in root.iter(f"{SVG}g"):
        if bar.get("class") != "bar":
            continue
        rect = next(bar.iter(f"{SVG}rect"))
        title = rect.find(f"{SVG}title")
        if title is None:
            continue
        link = next((node.get(XLINK_HREF) for node in bar.iter(f"{SVG}a")), None)
        marks.append((link, title.text))
    return marks


@pytest.mark.parametrize(("stacked", "horizontal"), [(True, False), (False, False), (True, True), (False, True)])
def test_each_bar_has_its_own_title_and_link_with_zeros_and_gaps_between(stacked: bool, horizontal: bool) -> None:
    places = ["Svenska", "Bokmål", "Nynorsk", "Dansk", "Engelska"]
    counts = {
        "complaint": [2, 0, None, 3, 0],
        "praise": [1, None, 0, None, 4],
        "wish": [None, 5, 0, 0, None],
    }
    names = ACT_NAMES["sv"]
    chart = Chart(
        "Per språk",
        places,
        [
            Series(
                names[act],
                [
                    Point(value, None if value is None else f"/voices?act={act}&language={place}")
                    for place, value in zip(places, values, strict=True)
                ],
                key=act,
            )
            for act, values in counts.items()
        ],
    )
    marks = bar_marks(parse(bar_chart(chart, stacked=stacked, horizontal=horizontal)))
    expected = {
        (f"/voices?act={act}&language={place}", f"{names[act]} – {place}: {value}")
        for act, values in counts.items()
        for place, value in zip(places, values, strict=True)
        if value is not None
    }
    assert len(marks) == len(expected) and set(marks) == expected


def test_each_point_of_a_line_has_its_own_title() -> None:
    chart = Chart(
        "Barometer",
        ["jan", "feb", "mar", "apr"],
        [Series("Index", [Point(None), Point(50, "/voices?m=2"), Point(None), Point(70, "/voices?m=4")])],
    )
    root = parse(line_chart(chart))
    titled = {
        (circle.find(f"{SVG}title").text, float(circle.get("cx", 0)))  # type: ignore[union-attr]
        for circle in root.iter(f"{SVG}circle")
        if circle.find(f"{SVG}title") is not None
    }
    assert [text for text, _ in sorted(titled, key=lambda item: item[1])] == ["feb: 50", "apr: 70"]


def test_a_line_shades_its_band_and_leaves_gaps() -> None:
    barometer = Chart(
        "Barometer",
        ["2026-01", "2026-02", "2026-03", "2026-04"],
        [
            Series(
                "Index",
                [Point(61, "/voices?month=2026-01"), Point(64), Point(None), Point(58)],
                band=Band([55, 59, None, 50], [66, 69, None, 65]),
            )
        ],
    )
    svg = line_chart(barometer, value_range=(0, 100))
    root = parse(svg)
    bands = [path for path in root.iter(f"{SVG}path") if path.get("class") == "band"]
    assert len(bands) == 2  # January–February, and April alone; March has no value
    assert all(path.get("d", "").startswith("M") and path.get("d", "").endswith("Z") for path in bands)
    assert [node.get(XLINK_HREF) for node in root.iter(f"{SVG}a")] == ["/voices?month=2026-01"]
    assert "100" in texts(root) and "0" in texts(root)  # the fixed axis
    table = data_table(barometer)
    assert "<td>61 (55–66)</td>" not in table  # linked
    assert '<a href="/voices?month=2026-01">61 (55–66)</a>' in table
    assert "<td>58 (50–65)</td>" in table and "<td></td>" in table


def test_nothing_to_draw_says_so() -> None:
    root = parse(bar_chart(Chart("Tomt", [], [], empty="Inga röster än")))
    assert "Inga röster än" in texts(root)


def test_data_table_is_the_chart_in_rows_and_columns() -> None:
    table = data_table(act_mix("nn"))
    root = ElementTree.fromstring(table)
    assert root.findtext("caption") == TITLES["nn"]
    assert [cell.text for cell in root.iter("th")] == ["Klager", "Ros", "Ønske", "januar", "februar", "mars"]
    first = root.find("tbody/tr")
    assert first is not None
    assert [anchor.get("href") for anchor in first.iter("a")] == [
        "/voices?act=complaint&month=2026-01",
        "/voices?act=praise&month=2026-01",
        "/voices?act=wish&month=2026-01",
    ]
    assert [anchor.text for anchor in first.iter("a")] == ["3", "1", "12"]


def test_heatmap_shades_by_size_in_each_emotions_colour() -> None:
    table = heatmap(
        "Ämne × känsla",
        ["leverans", "pris"],
        ["anger", "joy"],
        [[8, 0], [2, 4]],
        links=[["/voices?topic=delivery&emotion=anger", None], [None, "/voices?topic=price&emotion=joy"]],
        column_keys=["anger", "joy"],
        corner="Ämne",
    )
    strongest, empty = table.cells[0]
    assert strongest.background == EMOTION_COLOURS["anger"] and strongest.foreground == "#FFFFFF"
    assert empty.background == "#FFFFFF" and empty.foreground == "#111111" and empty.link is None
    assert table.cells[1][0].background == shade(EMOTION_COLOURS["anger"], 0.25)[0]
    html = heatmap_html(table)
    root = ElementTree.fromstring(html)
    assert root.findtext("caption") == "Ämne × känsla"
    assert [cell.text for cell in root.iter("th")] == ["Ämne", "anger", "joy", "leverans", "pris"]
    assert [anchor.get("href") for anchor in root.iter("a")] == [
        "/voices?topic=delivery&emotion=anger",
        "/voices?topic=price&emotion=joy",
    ]
    assert "print-color-adjust:exact" in html
    with pytest.raises(ValueError, match="one row per row label"):
        heatmap("x", ["a"], ["b", "c"], [[1]])


def test_shading_keeps_text_readable() -> None:
    for colour in (*ACT_COLOURS.values(), *EMOTION_COLOURS.values()):
        for strength in (0.0, 0.3, 0.6, 1.0):
            background, foreground = shade(colour, strength)
            assert contrast(background, foreground) >= 4.5, (colour, strength)


def contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        parts = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [part / 12.92 if part <= 0.03928 else ((part + 0.055) / 1.055) ** 2.4 for part in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
