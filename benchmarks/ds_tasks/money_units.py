"""Money and unit parsing requests: prices, suffixes, percentages, weights, sizes.

Numbers arrive in notebooks as text ("$1,234.50", "(12.00)", "1.2k", "45%", "5 kg",
"1.5 GB"); each request names its formats and the case that must raise, which is
exactly what a solution fitted to one sample forgets.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="clean_prices",
        category="money",
        cell=_src(
            """
            Turn price strings like "$1,234.50" or "(12.00)" into floats; parentheses mean a negative amount. Blank strings become None, and anything else that can't be read as a price raises ValueError.
            >>> clean_prices(["$1.50", "(2)"])
            [1.5, -2.0]
            """
        ),
        hidden=(
            'assert clean_prices(["$1,234.50"]) == [1234.5]',
            'assert clean_prices(["", "   "]) == [None, None]',
            'raises(ValueError, clean_prices, ["12 dollars"])',
            'assert clean_prices(["(12.00)", "$0.99"]) == [-12.0, 0.99]',
            "assert clean_prices([]) == []",
            'assert all(isinstance(v, float) for v in clean_prices(["3", "$4"]))',
        ),
        reference=_src(
            '''
            def clean_prices(values: list[str]) -> list[float | None]:
                """'$1,234.50' -> 1234.5, '(2)' -> -2.0, blank -> None; ValueError otherwise."""
                out: list[float | None] = []
                for raw in values:
                    text = raw.strip()
                    if not text:
                        out.append(None)
                        continue
                    negative = text.startswith("(") and text.endswith(")")
                    if negative:
                        text = text[1:-1]
                    text = text.replace("$", "").replace(",", "").strip()
                    try:
                        value = float(text)
                    except ValueError:
                        raise ValueError(f"cannot read a price from {raw!r}") from None
                    out.append(-value if negative else value)
                return out
            '''
        ),
        near_miss=_src(
            '''
            def clean_prices(values: list[str]) -> list[float]:
                """Strip symbols and turn parentheses into a minus sign."""
                out = []
                for v in values:
                    v = v.replace("$", "").replace(",", "").replace("(", "-").replace(")", "")
                    out.append(float(v))
                return out
            '''
        ),
    ),
    DsTask(
        name="parse_short_number",
        category="money",
        cell=_src(
            """
            Read numbers written with a suffix, 'k' for thousand, 'M' for million and 'B' for billion in either case, and plain numbers like '850' too, returning a float. Any other letter at the end raises ValueError.
            >>> parse_short_number("1.2k")
            1200.0
            >>> parse_short_number("3M")
            3000000.0
            """
        ),
        hidden=(
            'assert parse_short_number("850") == 850.0',
            'assert round(parse_short_number("2.5b")) == 2_500_000_000',
            'assert parse_short_number("1.5K") == 1500.0',
            'assert parse_short_number("0.5m") == 500000.0',
            'raises(ValueError, parse_short_number, "5x")',
            'assert isinstance(parse_short_number("7"), float)',
        ),
        reference=_src(
            '''
            MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9}


            def parse_short_number(text: str) -> float:
                """'1.2k' -> 1200.0, '3M' -> 3e6, '2b' -> 2e9 (any case); other suffixes raise."""
                s = text.strip()
                if s and s[-1].isalpha():
                    suffix = s[-1].lower()
                    if suffix not in MULTIPLIERS:
                        raise ValueError(f"unknown suffix {s[-1]!r} in {text!r}")
                    return float(s[:-1]) * MULTIPLIERS[suffix]
                return float(s)
            '''
        ),
        near_miss=_src(
            '''
            MULTIPLIERS = {"k": 1_000, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


            def parse_short_number(text: str) -> float:
                """Expand a k/M/B suffix."""
                if text[-1] in MULTIPLIERS:
                    return float(text[:-1]) * MULTIPLIERS[text[-1]]
                return float(text)
            '''
        ),
    ),
    DsTask(
        name="parse_percent",
        category="money",
        cell=_src(
            """
            Convert percentage strings to fractions: '45%' is 0.45 and '12.5 %' is 0.125, while a value with no % sign is already a fraction ('0.3' stays 0.3). None or an empty string gives None.
            >>> parse_percent("45%")
            0.45
            """
        ),
        hidden=(
            'assert round(parse_percent("12.5 %"), 9) == 0.125',
            'assert parse_percent("0.3") == 0.3',
            "assert parse_percent(None) is None",
            'assert parse_percent("") is None',
            'assert round(parse_percent("-5%"), 9) == -0.05',
            'assert parse_percent("100%") == 1.0',
        ),
        reference=_src(
            '''
            def parse_percent(value: str | None) -> float | None:
                """'45%' -> 0.45; no '%' means already a fraction; None/'' -> None."""
                if value is None or not value.strip():
                    return None
                text = value.strip()
                if text.endswith("%"):
                    return float(text[:-1].strip()) / 100
                return float(text)
            '''
        ),
        near_miss=_src(
            '''
            def parse_percent(value: str) -> float:
                """Percent string to a fraction."""
                return float(value.replace("%", "").strip()) / 100
            '''
        ),
    ),
    DsTask(
        name="to_grams",
        category="units",
        cell=_src(
            """
            Convert weights like '5 kg', '500 g', '250 mg', '2.5lb' or '12 oz' to grams as a float (1 lb = 453.59237 g, 1 oz = 28.349523125 g); the space and the letter case don't matter. An unknown unit raises ValueError.
            >>> to_grams("5 kg")
            5000.0
            >>> to_grams("500 g")
            500.0
            """
        ),
        hidden=(
            'assert abs(to_grams("2.5lb") - 1133.980925) < 1e-6',
            'assert abs(to_grams("12 OZ") - 340.1942775) < 1e-6',
            'assert abs(to_grams("250 mg") - 0.25) < 1e-9',
            'assert to_grams("1.5KG") == 1500.0',
            'raises(ValueError, to_grams, "3 stone")',
            'raises(ValueError, to_grams, "7 kgs")',
        ),
        reference=_src(
            '''
            import re

            GRAMS = {"mg": 0.001, "g": 1.0, "kg": 1000.0, "lb": 453.59237, "oz": 28.349523125}


            def to_grams(text: str) -> float:
                """'2.5lb' -> 1133.98...; units mg/g/kg/lb/oz in any case; others raise."""
                match = re.fullmatch(r"\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*([A-Za-z]+)\\s*", text)
                if not match:
                    raise ValueError(f"cannot read a weight from {text!r}")
                unit = match.group(2).lower()
                if unit not in GRAMS:
                    raise ValueError(f"unknown weight unit {match.group(2)!r}")
                return float(match.group(1)) * GRAMS[unit]
            '''
        ),
        near_miss=_src(
            '''
            FACTORS = {"mg": 0.001, "g": 1.0, "kg": 1000.0, "lb": 453.59237, "oz": 28.349523125}


            def to_grams(text: str) -> float:
                """Number and unit to grams."""
                number, unit = text.split()
                return float(number) * FACTORS[unit]
            '''
        ),
    ),
    DsTask(
        name="to_celsius",
        category="units",
        cell=_src(
            """
            Convert temperature readings such as '98.6F', '37 °C' or '310.15 K' to degrees Celsius, rounded to 2 decimals. A reading below absolute zero raises ValueError.
            >>> to_celsius("98.6F")
            37.0
            """
        ),
        hidden=(
            'assert to_celsius("37 °C") == 37.0',
            'assert to_celsius("310.15 K") == 37.0',
            'assert to_celsius("-40F") == -40.0',
            'assert to_celsius("0 K") == -273.15',
            'raises(ValueError, to_celsius, "-300C")',
            'raises(ValueError, to_celsius, "-5 K")',
            'assert to_celsius("212 F") == 100.0',
        ),
        reference=_src(
            '''
            import re


            def to_celsius(reading: str) -> float:
                """F, C or K reading to Celsius (2 decimals); below absolute zero raises."""
                match = re.fullmatch(r"\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*°?\\s*([CFKcfk])\\s*", reading)
                if not match:
                    raise ValueError(f"cannot read a temperature from {reading!r}")
                value, unit = float(match.group(1)), match.group(2).upper()
                if unit == "F":
                    celsius = (value - 32) * 5 / 9
                elif unit == "K":
                    celsius = value - 273.15
                else:
                    celsius = value
                if celsius < -273.15:
                    raise ValueError(f"{reading!r} is below absolute zero")
                return round(celsius, 2)
            '''
        ),
        near_miss=_src(
            '''
            import re


            def to_celsius(reading: str) -> float:
                """Fahrenheit or Celsius reading to Celsius."""
                number = float(re.match(r"\\s*(-?[\\d.]+)", reading).group(1))
                if reading.strip().upper().endswith("F"):
                    return round((number - 32) * 5 / 9, 2)
                return round(number, 2)
            '''
        ),
    ),
    DsTask(
        name="parse_file_size",
        category="units",
        cell=_src(
            """
            Turn human-readable file sizes like '1.5 GB', '200KB' or '512 B' into a whole number of bytes, with 1 KB = 1024 bytes and units B, KB, MB, GB and TB in any case. Negative sizes and unknown units raise ValueError.
            >>> parse_file_size("1.5 GB")
            1610612736
            """
        ),
        hidden=(
            'assert parse_file_size("200KB") == 204800',
            'assert parse_file_size("512 B") == 512',
            'assert parse_file_size("2tb") == 2 * 1024**4',
            'assert parse_file_size("1 mb") == 1048576',
            'raises(ValueError, parse_file_size, "-1 KB")',
            'raises(ValueError, parse_file_size, "10 PB")',
            'assert isinstance(parse_file_size("0.5 KB"), int) and parse_file_size("0.5 KB") == 512',
        ),
        reference=_src(
            '''
            import re

            POWERS = {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4}


            def parse_file_size(text: str) -> int:
                """'1.5 GB' -> 1610612736 (1 KB = 1024 B); negative or unknown unit raises."""
                match = re.fullmatch(r"\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*([A-Za-z]+)\\s*", text)
                if not match:
                    raise ValueError(f"cannot read a file size from {text!r}")
                value, unit = float(match.group(1)), match.group(2).lower()
                if unit not in POWERS:
                    raise ValueError(f"unknown size unit {match.group(2)!r}")
                if value < 0:
                    raise ValueError(f"negative file size {text!r}")
                return int(round(value * 1024 ** POWERS[unit]))
            '''
        ),
        near_miss=_src(
            '''
            import re

            POWERS = {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4}


            def parse_file_size(text: str) -> int:
                """Size string to bytes."""
                match = re.match(r"\\s*(-?[\\d.]+)\\s*(\\w+)", text)
                return int(float(match.group(1)) * 1024 ** POWERS[match.group(2).lower()])
            '''
        ),
    ),
    DsTask(
        name="format_money",
        category="money",
        cell=_src(
            """
            Format a number as money: a currency symbol (optional second argument, '$' by default), thousands separators and exactly 2 decimals, so 1234.5 becomes '$1,234.50'. Negative amounts go in parentheses, like '($12.00)'.
            >>> format_money(1234.5)
            '$1,234.50'
            """
        ),
        hidden=(
            'assert format_money(-12) == "($12.00)"',
            'assert format_money(0) == "$0.00"',
            'assert format_money(1234567.891, "€") == "€1,234,567.89"',
            'assert format_money(-0.5) == "($0.50)"',
            'assert format_money(99.999, "£") == "£100.00"',
            'assert format_money(-2500, "€") == "(€2,500.00)"',
        ),
        reference=_src(
            '''
            def format_money(amount: float, symbol: str = "$") -> str:
                """'$1,234.50'; negatives in parentheses: '($12.00)'."""
                text = f"{symbol}{abs(amount):,.2f}"
                return f"({text})" if amount < 0 else text
            '''
        ),
        near_miss=_src(
            '''
            def format_money(amount: float, symbol: str = "$") -> str:
                """Money string with separators and 2 decimals."""
                return f"{symbol}{amount:,.2f}"
            '''
        ),
    ),
    DsTask(
        name="split_amount_currency",
        category="money",
        cell=_src(
            """
            Split money strings like 'USD 1,200.00', '€45' or '12.50 GBP' into (amount as a float, three-letter currency code), reading the symbols $, € and £ as USD, EUR and GBP. Raise ValueError when there's no currency to be found.
            >>> split_amount_currency("USD 1,200.00")
            (1200.0, 'USD')
            """
        ),
        hidden=(
            'assert split_amount_currency("€45") == (45.0, "EUR")',
            'assert split_amount_currency("12.50 GBP") == (12.5, "GBP")',
            'assert split_amount_currency("£3") == (3.0, "GBP")',
            'assert split_amount_currency("$7.25") == (7.25, "USD")',
            'raises(ValueError, split_amount_currency, "100")',
            'assert split_amount_currency("JPY 5,000") == (5000.0, "JPY")',
        ),
        reference=_src(
            '''
            import re

            SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}


            def split_amount_currency(text: str) -> tuple[float, str]:
                """(amount, ISO code) from 'USD 1,200', '€45' or '12.50 GBP'; no currency raises."""
                s = text.strip()
                code = None
                if s[:1] in SYMBOLS:
                    code, s = SYMBOLS[s[0]], s[1:]
                else:
                    match = re.fullmatch(r"([A-Za-z]{3})\\s*(.+)|(.+?)\\s*([A-Za-z]{3})", s)
                    if match:
                        code = (match.group(1) or match.group(4)).upper()
                        s = match.group(2) or match.group(3)
                if code is None:
                    raise ValueError(f"no currency in {text!r}")
                try:
                    amount = float(s.replace(",", "").strip())
                except ValueError:
                    raise ValueError(f"no amount in {text!r}") from None
                return amount, code
            '''
        ),
        near_miss=_src(
            '''
            def split_amount_currency(text: str) -> tuple[float, str]:
                """'USD 1,200.00' -> (1200.0, 'USD')."""
                code, amount = text.split()
                return float(amount.replace(",", "")), code
            '''
        ),
    ),
    DsTask(
        name="convert_distance",
        category="units",
        cell=_src(
            """
            Convert a distance value from one unit to another, with units 'm', 'km', 'mi' and 'ft' (1 mi = 1609.344 m, 1 ft = 0.3048 m). Unknown units raise ValueError, and so do negative distances.
            >>> convert_distance(5, "km", "m")
            5000.0
            """
        ),
        hidden=(
            'assert round(convert_distance(1, "mi", "km"), 6) == 1.609344',
            'assert round(convert_distance(1000, "ft", "m"), 6) == 304.8',
            'assert convert_distance(0, "m", "mi") == 0',
            'raises(ValueError, convert_distance, 1, "km", "yd")',
            'raises(ValueError, convert_distance, -1, "m", "km")',
            'assert round(convert_distance(10000, "ft", "mi"), 6) == round(3048 / 1609.344, 6)',
        ),
        reference=_src(
            '''
            METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}


            def convert_distance(value: float, from_unit: str, to_unit: str) -> float:
                """Convert between m, km, mi and ft; unknown units or negative values raise."""
                if from_unit not in METRES or to_unit not in METRES:
                    raise ValueError(f"units must be among {sorted(METRES)}")
                if value < 0:
                    raise ValueError("a distance cannot be negative")
                return value * METRES[from_unit] / METRES[to_unit]
            '''
        ),
        near_miss=_src(
            '''
            METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}


            def convert_distance(value: float, from_unit: str, to_unit: str) -> float:
                """Convert via metres."""
                return value * METRES[from_unit] / METRES[to_unit]
            '''
        ),
    ),
    DsTask(
        name="to_cents",
        category="money",
        cell=_src(
            """
            Convert money strings to whole cents as an int without float rounding errors, e.g. '$19.99' is 1999, '0.1' is 10 and '1,000' is 100000. More than two decimal places raises ValueError.
            assert to_cents("$19.99") == 1999
            """
        ),
        hidden=(
            'assert to_cents("0.1") == 10',
            'assert to_cents("1,000") == 100000',
            'assert to_cents("$0.29") == 29',
            'raises(ValueError, to_cents, "1.999")',
            'assert isinstance(to_cents("5"), int) and to_cents("5") == 500',
            'raises(ValueError, to_cents, "$2.505")',
        ),
        reference=_src(
            '''
            from decimal import Decimal, InvalidOperation


            def to_cents(text: str) -> int:
                """Exact cents from '$1,234.56'; more than two decimals raises ValueError."""
                cleaned = text.strip().replace("$", "").replace(",", "")
                try:
                    amount = Decimal(cleaned)
                except InvalidOperation:
                    raise ValueError(f"cannot read money from {text!r}") from None
                exponent = amount.as_tuple().exponent
                if not isinstance(exponent, int) or exponent < -2:
                    raise ValueError(f"more than two decimal places in {text!r}")
                return int(amount * 100)
            '''
        ),
        near_miss=_src(
            '''
            def to_cents(text: str) -> int:
                """Money string to cents."""
                return round(float(text.replace("$", "").replace(",", "")) * 100)
            '''
        ),
    ),
]
