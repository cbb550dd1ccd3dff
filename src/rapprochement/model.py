"""The normalized, typed model every part of rapprochement speaks.

Frozen and closed pydantic models (``frozen=True, extra="forbid"``), ``Decimal`` money, signed
amounts with credit (money received) > 0. Parsers produce :class:`Statement`; matching consumes
:class:`Transaction` and :class:`Invoice`; the ledger stores them; dunning reads open items.

An invoice's currency is an ISO 4217 code usable for money
(:func:`rapprochement.money.is_currency`); statements, entries and transactions carry any ISO
4217 code (:func:`rapprochement.money.is_iso_code`): withdrawn ones such as ``DEM`` in old
files, and ``XXX`` when the file states no currency. A model built from bad
values (``Invoice(...)``, ``model_validate``, ``model_validate_json``) raises a typed
:class:`~rapprochement.errors.InputError` naming the model and the field (path included for
nested models): :class:`~rapprochement.errors.CurrencyError`,
:class:`~rapprochement.errors.AmountError`, :class:`~rapprochement.errors.DateError`, else
``InputError``; pydantic's ``ValidationError`` is kept as its ``__cause__``.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from rapprochement import model_text
from rapprochement.compact import CompactEntries
from rapprochement.errors import AmountError, CurrencyError, DateError, InputError
from rapprochement.money import NO_CURRENCY, is_currency, is_iso_code

__all__ = [
    "Balance",
    "Entry",
    "EntryStatus",
    "Finding",
    "Invoice",
    "ReferredDocument",
    "Severity",
    "SourceFormat",
    "SourceRef",
    "Statement",
    "Transaction",
]

EntryStatus = Literal["booked", "pending", "info"]
Severity = Literal["info", "warning", "error"]
SourceFormat = Literal[
    "camt.052", "camt.053", "camt.054", "mt940", "mt942", "ofx", "cfonb120", "csv"
]
#: The name an installed format (``rapprochement.formats`` entry point) gives its statements:
#: lower case, at most 16 characters (the ledger's column).
InstalledFormat = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,15}$")]


def _money_currency(code: str) -> str:
    if code in (NO_CURRENCY, "XTS"):
        raise ValueError(f"{code!r} is no currency (XXX: none stated, XTS: for tests)")
    if not is_currency(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


def _parsed_currency(code: str) -> str:
    if not is_iso_code(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (XXX: none stated)")
    return code


#: An ISO 4217 code usable for money (not XXX, not XTS).
Currency = Annotated[str, AfterValidator(_money_currency)]
#: Any ISO 4217 code, current or withdrawn (``DEM`` in old files), or ``XXX`` when the file
#: states none: what a statement may carry.
ParsedCurrency = Annotated[str, AfterValidator(_parsed_currency)]


class _Depth(threading.local):
    """How many models are being validated in this thread, one inside the other (a plain
    counter: a ContextVar would replace, and free, the context's frozen mapping on each set)."""

    n = 0


_depth = _Depth()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _typed_errors(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Validation errors leave the outermost model as one typed error (nested models'
        errors reach it with their path, as pydantic merges them)."""
        _depth.n += 1
        try:
            return handler(data)
        except ValidationError as exc:
            if _depth.n > 1:
                raise
            raise _typed_error(cls.__name__, exc) from exc
        finally:
            _depth.n -= 1

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """As pydantic's, with malformed JSON a typed error too."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise _typed_error(cls.__name__, exc) from exc


class SourceRef(_Frozen):
    """Where something sits in the original file, so a person can find it."""

    file: str | None = Field(None, description="File name or path as given to the parser.")
    statement_index: int | None = Field(None, description="0-based statement index in the file.")
    line: int | None = Field(None, description="1-based line number (MT940, OFX).")
    xpath: str | None = Field(None, description="XPath of the element (CAMT): Stmt[1]/Ntry[3].")
    member: str | None = Field(None, description="Archive member name when read from a ZIP.")

    def describe(self) -> str:
        """Readable location: ``file.xml (member) Stmt[1]/Ntry[3]`` or ``file.sta line 12``."""
        parts = [p for p in (self.file, f"({self.member})" if self.member else None) if p]
        if self.xpath:
            parts.append(self.xpath)
        if self.line is not None:
            parts.append(f"line {self.line}")
        return " ".join(parts) or "<unknown>"


class Finding(_Frozen):
    """A recoverable problem found in a readable file: the rest of the file still parses."""

    code: str = Field(description="Stable machine code: 'balance-mismatch', 'bad-date'...")
    severity: Severity = Field(description="info, warning or error.")
    message: str = Field(description="What is wrong, in one sentence, with the values involved.")
    source: SourceRef | None = Field(None, description="Where in the file.")


class Balance(_Frozen):
    """A booked balance as the bank states it."""

    amount: Decimal = Field(description="Signed amount: positive = credit balance.")
    date: dt.date | None = Field(None, description="Date the balance refers to.")
    type: str | None = Field(None, description="Bank code: OPBD, PRCD, CLBD, 60F, LEDGERBAL...")
    #: The currency of the statement holding it (set by the statement; not a field).
    _currency: str | None = PrivateAttr(default=None)

    def __str__(self) -> str:
        return model_text.balance_text(self, self._currency)

    def __repr__(self) -> str:
        return f"Balance({self})"

    def __eq__(self, other: object) -> bool:
        # The fields only: the statement's currency, kept for str(), is no part of the value.
        if isinstance(other, Balance):
            return self.__dict__ == other.__dict__
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.amount, self.date, self.type))


