"""French number typography for pages, exports and the PDF: thousands grouped by a
narrow no-break space (6 900), a decimal comma, a no-break space before % and €, and
a true minus sign in signed changes (+7 %, U+2212 before a fall)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

THIN = "\u202f"  # narrow no-break space: between groups of thousands
NBSP = "\u00a0"  # no-break space: before % and €
MINUS = "\u2212"
EMPTY = "—"


def _rounded(value: float | int | Decimal, decimals: int) -> Decimal:
    # Half up, as people round (0.125 -> 0.13), not Python's half to even.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value, decimals: int | None = None) -> str:
    """``6900`` -> "6 900", ``4.5`` -> "4,5", ``None`` -> "—". Without ``decimals``, an
    integral value is printed without decimals and another with up to 2."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not amount.is_finite():
        return str(value)
    auto = decimals is None
    if decimals is None:
        decimals = 0 if amount == amount.to_integral_value() else 2
    amount = _rounded(amount, decimals)
    sign = MINUS if amount < 0 else ""
    whole, _dot, fraction = f"{abs(amount):.{decimals}f}".partition(".")
    if auto:  # 2.50 -> "2,5"
        fraction = fraction.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = THIN.join([whole, *groups])
    if fraction:
        text += "," + fraction
    return sign + text


def percent(share, decimals: int = 0) -> str:
    """A share between 0 and 1 as a percentage: ``0.58`` -> "58 %"."""
    if share is None or share == "":
        return EMPTY
    return number(Decimal(str(share)) * 100, decimals) + NBSP + "%"


def change(value, decimals: int = 0) -> str:
    """A change already in %, signed: ``7.0`` -> "+7 %", ``-3.2`` -> "(minus)3 %". A change
    that would round to 0 keeps one decimal ("+0,4 %"); nothing -> ""."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if amount and not _rounded(amount, decimals):
        decimals = 1
    if not _rounded(amount, decimals):
        return "0" + NBSP + "%"
    sign = "+" if amount > 0 else MINUS
    return sign + number(abs(amount), decimals) + NBSP + "%"


def euros(amount, decimals: int | None = None) -> str:
    """An amount in euros: ``1234`` -> "1 234 €", ``12.5`` -> "12,50 €"."""
    if amount is None or amount == "":
        return EMPTY
    if decimals is None:
        value = Decimal(str(amount))
        decimals = 0 if value == value.to_integral_value() else 2
    return number(amount, decimals) + NBSP + "€"


def value(amount, unit: str = "count") -> str:
    """A figure printed as its unit asks (``share``: a percentage, ``euros``: an amount,
    anything else: a number)."""
    if unit == "share":
        return percent(amount)
    if unit == "euros":
        return euros(amount)
    return number(amount)
