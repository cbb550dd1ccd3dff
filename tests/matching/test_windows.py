"""What a collector's reports teach (:mod:`rapprochement.matching.windows`)."""

from __future__ import annotations

from rapprochement.matching.windows import _schedule, payer_key, shape


def test_a_payment_id_shape_keeps_length_classes_and_separators_only() -> None:
    assert shape("ch_3Kq7Lm2Nx9Pa") == shape("ch_3Zz0Aa1Bb2Cc")
    assert shape("302-1234567-1234567") == shape("028-7654321-7654321")
    assert shape("302-1234567-1234567") != shape("3021234567-1234567-")
    assert shape("4QD88NLKWSI72P6FW") != shape("4qd88nlkwsi72p6fw")
    assert shape(None) is None
    assert shape("  ") is None


def test_a_fee_schedule_is_kept_only_when_it_gives_every_report_to_the_cent() -> None:
    def fees(gs: list[int], bp: int, fixed: int) -> int:
        return sum((g * bp + 5000) // 10000 + fixed for g in gs)

    reports = [(gs, fees(gs, 150, 25)) for gs in ([10000, 5000], [8000, 1990, 3500], [990])]
    fee = _schedule(reports)
    assert fee is not None
    assert [fee(g) for g in (10000, 1990, 4900)] == [175, 55, 99]
    # one report whose fees no single schedule explains: no schedule at all
    assert _schedule([*reports, ([10000], 199)]) is None
    assert _schedule(reports[:1]) is None  # one report proves nothing


def test_a_payer_is_its_account_else_its_name() -> None:
    assert payer_key("IE29AIBK93115212345678", "STRIPE") == "IE29AIBK93115212345678"
    assert payer_key(None, "Stripe Payments Europe Ltd") == payer_key("", "STRIPE PAYMENTS EUROPE")
    assert payer_key(None, "") == ""