class ReferredDocument(_Frozen):
    """A document (usually an invoice) a payment refers to (CAMT RmtInf/Strd/RfrdDocInf)."""

    number: str | None = Field(None, description="Document number (RfrdDocInf/Nb).")
    type: str | None = Field(None, description="Document type code (CINV, CREN, ...).")
    date: dt.date | None = Field(None, description="Document date (RfrdDocInf/RltdDt).")
    amount: Decimal | None = Field(None, description="Amount remitted for it (RfrdDocAmt/RmtdAmt).")
    due_amount: Decimal | None = Field(None, description="Amount due (RfrdDocAmt/DuePyblAmt).")
    discount: Decimal | None = Field(None, description="Discount applied (DscntApldAmt).")
    credit_note_amount: Decimal | None = Field(None, description="Credit note amount (CdtNoteAmt).")
    adjustment: Decimal | None = Field(None, description="Adjustment amount (AdjstmntAmtAndRsn).")
    creditor_reference: str | None = Field(None, description="Creditor reference in the same Strd.")


class Transaction(_Frozen):
    """One payment inside an entry (a batch entry holds several)."""

    amount: Decimal = Field(description="Signed amount, credit (money received) > 0.")
    currency: ParsedCurrency = Field(description="ISO 4217 code of amount (XXX: none stated).")
    counterparty_name: str | None = Field(None, description="Payer (credit) or payee (debit).")
    counterparty_iban: str | None = Field(None, description="Counterparty IBAN, compact form.")
    counterparty_account: str | None = Field(None, description="Non-IBAN account number.")
    counterparty_bic: str | None = Field(None, description="Counterparty bank BIC.")
    ultimate_party_name: str | None = Field(None, description="Ultimate debtor/creditor name.")
    remittance_info: str = Field("", description="Unstructured remittance re-joined, spaces kept.")
    remittance_lines: tuple[str, ...] = Field((), description="Remittance as the bank split it.")
    structured_reference: str | None = Field(None, description="Creditor reference (RF, OGM...).")
    referred_documents: tuple[ReferredDocument, ...] = Field((), description="Referred documents.")
    end_to_end_id: str | None = Field(None, description="SEPA end-to-end id (EREF).")
    mandate_id: str | None = Field(None, description="Direct-debit mandate id (MREF).")
    creditor_id: str | None = Field(None, description="SEPA creditor identifier (CRED).")
    instruction_id: str | None = Field(None, description="Instruction or payment id.")
    bank_reference: str | None = Field(None, description="Bank's reference for this detail.")
    purpose: str | None = Field(None, description="Purpose code or text (PURP).")
    return_reason: str | None = Field(None, description="Return/reject reason code.")
    charges: Decimal | None = Field(None, description="Charges taken, positive (Chrgs).")
    instructed_amount: Decimal | None = Field(None, description="Amount as instructed (InstdAmt).")
    instructed_currency: ParsedCurrency | None = Field(
        None, description="Currency of instructed_amount."
    )
    exchange_rate: Decimal | None = Field(None, description="FX rate applied (CcyXchg/XchgRate).")
    extra: dict[str, str] = Field(default_factory=dict, description="Other fields kept verbatim.")


