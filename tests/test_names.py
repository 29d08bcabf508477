"""A signer's name checked and mended by its shape (``ingest/vocabulary/names.py``)."""
from ingest.vocabulary.names import is_name_shape, known_position, mend_name


def test_a_name_is_capitalised_syllables_after_a_family_name():
    assert is_name_shape("Trần Thị Thu Hương") and is_name_shape("Lê Hoàng Anh")
    assert not is_name_shape("hị Thu Hương") and not is_name_shape("Website SYT")
    assert not is_name_shape("GIÁM ĐỐC") and not is_name_shape("Chính phủ")


def test_a_half_read_family_name_is_mended_only_where_one_fits():
    assert mend_name("guyền Trúc Giang") == "Nguyễn Trúc Giang"  # a tail only Nguyễn ends with
    assert mend_name("XS Nguyện Văn Thắng") == "Nguyễn Văn Thắng"  # the same letters, tones misread
    assert mend_name("TI TU _NGG Ngu$ến Văn Thắng") == "Nguyễn Văn Thắng"  # a seal's ring before it
    assert mend_name("n Văn Thắng") is None  # one letter: any family name could end so
    assert mend_name("hị Thu Hương") is None  # the family name lost whole
    assert mend_name("Bộ Tư pháp") is None and mend_name("luyện Sích Nhật Tân.") is None


def test_a_half_read_title_is_a_known_position():
    assert known_position("PHÓ-GIÁM ĐỐC") == "PHÓ GIÁM ĐỐC"
    assert known_position("TH RƯỚNG") == "THỨ TRƯỞNG"
    assert known_position("SỞ Y TẾ") is None
