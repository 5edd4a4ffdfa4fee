"""Personal data in text meant for the public is found and masked."""

from portal.privacy import find_personal_data, mask_name, mask_personal_data

VALID_ID = "11010519491231002X"  # the checksum is right
WRONG_CHECKSUM_ID = "110105194912310021"
MADE_UP_ID = "110101199001011234"  # a reviewer's test number: born 1990-01-01, the check digit should be 7
CARD = "6222020200112233446"  # passes Luhn (19 digits)


def _kinds(text, **known):
    return [(f.kind, f.text) for f in find_personal_data(text, **known)]


def test_id_numbers_are_found_whether_or_not_the_check_digit_holds():
    assert _kinds(f"低保户王某身份证{VALID_ID}。") == [("id_number", VALID_ID)]
    assert _kinds(f"编号{WRONG_CHECKSUM_ID}") == [("id_number", WRONG_CHECKSUM_ID)]
    assert mask_personal_data(f"身份证{MADE_UP_ID}") == "身份证1101**********1234"
    assert _kinds(MADE_UP_ID.lower()[:-1] + "x") == [("id_number", "11010119900101123x")]


def test_amounts_and_voucher_numbers_are_not_taken_for_id_numbers():
    """Without a plausible birth date in digits 7–14 (1900 to today), 18 digits are not an ID number."""
    for number in ("202601011234567890",   # a voucher number: digits 7–14 are 12345678
                   "110101180001011234",   # born 1800
                   "110101209901011234",   # born in 2099
                   "110101199013011234"):  # month 13
        assert _kinds(f"凭证号 {number}") == [], number
    assert mask_personal_data("金额 20260101123456789 元") == "金额 20260101123456789 元"  # 17 digits, fails Luhn


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


def test_a_persons_own_details_are_found_when_the_caller_knows_them():
    text = "我叫李秀英，座机(0539)812 3456，邮箱LI@example.cn，李秀梅是我姐姐"
    assert _kinds(text) == []  # names and landlines cannot be told in free text
    known = dict(names=["李 秀英"], phones=["0539-8123456"], emails=["li@example.cn"])
    assert _kinds(text, **known) == [("name", "李秀英"), ("phone", "0539)812 3456"), ("email", "LI@example.cn")]
    assert mask_personal_data(text, **known) == "我叫李*英，座机(053****3456，邮箱L***@example.cn，李秀梅是我姐姐"


def test_own_details_too_short_to_tell_are_ignored():
    assert _kinds("王说分机123456", names=["王", None, ""], phones=["123456", None], emails=["", None]) == []