class Entry(_Frozen):
    """One line of the statement as the bank shows it (CAMT Ntry, MT940 :61:, OFX STMTTRN)."""

    amount: Decimal = Field(description="Signed booked amount, credit > 0 (reversals included).")
    currency: ParsedCurrency = Field(description="ISO 4217 code of amount (XXX: none stated).")
    booking_date: dt.date | None = Field(None, description="Booking (entry) date.")
    value_date: dt.date | None = Field(None, description="Value date.")
    status: EntryStatus = Field("booked", description="booked, pending or info.")
    reversal: bool = Field(False, description="True for a reversal (RC/RD, RvslInd).")
    bank_transaction_code: str | None = Field(None, description="BkTxCd, MT940 type, TRNTYPE.")
    bank_reference: str | None = Field(None, description="AcctSvcrRef, MT940 bank ref, FITID.")
    customer_reference: str | None = Field(None, description="MT940 customer ref, NtryRef.")
    additional_info: str | None = Field(None, description="AddtlNtryInf or raw :86: text.")
    is_batch: bool = Field(False, description="True when the entry is a batch of payments.")
    batch_count: int | None = Field(None, description="Number of payments the bank says it holds.")
    transactions: tuple[Transaction, ...] = Field(description="One or more payment details.")
    source: SourceRef = Field(description="Where the entry is in the original file.")
    fingerprint: str = Field("", description="Stable id: same line imported twice, same value.")
    charges: Decimal | None = Field(
        None,
        description="Charges the bank states on the entry as a whole (CAMT Ntry/Chrgs), positive; "
        "a detail's own charges are on its transaction.",
    )

    def __str__(self) -> str:
        return model_text.entry_text(self)

    def __repr__(self) -> str:
        return f"Entry({self})"


