"""Extraction never crashes and its offsets always point at the text, whatever the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.gazetteer.store import Gazetteer
from geo.pipeline import extract

# Words that make the recogniser work: places, titles, organisation words, demonyms, scripts.
WORDS = ["Kirkuk", "ERBIL", "Erbil", "al-Anbar", "Al", "Tal-Afar", "U.S.", "Va.", "Gen.",
         "Mr", "Jones", "Paris", ",", "Texas", "Army", "24", "Iraqi", "province", "in", "the",
         "of", "Bay", "كركوك", "هەولێر", "Hewlêr", "Şengal", "'s", "’", "-", ".", "\n", "\n\n",
         "\x00", "\x1b", "\u200f", "🙂", "Ta'mim", "St", "W.Va.", "near", "Mosul"]
# Arabic-script and mixed-direction input: clitics, endings, harakat, tatweel, joiners,
# direction marks and isolates, presentation forms, decomposed letters.
RTL_WORDS = ["وأربيل", "للعراق", "بكركوك", "الموصل", "أَرْبِيل", "كـركوك", "هەولێرەوە",
             "لە", "هەولێردا", "شرطة", "في", "قضاء", "ناحية", "بعشيقة", "العراقي", "\u200c",
             "\u200d", "\u200e", "\u202b", "\u202c", "\u2067", "\u2069", "\ufefb", "\u064b",
             "\u0651", "Hewle\u0302re\u0302", "li", "Kerkûkê", "(", ")", "-", "24", "٢٤", "،",
             "Erbil", " "]
rtl_letters = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.one_of(rtl_letters, st.sampled_from(" \u200c\u200f\u064e.")),
            max_size=300),
    st.lists(st.sampled_from(RTL_WORDS), max_size=80).map(" ".join),
    st.lists(st.sampled_from(RTL_WORDS + WORDS), max_size=80).map("".join),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=80).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_any_text_extracts_without_error(gaz: Gazetteer, text: str) -> None:
    for m in extract(text, gaz):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert 0.0 <= m.score <= 1.0
        if m.place is not None:
            assert -90 <= m.place.lat <= 90 and -180 <= m.place.lon <= 180


def test_a_five_megabyte_article_is_processed(gaz: Gazetteer) -> None:
    paragraph = ("Clashes near Kirkuk and Tuz Khurmatu left two dead, officials in Erbil "
                 "said on Sunday, according to Mr. Jones of the Iraqi Army. ")
    text = paragraph * (5_000_000 // len(paragraph))
    mentions = extract(text, gaz)
    assert len(mentions) > 100_000
    assert {m.place.name for m in mentions if m.place} >= {"Kirkuk", "Erbil"}
