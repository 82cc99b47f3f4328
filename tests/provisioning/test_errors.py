"""VendorError's shape and the small parsers behind it."""

from __future__ import annotations

import email.utils
import time

import httpx

from services.provisioning.vendors import VendorError
from services.provisioning.vendors.errors import Redactor, error_from_response, parse_retry_after


def test_a_vendor_error_says_vendor_status_code_and_message() -> None:
    error = VendorError("plesk", 404, "1013", "Object not found.", retryable=False)

    assert str(error) == "plesk 404 [1013]: Object not found."
    assert "retryable=False" in repr(error)


def test_no_response_reads_as_such() -> None:
    error = VendorError("eset", None, "timeout", "no answer within 5s", retryable=True)

    assert str(error) == "eset no response [timeout]: no answer within 5s"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)

    assert parse_retry_after("7") == 7.0
    assert 8 <= (parse_retry_after(in_ten) or 0) <= 10
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_only_408_429_and_5xx_are_retryable() -> None:
    def status(code: int) -> bool:
        return error_from_response("x", httpx.Response(code), None, "").retryable

    assert [status(c) for c in (400, 401, 404, 408, 409, 412, 429, 500, 503)] == [
        False,
        False,
        False,
        True,
        False,
        False,
        True,
        True,
        True,
    ]


def test_the_redactor_blanks_the_longest_secret_first() -> None:
    redact = Redactor(lambda: ["abc", "abcdef", ""])

    assert redact("key=abcdef and abc") == "key=*** and ***"