class Statement(_Frozen):
    """A bank statement (or report, or notification) for one account and period."""

    account_iban: str | None = Field(None, description="Account IBAN, compact form.")
    account_number: str | None = Field(None, description="Account id when not an IBAN.")
    account_bic: str | None = Field(None, description="Account servicer BIC.")
    account_owner: str | None = Field(None, description="Account owner name.")
    currency: ParsedCurrency | None = Field(None, description="Account currency (ISO 4217).")
    statement_id: str | None = Field(None, description="Statement id (CAMT Id, MT940 :20:).")
    sequence: str | None = Field(None, description="Sequence (ElctrncSeqNb, :28C:).")
    created_at: dt.datetime | None = Field(None, description="Creation time (CreDtTm, DTSERVER).")
    period_start: dt.date | None = Field(None, description="First day covered.")
    period_end: dt.date | None = Field(None, description="Last day covered.")
    opening_balance: Balance | None = Field(None, description="Opening booked (OPBD, else PRCD).")
    closing_balance: Balance | None = Field(None, description="Closing booked (CLBD, 62F/M...).")
    available_balance: Balance | None = Field(None, description="Closing available (CLAV, :64:).")
    other_balances: tuple[Balance, ...] = Field((), description="Other balances stated.")
    entries: tuple[Entry, ...] | CompactEntries = Field(
        (),
        description="Entries in file order: a tuple, or for a large statement read from a"
        " file an equal CompactEntries sequence (see rapprochement.compact).",
    )
    source_format: SourceFormat | InstalledFormat = Field(
        description="camt.053, mt940, ofx... or the name of an installed format."
    )
    source_version: str | None = Field(None, description="E.g. camt.053.001.08, OFX 102.")
    source: SourceRef = Field(description="Where the statement is in the original file.")
    findings: tuple[Finding, ...] = Field((), description="Recoverable problems found.")

    def model_post_init(self, context: Any, /) -> None:
        """Balances read in the statement's currency (``str(st.closing_balance)``)."""
        for bal in (self.opening_balance, self.closing_balance, self.available_balance,
                    *self.other_balances):  # fmt: skip
            if bal is not None and bal._currency is None:
                bal._currency = self.currency

    def __str__(self) -> str:
        return model_text.statement_text(self)

    def __repr__(self) -> str:
        return f"Statement({self})"

    @property
    def account(self) -> str | None:
        """IBAN when known, else the account number."""
        return self.account_iban or self.account_number

    @property
    def booked_entries(self) -> tuple[Entry, ...]:
        """Entries with status ``booked``."""
        return tuple(e for e in self.entries if e.status == "booked")

    @property
    def total_credits(self) -> Decimal:
        """Sum of booked credit entries (positive)."""
        return sum((e.amount for e in self.booked_entries if e.amount > 0), Decimal(0))

    @property
    def total_debits(self) -> Decimal:
        """Sum of booked debit entries, as a positive number."""
        return -sum((e.amount for e in self.booked_entries if e.amount < 0), Decimal(0))

    def balance_difference(self) -> Decimal | None:
        """closing - (opening + credits - debits), or None when a balance is missing."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        expected = self.opening_balance.amount + self.total_credits - self.total_debits
        return self.closing_balance.amount - expected

    def reconciles(self) -> bool | None:
        """True when opening + booked entries == closing exactly; None without both balances."""
        diff = self.balance_difference()
        return None if diff is None else diff == 0


class Invoice(_Frozen):
    """An open item: an invoice (amount > 0) or a credit note (amount < 0)."""

    invoice_id: str = Field(description="Unique id of the invoice in the user's books.")
    customer_id: str = Field(description="Customer (or supplier) id.")
    customer_name: str = Field(description="Customer name as in the books.")
    amount: Decimal = Field(description="Gross amount; negative for a credit note.")
    currency: Currency = Field(description="ISO 4217 code (not XXX).")
    issue_date: dt.date = Field(description="Invoice date.")
    due_date: dt.date | None = Field(None, description="Due date; None when not yet known.")
    open_amount: Decimal | None = Field(None, description="Remaining open amount (default amount).")
    reference: str | None = Field(None, description="Payment reference printed on the invoice.")
    customer_iban: str | None = Field(None, description="A known IBAN of the customer.")

    @property
    def remaining(self) -> Decimal:
        """Open amount, defaulting to the full amount."""
        return self.amount if self.open_amount is None else self.open_amount


_MODELS = (SourceRef, Finding, Balance, ReferredDocument, Transaction, Entry, Statement, Invoice)
_HINTS: dict[type[InputError], str] = {
    CurrencyError: "use an ISO 4217 code such as EUR",
    AmountError: "give a Decimal or text such as '1234.56'",
    DateError: "give a datetime.date or ISO text such as 2026-03-31",
    InputError: "see the model's fields: help(rapprochement.{model})",
}


def _field_kinds() -> dict[str, type[InputError]]:
    """Field name → the error its bad values raise (names mean the same in every model)."""
    kinds: dict[str, type[InputError]] = {}
    for model in _MODELS:
        for name, field in model.model_fields.items():
            ann = str(field.annotation)
            if "currency" in name:
                kinds[name] = CurrencyError
            elif "Decimal" in ann:
                kinds[name] = AmountError
            elif "datetime." in ann:
                kinds[name] = DateError
    return kinds


_FIELD_KINDS = _field_kinds()


def _path(loc: tuple[int | str, ...]) -> str:
    # A union's member (``tuple[...]`` of Statement.entries) is not a place: left out.
    return "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc if not _is_member(p)
    ).lstrip(".")


def _is_member(part: int | str) -> bool:
    return isinstance(part, str) and not part.isidentifier()


def _typed_error(model: str, exc: ValidationError) -> InputError:
    """One typed error for all of ``exc``'s problems, of the kind of the first one."""
    errors = exc.errors(include_url=False)
    parts = []
    for n, e in enumerate(errors[:5]):
        msg = str(e["msg"]).removeprefix("Value error, ")
        shown = "" if e["type"] == "missing" else f" (got {_short(e.get('input'))})"
        parts.append(f"{msg}{shown}" if n == 0 else f"{_path(e['loc'])}: {msg}{shown}")
    more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
    loc = errors[0]["loc"] if errors else ()
    leaf = next((p for p in reversed(loc) if isinstance(p, str) and p in _FIELD_KINDS), "")
    kind = _FIELD_KINDS.get(leaf, InputError)
    return kind(
        f"{'; '.join(parts)}{more}",
        file=model,
        location=f"field {_path(loc)}" if loc else None,
        hint=_HINTS[kind].format(model=model),
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
