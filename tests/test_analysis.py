"""The Vietnamese analyzer chain (index/analysis.py), on real text."""
import pytest

from index.analysis import (
    folded_analyzer,
    normalize_tone,
    pairs_analyzer,
    phrase_pairs,
    presplit,
    syllable_analyzer,
    symbol_parts,
    word_analyzer,
)


def texts(analyzer, value):
    return [t.text for t in analyzer(value)]


@pytest.mark.parametrize("old,new", [
    ("hoà", "hòa"), ("Hoà", "Hòa"), ("thuỷ", "thủy"), ("Uỷ ban", "Ủy ban"), ("khoẻ", "khỏe"),
    ("hòa", "hòa"), ("quý", "quý"), ("hoàn thành", "hoàn thành"), ("thuyền", "thuyền"),
])
def test_tone_placement(old, new):
    assert normalize_tone(old) == new


def test_symbols_come_out_whole_in_every_damaged_form():
    for printed in ("308/QĐ-UBND", "308/QĐ- UBND", "308 /qđ-ubnd", "308/QD-UBND", "308/Q\u00d0-UBND"):
        assert "308/qđ-ubnd" in texts(syllable_analyzer(), f"theo Quyết định số {printed} ngày")
        assert "308/qd-ubnd" in texts(folded_analyzer(), f"theo Quyết định số {printed} ngày")


def test_words_are_segmented_and_normalised():
    words = texts(word_analyzer(), "UBND phường báo cáo công tác cải cách hành chính Quý I/2024")
    assert "cải_cách" in words and "hành_chính" in words and "báo_cáo" in words


def test_old_and_new_tone_placement_index_alike():
    assert texts(syllable_analyzer(), "Uỷ ban nhân dân Cộng hoà") == texts(syllable_analyzer(), "ỦY BAN NHÂN DÂN CỘNG HÒA")


def test_folded_copy_finds_text_typed_without_diacritics():
    assert texts(folded_analyzer(), "cải cách hành chính Đức Phổ") == texts(folded_analyzer(), "cai cach hanh chinh duc pho")


def test_syllables_carry_positions_and_offsets():
    """A symbol whole, then its parts, the first at the symbol's position: a phrase
    runs through the parts (``số 16 kh ubnd về``)."""
    value = "Kế hoạch số 16/KH-UBND về tuyên truyền"
    tokens = [(t.text, t.pos, value[t.startchar:t.endchar])
              for t in syllable_analyzer()(value, positions=True, chars=True)]
    assert tokens[3:7] == [("16/kh-ubnd", 3, "16/KH-UBND"), ("16", 3, "16/KH-UBND"), ("kh", 4, "16/KH-UBND"),
                           ("ubnd", 5, "16/KH-UBND")]
    words = [p for text, p, _ in tokens if "/" not in text]
    assert words == list(range(len(words)))


def _without_parts(tokens: list[str]) -> list[str]:
    """What a query asks of a text: each symbol whole, not its parts."""
    out, skip = [], 0
    for token in tokens:
        if skip:
            skip -= 1
            continue
        out.append(token)
        if "/" in token:
            skip = len(symbol_parts(token))
    return out


def test_presegmented_index_and_segmented_query_agree():
    from index.analysis import presegment
    text = "UBND phường báo cáo công tác cải cách hành chính theo 308/QĐ- UBND"
    indexed = [t.text for t in word_analyzer()(presegment(text), mode="index")]
    read = [t.text for t in word_analyzer()(text)]
    queried = [t.text for t in word_analyzer()(text, mode="query")]
    assert indexed == read and _without_parts(indexed) == queried
    assert "308/qđ-ubnd" in indexed and "cải_cách" in indexed and indexed[-3:] == ["308", "qđ", "ubnd"]


@pytest.mark.parametrize("analyzer", [syllable_analyzer, folded_analyzer, pairs_analyzer])
def test_presplit_index_and_tokenized_query_agree(analyzer):
    """The workers tokenize (``presplit``), the writer only splits: same tokens,
    same positions as the full chain gives a text; a query asks each symbol whole."""
    text = "Căn cứ Quyết định số 308/QĐ- UBND ngày 27/01/2022 của Uỷ ban nhân dân phường Nguyễn Nghiêm;"
    indexed = [(t.text, t.pos) for t in analyzer()(presplit(text), mode="index", positions=True)]
    read = [(t.text, t.pos) for t in analyzer()(text, positions=True)]
    assert indexed == read and indexed
    queried = [t.text for t in analyzer()(text, mode="query")]
    assert _without_parts([t for t, _ in indexed]) == queried or analyzer is pairs_analyzer


def test_pairs_are_adjacent_folded_syllables():
    assert texts(pairs_analyzer(), "Quy định công tác") == ["quy dinh", "dinh cong", "cong tac"]
    assert texts(pairs_analyzer(), "Báo") == [] and texts(pairs_analyzer(), "") == []
    # a phrase's words, exact or folded, give the terms the field holds
    assert phrase_pairs(["quy", "định", "công"]) == ["quy dinh", "dinh cong"]
    assert phrase_pairs(["ủy", "ban"]) == texts(pairs_analyzer(), "Uỷ ban")
