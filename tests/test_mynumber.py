from itaku.lib.mynumber import check_digit, contains_my_number, is_valid


def test_field_notes_example() -> None:
    assert check_digit("12345678901") == 8
    assert is_valid("123456789018")
    assert not is_valid("123456789012")
    assert not is_valid("１２３４５６７８９０１８")
    assert not is_valid("12345678901")


def test_contains() -> None:
    assert contains_my_number("番号は123456789018です")
    assert not contains_my_number("1234567890189")  # 13 digits: not a My Number
    assert not contains_my_number("count 123456789012")
