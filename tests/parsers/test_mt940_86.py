"""The :86: dialects and the wrap-join rule, one behaviour per test."""

from __future__ import annotations

from rapprochement.parsers.mt940.field86 import (
    LINE_WIDTH,
    SUBFIELD_WIDTH,
    join_wrapped,
    parse_86,
    split_sepa_keywords,
    structured_reference,
)


class TestJoinWrapped:
    def test_a_line_that_fills_the_width_was_cut_mid_word_and_joins_without_space(self) -> None:
        first = "Rechnung 2023-1234 Lieferung vom 01.02.2023 Kundennummer 4711 Ver"
        assert len(first) == LINE_WIDTH
        assert join_wrapped([first, "sand"], LINE_WIDTH) == first + "sand"

    def test_a_shorter_line_ended_a_word_and_joins_with_one_space(self) -> None:
        assert join_wrapped(["Rechnung 12", "Danke"], LINE_WIDTH) == "Rechnung 12 Danke"

    def test_spaces_already_at_the_break_are_kept_and_none_added(self) -> None:
        assert join_wrapped(["OD: ", "FIRMA"], LINE_WIDTH) == "OD: FIRMA"
        assert join_wrapped(["OD:", " FIRMA"], LINE_WIDTH) == "OD: FIRMA"
        assert join_wrapped(["A  ", "B"], LINE_WIDTH) == "A  B"

    def test_first_line_width_counts_the_tag_when_given(self) -> None:
        first = "x" * (LINE_WIDTH - 4)
        assert join_wrapped([first, "y"], LINE_WIDTH, LINE_WIDTH - 4) == first + "y"
        assert join_wrapped([first, "y"], LINE_WIDTH) == first + " y"

    def test_subfield_width_is_27(self) -> None:
        assert join_wrapped(["x" * SUBFIELD_WIDTH, "y"], SUBFIELD_WIDTH).endswith("xy")


class TestGerman:
    def test_subfields_map_to_transaction_fields(self) -> None:
        f = parse_86(
            [
                "166?00GUTSCHRIFT?100399?20Rechnung 42?30COBADEFFXXX?31DE89370400440532013000"
                "?32Erika Mustermann?34997"
            ],
            credit=True,
        )
        assert f["remittance_info"] == "Rechnung 42"
        assert f["counterparty_bic"] == "COBADEFFXXX"
        assert f["counterparty_iban"] == "DE89370400440532013000"
        assert f["counterparty_name"] == "Erika Mustermann"
        assert f["extra"] == {
            "gvc": "166",
            "posting_text": "GUTSCHRIFT",
            "prima_nota": "0399",
            "text_key_ext": "997",
        }

    def test_sepa_keywords_glued_across_subfields_are_split(self) -> None:
        f = parse_86(
            [
                "105?20EREF+E2E-1?21MREF+M-9?22CRED+DE98ZZZ09999999999?23SVWZ+Beitrag ",
                "?24Januar?25ABWA+Ultimo GmbH?31DE12",
            ],
            credit=False,
        )
        assert f["end_to_end_id"] == "E2E-1"
        assert f["mandate_id"] == "M-9"
        assert f["creditor_id"] == "DE98ZZZ09999999999"
        assert f["remittance_info"] == "Beitrag Januar"
        assert f["ultimate_party_name"] == "Ultimo GmbH"
        assert f["counterparty_account"] == "DE12"

    def test_keyword_cut_in_two_by_a_full_subfield_is_rejoined(self) -> None:
        sub20 = "EREF+ABCDEFGHIJKLMNOPQRSTSV"
        assert len(sub20) == SUBFIELD_WIDTH
        f = parse_86([f"166?20{sub20}?21WZ+Rechnung 5"], credit=True)
        assert f["end_to_end_id"] == "ABCDEFGHIJKLMNOPQRST"
        assert f["remittance_info"] == "Rechnung 5"

    def test_name_cut_over_32_and_33_is_rejoined(self) -> None:
        f = parse_86(["166?32Max Mustermann Handelsgesel?33lschaft mbH"], credit=True)
        assert f["counterparty_name"] == "Max Mustermann Handelsgesellschaft mbH"

    def test_lines_are_joined_without_separator_in_the_subfield_dialect(self) -> None:
        f = parse_86(["166?20Rechnung 1?2", "1und 2?32Name"], credit=True)
        assert f["remittance_lines"] == ("Rechnung 1", "und 2")
        assert f["remittance_info"] == "Rechnung 1 und 2"

    def test_no_svwz_keeps_the_whole_text(self) -> None:
        f = parse_86(["191?20KREF+TFNr 01022?21MTLG:Datei mit 1 Zahlung"], credit=False)
        assert f["remittance_info"] == "KREF+TFNr 01022 MTLG:Datei mit 1 Zahlung"

    def test_notprovided_is_not_an_end_to_end_id(self) -> None:
        f = parse_86(["166?20EREF+NOTPROVIDED?21SVWZ+x"], credit=True)
        assert "end_to_end_id" not in f


