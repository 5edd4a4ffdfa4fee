"""Personal data in text meant for the public is found (checksums checked) and masked."""

from portal.privacy import find_personal_data, mask_name, mask_personal_data

VALID_ID = "11010519491231002X"  # the checksum is right
WRONG_CHECKSUM_ID = "110105194912310021"
CARD = "6222020200112233446"  # passes Luhn (19 digits)


def _kinds(text):
    return [(f.kind, f.text) for f in find_personal_data(text)]


def test_valid_id_numbers_are_found_and_wrong_checksums_are_not():
    assert _kinds(f"低保户王某身份证{VALID_ID}。") == [("id_number", VALID_ID)]
    assert _kinds(f"编号{WRONG_CHECKSUM_ID}") == []


def test_mobile_numbers_and_bank_cards_are_found():
    found = _kinds(f"联系电话 138 0013 8000，补贴打入卡号{CARD}")
    assert found == [("mobile", "138 0013 8000"), ("bank_card", CARD)]


def test_a_card_number_failing_luhn_and_an_amount_are_left_alone():
    assert _kinds("凭证号 6222020200112233441 金额 1234567.89 元") == []


def test_masked_forms_keep_only_the_ends():
    text = f"张三 {VALID_ID} 13800138000 {CARD}"
    assert mask_personal_data(text) == "张三 1101**********002X 138****8000 6222***********3446"
    assert [f.masked for f in find_personal_data(text)] == ["1101**********002X", "138****8000",
                                                             "6222***********3446"]


def test_names_are_masked_by_length():
    assert [mask_name(n) for n in ("张三", "张小三", "欧阳小明", "王")] == ["张*", "张*三", "欧**明", "王"]


def test_empty_text_has_nothing():
    assert find_personal_data("") == [] and mask_personal_data("") == ""
