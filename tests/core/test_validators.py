import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from selfcare.core import validators as v
from tests.factories import iccid, person_fiscal_code, vat_number


def messages(exc_info) -> str:
    return " ".join(str(m) for m in exc_info.value.messages)


class TestVatNumber:
    def test_valid_number_is_returned_compact(self):
        good = vat_number(7431101)
        assert v.clean_vat_number(f" IT{good} ") == good

    def test_wrong_check_digit_says_so(self):
        good = vat_number(7431101)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        with pytest.raises(ValidationError) as exc:
            v.clean_vat_number(bad)
        assert exc.value.code == "vat_checksum"
        with translation.override("it"):  # the portal's language, whatever an earlier test activated
            assert "cifra di controllo" in messages(exc)

    @pytest.mark.parametrize("value", ["", "123", "1234567890A", "123456789012"])
    def test_wrong_shape_asks_for_11_digits(self, value):
        with pytest.raises(ValidationError) as exc:
            v.clean_vat_number(value)
        assert exc.value.code == "vat_format"

    def test_oversized_input_is_refused_without_parsing(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_vat_number("1" * 10_000)
        assert exc.value.code == "too_long"


class TestFiscalCode:
    def test_person_code_is_upper_cased(self):
        good = person_fiscal_code(501)
        assert v.clean_fiscal_code(good.lower()) == good

    def test_company_code_is_its_vat_number(self):
        good = vat_number(55)
        assert v.clean_fiscal_code(good) == good

    def test_wrong_check_letter(self):
        good = person_fiscal_code(501)
        bad = good[:-1] + ("A" if good[-1] != "A" else "B")
        with pytest.raises(ValidationError) as exc:
            v.clean_fiscal_code(bad)
        assert exc.value.code == "cf_checksum"

    def test_unicode_look_alikes_are_a_format_error(self):
        good = person_fiscal_code(501)
        cyrillic = good.replace("R", "\u0420", 1)  # Cyrillic ER looks like R
        with pytest.raises(ValidationError) as exc:
            v.clean_fiscal_code(cyrillic)
        assert exc.value.code == "cf_format"


class TestImeiAndIccid:
    def test_valid_imei(self):
        assert v.clean_imei("35-209900-176148-1") == "352099001761481"

    def test_imei_bad_check_digit(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_imei("352099001761482")
        assert exc.value.code == "imei_checksum"

    def test_imei_wrong_length(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_imei("3520990017614")
        assert exc.value.code == "imei_format"

    def test_valid_iccid(self):
        good = iccid(42)
        assert v.clean_iccid(good) == good

    def test_iccid_must_be_italian(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_iccid("8944" + iccid(42)[4:])
        assert exc.value.code == "iccid_format"

    def test_iccid_bad_luhn(self):
        good = iccid(42)
        with pytest.raises(ValidationError) as exc:
            v.clean_iccid(good[:-1] + str((int(good[-1]) + 1) % 10))
        assert exc.value.code == "iccid_checksum"


class TestPhoneNumbers:
    @pytest.mark.parametrize("raw", ["3471234567", "+39 347 123 4567", "347 1234567", " +393471234567 "])
    def test_mobile_with_and_without_prefix(self, raw):
        assert v.clean_phone_number(raw, mobile=True) == "+393471234567"

    def test_fixed_number(self):
        assert v.clean_phone_number("02 1234 5678", mobile=False) == "+390212345678"

    def test_fixed_is_not_a_mobile(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_phone_number("0212345678", mobile=True)
        assert exc.value.code == "phone_not_mobile"

    def test_foreign_number_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            v.clean_phone_number("+44 7911 123456")
        assert exc.value.code == "phone_invalid"

    @pytest.mark.parametrize("raw", ["abc", "347-ABC-4567", "", "３４７１２３４５６７"])
    def test_letters_and_fullwidth_digits_are_a_format_error(self, raw):
        with pytest.raises(ValidationError) as exc:
            v.clean_phone_number(raw)
        assert exc.value.code == "phone_format"

    def test_grouped_display(self):
        assert v.format_phone_number("+393471234567") == "+39 347 123 4567"

    @given(st.text(max_size=200))
    def test_any_text_gives_a_number_or_a_validation_error(self, raw):
        try:
            out = v.clean_phone_number(raw)
        except ValidationError:
            return
        assert out.startswith("+39")


class TestCodes:
    def test_sdi_code(self):
        v.validate_sdi_code("ABC1234")
        v.validate_sdi_code("0000000")
        for bad in ["abc1234", "ABC123", "ABC12345", ""]:
            with pytest.raises(ValidationError):
                v.validate_sdi_code(bad)

    def test_pin_and_puk(self):
        v.validate_pin("0123")
        v.validate_puk("01234567")
        with pytest.raises(ValidationError):
            v.validate_pin("12345")
        with pytest.raises(ValidationError):
            v.validate_puk("1234567")