class TestDutch:
    def test_ing_ordp_name_iban_remi(self) -> None:
        f = parse_86(
            [
                "/EREF/E2E-7//ORDP//NAME/Jansen B.V./ID/123/IBAN/NL91ABNA0417164300/BIC/ABNANL2A"
                "/REMI/Factuur 2023-1/"
            ],
            credit=True,
        )
        assert f["end_to_end_id"] == "E2E-7"
        assert f["counterparty_name"] == "Jansen B.V."
        assert f["counterparty_iban"] == "NL91ABNA0417164300"
        assert f["counterparty_bic"] == "ABNANL2A"
        assert f["remittance_info"] == "Factuur 2023-1"

    def test_abn_trtp_layout(self) -> None:
        f = parse_86(
            [
                "/TRTP/SEPA OVERBOEKING/IBAN/NL86INGB0002445588/BIC/INGBNL2A/NAME/BELASTINGDIENST"
                "/REMI/Aanslag 42/EREF/NOTPROVIDED"
            ],
            credit=False,
        )
        assert f["counterparty_name"] == "BELASTINGDIENST"
        assert f["remittance_info"] == "Aanslag 42"
        assert f["extra"]["TRTP"] == "SEPA OVERBOEKING"
        assert "end_to_end_id" not in f

    def test_slashes_inside_a_value_are_kept(self) -> None:
        f = parse_86(["/REMI/NR.201303-111/11.3.2013/ISDT/2013-04-03"], credit=True)
        assert f["remittance_info"] == "NR.201303-111/11.3.2013"

    def test_mandate_creditor_and_beneficiary(self) -> None:
        f = parse_86(
            ["/EREF/X//MARF/MND-42//CSID/NL32ZZZ999999991234//BENM//NAME/Energie BV/"], credit=False
        )
        assert (f["mandate_id"], f["creditor_id"], f["counterparty_name"]) == (
            "MND-42",
            "NL32ZZZ999999991234",
            "Energie BV",
        )

    def test_ultimate_party_is_not_the_counterparty(self) -> None:
        f = parse_86(["/ORDP//NAME/Payer/ULTD//NAME/Real Debtor/REMI/x/"], credit=True)
        assert f["counterparty_name"] == "Payer"
        assert f["ultimate_party_name"] == "Real Debtor"

    def test_structured_reference_forms(self) -> None:
        assert parse_86(["/REMI/STRD/CUR/1234567890123456/"], True)["structured_reference"] == (
            "1234567890123456"
        )
        f = parse_86(["/REMI/CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/RF18539007547034/"], True)
        assert f["structured_reference"] == "RF18539007547034"

    def test_key_cut_by_the_line_width_is_rejoined(self) -> None:
        first = "/EREF/REF17//ORDP//NAME/AAAAAA RRRRRRRRRRR BBBBBB DFDFDFDFDFDFDF CCC/REM"
        f = parse_86([first[:LINE_WIDTH], first[LINE_WIDTH:] + "I/Betaling 5/"], credit=True)
        assert f["remittance_info"] == "Betaling 5"


class TestFreeText:
    def test_whole_text_is_the_remittance(self) -> None:
        f = parse_86(["Miete Januar", "Wohnung 3"], credit=False)
        assert f["remittance_info"] == "Miete Januar Wohnung 3"
        assert f["remittance_lines"] == ("Miete Januar", "Wohnung 3")

    def test_rf_reference_found_and_validated(self) -> None:
        assert parse_86(["Zahlung RF18 5390 0754 7034"], True)["structured_reference"] == (
            "RF18539007547034"
        )
        assert "structured_reference" not in parse_86(["Zahlung RF19 5390 0754 7034"], True)

    def test_sepa_keywords_in_free_text(self) -> None:
        f = parse_86(["EREF+123 SVWZ+Rechnung 9"], credit=True)
        assert (f["end_to_end_id"], f["remittance_info"]) == ("123", "Rechnung 9")


def test_split_sepa_keywords_returns_head_and_values() -> None:
    assert split_sepa_keywords("Lohn EREF+1 SVWZ+Januar") == (
        "Lohn",
        {"EREF": "1", "SVWZ": "Januar"},
    )
    assert split_sepa_keywords("no keywords") == ("no keywords", {})


def test_structured_reference_requires_a_valid_check() -> None:
    assert structured_reference("RF18539007547034") == "RF18539007547034"
    assert structured_reference("RF00 0000") is None


class TestPolish:
    def test_mbank_account_name_and_title(self) -> None:
        f = parse_86(
            [
                "970 PRZELEW WEWNĘTRZNY; Z RACH.: 14180010150000000000123456; OD:",
                "FIRMA 9 SP. Z O.O.; TYT.: ZAPŁATA ZA FAKTURĘ NR 9/2007; TNR:",
                "145410009246772.000001",
            ],
            credit=True,
        )
        assert f["counterparty_iban"] == "PL14180010150000000000123456"
        assert f["counterparty_name"] == "FIRMA 9 SP. Z O.O."
        assert f["remittance_info"] == "ZAPŁATA ZA FAKTURĘ NR 9/2007"
        assert f["extra"]["TNR"] == "145410009246772.000001"

    def test_without_title_the_whole_text_is_the_remittance(self) -> None:
        f = parse_86(["843 OPŁATA POCZTOWA: NORM; TNR: 1454"], credit=False)
        assert f["remittance_info"] == "843 OPŁATA POCZTOWA: NORM; TNR: 1454"
