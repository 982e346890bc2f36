"""Date and time requests: mixed formats, durations, ISO weeks, ages, business days.

Calendar code is where "works on my sample" hides the most: ISO years at new
year, month ends, birthdays not reached yet, 12 am. Nothing depends on today:
a task that needs a reference date takes it as an argument.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="parse_any_date",
        category="dates",
        cell=_src(
            """
            Parse a date written as '2024-03-15', '15/03/2024' (day first), 'Mar 15, 2024' or '15 March 2024' into a datetime.date. Anything else raises ValueError.
            >>> parse_any_date("15/03/2024")
            datetime.date(2024, 3, 15)
            """
        ),
        hidden=(
            "from datetime import date\nassert parse_any_date('2024-03-15') == date(2024, 3, 15)",
            "from datetime import date\nassert parse_any_date('Mar 5, 2024') == date(2024, 3, 5)",
            "from datetime import date\nassert parse_any_date('5 March 2024') == date(2024, 3, 5)",
            "from datetime import date\nassert parse_any_date('01/02/2024') == date(2024, 2, 1)",
            'raises(ValueError, parse_any_date, "2024/13/45")',
            'raises(ValueError, parse_any_date, "yesterday")',
        ),
        reference=_src(
            '''
            from datetime import date, datetime

            FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y", "%d %B %Y")


            def parse_any_date(text: str) -> date:
                """A date from ISO, day-first d/m/Y, 'Mar 15, 2024' or '15 March 2024'."""
                for fmt in FORMATS:
                    try:
                        return datetime.strptime(text.strip(), fmt).date()
                    except ValueError:
                        continue
                raise ValueError(f"unrecognised date {text!r}")
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date, datetime


            def parse_any_date(text: str) -> date:
                """Try the usual formats."""
                for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"):
                    try:
                        return datetime.strptime(text, fmt).date()
                    except ValueError:
                        pass
                raise ValueError(text)
            '''
        ),
    ),
    DsTask(
        name="parse_duration",
        category="dates",
        cell=_src(
            """
            Turn durations such as '1h 30m', '45s', '2h', '1h 5m 10s' or clock style '01:30:00' (h:mm:ss) and '05:10' (mm:ss) into total seconds as an int. Empty or unrecognised text raises ValueError.
            >>> parse_duration("1h 30m")
            5400
            """
        ),
        hidden=(
            'assert parse_duration("01:30:00") == 5400',
            'assert parse_duration("05:10") == 310',
            'assert parse_duration("45s") == 45',
            'assert parse_duration("1h 5m 10s") == 3910',
            'assert parse_duration("2h") == 7200',
            'raises(ValueError, parse_duration, "")',
            'raises(ValueError, parse_duration, "ten minutes")',
        ),
        reference=_src(
            '''
            import re


            def parse_duration(text: str) -> int:
                """Seconds from '1h 30m'-style or 'h:mm:ss' / 'mm:ss' text; anything else raises."""
                s = text.strip().lower()
                clock = re.fullmatch(r"(\\d+):(\\d{2})(?::(\\d{2}))?", s)
                if clock:
                    first, second, third = clock.groups()
                    if third is None:
                        return int(first) * 60 + int(second)
                    return int(first) * 3600 + int(second) * 60 + int(third)
                units = re.fullmatch(r"(?:(\\d+)\\s*h)?\\s*(?:(\\d+)\\s*m)?\\s*(?:(\\d+)\\s*s)?", s)
                if not s or units is None or not any(units.groups()):
                    raise ValueError(f"unrecognised duration {text!r}")
                hours, minutes, seconds = (int(g) if g else 0 for g in units.groups())
                return hours * 3600 + minutes * 60 + seconds
            '''
        ),
        near_miss=_src(
            '''
            import re


            def parse_duration(text: str) -> int:
                """Add up the h/m/s parts."""
                total = 0
                for amount, unit in re.findall(r"(\\d+)\\s*([hms])", text.lower()):
                    total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
                return total
            '''
        ),
    ),
    DsTask(
        name="iso_week_label",
        category="dates",
        cell=_src(
            """
            Give the ISO year-week label 'YYYY-Www' of a date, which may be a date object or an ISO string. Use the ISO year, so early-January days can belong to the last week of the previous year and late-December days to week 1 of the next.
            >>> iso_week_label("2024-03-15")
            '2024-W11'
            """
        ),
        hidden=(
            'assert iso_week_label("2021-01-01") == "2020-W53"',
            'assert iso_week_label("2024-12-30") == "2025-W01"',
            "from datetime import date\nassert iso_week_label(date(2024, 1, 5)) == '2024-W01'",
            'assert iso_week_label("2019-12-31") == "2020-W01"',
            "from datetime import date\nassert iso_week_label(date(2023, 1, 1)) == '2022-W52'",
        ),
        reference=_src(
            '''
            from datetime import date


            def iso_week_label(day: date | str) -> str:
                """'YYYY-Www' with the ISO year (2021-01-01 -> '2020-W53')."""
                if isinstance(day, str):
                    day = date.fromisoformat(day)
                year, week, _ = day.isocalendar()
                return f"{year}-W{week:02d}"
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date


            def iso_week_label(day: date | str) -> str:
                """Year and ISO week number."""
                if isinstance(day, str):
                    day = date.fromisoformat(day)
                return f"{day.year}-W{day.isocalendar()[1]:02d}"
            '''
        ),
    ),
    DsTask(
        name="age_on",
        category="dates",
        cell=_src(
            """
            Compute someone's age in whole years on a given reference date; both dates come as date objects or 'YYYY-MM-DD' strings, and a birthday only counts once it has been reached that year. A birth date after the reference date raises ValueError.
            >>> age_on("1990-06-15", "2024-06-14")
            33
            """
        ),
        hidden=(
            'assert age_on("1990-06-15", "2024-06-15") == 34',
            "from datetime import date\nassert age_on(date(2000, 12, 31), date(2023, 12, 30)) == 22",
            "from datetime import date\nassert age_on(date(2000, 2, 29), date(2023, 3, 1)) == 23",
            'raises(ValueError, age_on, "2025-01-01", "2024-01-01")',
            'assert age_on("2024-05-05", "2024-05-05") == 0',
            "from datetime import date\nassert age_on(date(1980, 1, 1), '2000-01-01') == 20",
        ),
        reference=_src(
            '''
            from datetime import date


            def _as_date(value: date | str) -> date:
                return date.fromisoformat(value) if isinstance(value, str) else value


            def age_on(birth: date | str, reference: date | str) -> int:
                """Whole years on ``reference``; a birth after it raises ValueError."""
                born, ref = _as_date(birth), _as_date(reference)
                if born > ref:
                    raise ValueError("the birth date is after the reference date")
                return ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
            '''
        ),
        near_miss=_src(
            '''
            from datetime import datetime


            def age_on(birth: str, reference: str) -> int:
                """Age in years at the reference date."""
                b = datetime.strptime(birth, "%Y-%m-%d")
                r = datetime.strptime(reference, "%Y-%m-%d")
                age = r.year - b.year
                if (r.month, r.day) < (b.month, b.day):
                    age -= 1
                return age
            '''
        ),
    ),
    DsTask(
        name="business_days_between",
        category="dates",
        cell=_src(
            """
            Count the business days (Monday to Friday) from a start date to an end date, both included, skipping any dates in an optional list of holidays; all dates are 'YYYY-MM-DD' strings. If the end is before the start, return 0.
            >>> business_days_between("2024-03-01", "2024-03-08")
            6
            """
        ),
        hidden=(
            'assert business_days_between("2024-03-01", "2024-03-08", ["2024-03-04"]) == 5',
            'assert business_days_between("2024-03-08", "2024-03-01") == 0',
            'assert business_days_between("2024-03-02", "2024-03-03") == 0',
            'assert business_days_between("2024-03-05", "2024-03-05") == 1',
            'assert business_days_between("2024-03-01", "2024-03-08", ["2024-03-02"]) == 6',
            'assert business_days_between("2024-01-01", "2024-01-31") == 23',
        ),
        reference=_src(
            '''
            from collections.abc import Iterable
            from datetime import date, timedelta


            def business_days_between(
                start: str, end: str, holidays: Iterable[str] | None = None
            ) -> int:
                """Mon-Fri days in [start, end], minus holidays; 0 if end < start."""
                first, last = date.fromisoformat(start), date.fromisoformat(end)
                skip = {date.fromisoformat(h) for h in holidays or ()}
                count, day = 0, first
                while day <= last:
                    if day.weekday() < 5 and day not in skip:
                        count += 1
                    day += timedelta(days=1)
                return count
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date, timedelta


            def business_days_between(start, end, holidays=None):
                """Weekdays between two dates, minus holidays."""
                s, e = date.fromisoformat(start), date.fromisoformat(end)
                days = sum(
                    1 for i in range((e - s).days + 1) if (s + timedelta(days=i)).weekday() < 5
                )
                return days - len(holidays or [])
            '''
        ),
    ),
    DsTask(
        name="fiscal_quarter",
        category="dates",
        cell=_src(
            """
            Label an ISO date string with its fiscal quarter like 'FY2025-Q1': the fiscal year starts in April unless another start month is given as the second argument, and it is named after the calendar year in which it ends (so with a January start it's just the calendar year).
            >>> fiscal_quarter("2024-05-20")
            'FY2025-Q1'
            """
        ),
        hidden=(
            'assert fiscal_quarter("2024-01-15") == "FY2024-Q4"',
            'assert fiscal_quarter("2024-03-31") == "FY2024-Q4"',
            'assert fiscal_quarter("2024-10-01") == "FY2025-Q3"',
            'assert fiscal_quarter("2024-05-20", 1) == "FY2024-Q2"',
            'assert fiscal_quarter("2024-07-01", 7) == "FY2025-Q1"',
            'assert fiscal_quarter("2024-06-30", 7) == "FY2024-Q4"',
            'assert fiscal_quarter("2024-04-01") == "FY2025-Q1"',
        ),
        reference=_src(
            '''
            from datetime import date


            def fiscal_quarter(day: str, start_month: int = 4) -> str:
                """'FY<year it ends>-Q<n>' for a fiscal year starting in ``start_month``."""
                d = date.fromisoformat(day)
                quarter = (d.month - start_month) % 12 // 3 + 1
                year = d.year + 1 if start_month > 1 and d.month >= start_month else d.year
                return f"FY{year}-Q{quarter}"
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date


            def fiscal_quarter(day: str, start_month: int = 4) -> str:
                """Fiscal year label and quarter."""
                d = date.fromisoformat(day)
                quarter = (d.month - start_month) % 12 // 3 + 1
                year = d.year + 1 if d.month >= start_month else d.year
                return f"FY{year}-Q{quarter}"
            '''
        ),
    ),
    DsTask(
        name="time_of_day",
        category="dates",
        cell=_src(
            """
            Label a clock time as 'night' (hours 0-5), 'morning' (6-11), 'afternoon' (12-17) or 'evening' (18-23); times come as 24-hour 'HH:MM' or 12-hour with am/pm like '7:45 pm'. An impossible time such as '25:00' raises ValueError.
            >>> time_of_day("07:30")
            'morning'
            """
        ),
        hidden=(
            'assert time_of_day("12:00") == "afternoon"',
            'assert time_of_day("7:45 pm") == "evening"',
            'assert time_of_day("12:15 am") == "night"',
            'assert time_of_day("12:30 pm") == "afternoon"',
            'assert time_of_day("23:59") == "evening"',
            'assert time_of_day("5:59") == "night"',
            'raises(ValueError, time_of_day, "25:00")',
            'raises(ValueError, time_of_day, "10:75")',
        ),
        reference=_src(
            '''
            import re


            def time_of_day(text: str) -> str:
                """night/morning/afternoon/evening for 'HH:MM' or 'h:mm am/pm'."""
                match = re.fullmatch(r"\\s*(\\d{1,2}):(\\d{2})\\s*([ap]\\.?m\\.?)?\\s*", text.lower())
                if not match:
                    raise ValueError(f"unrecognised time {text!r}")
                hour, minute, suffix = int(match.group(1)), int(match.group(2)), match.group(3)
                if suffix:
                    if not 1 <= hour <= 12:
                        raise ValueError(f"impossible time {text!r}")
                    hour = hour % 12 + (12 if suffix.startswith("p") else 0)
                if not (0 <= hour <= 23 and 0 <= minute <= 59):
                    raise ValueError(f"impossible time {text!r}")
                if hour < 6:
                    return "night"
                if hour < 12:
                    return "morning"
                if hour < 18:
                    return "afternoon"
                return "evening"
            '''
        ),
        near_miss=_src(
            '''
            def time_of_day(text: str) -> str:
                """Bucket the hour."""
                hour = int(text.strip().split(":")[0])
                if hour < 6:
                    return "night"
                if hour < 12:
                    return "morning"
                if hour < 18:
                    return "afternoon"
                return "evening"
            '''
        ),
    ),
    DsTask(
        name="add_months",
        category="dates",
        cell=_src(
            """
            Add a number of months to an ISO date string and return an ISO date string; negative numbers go back in time. When the day doesn't exist in the target month, use that month's last day.
            >>> add_months("2024-01-15", 2)
            '2024-03-15'
            """
        ),
        hidden=(
            'assert add_months("2024-01-31", 1) == "2024-02-29"',
            'assert add_months("2023-01-31", 1) == "2023-02-28"',
            'assert add_months("2024-03-31", -1) == "2024-02-29"',
            'assert add_months("2024-11-30", 3) == "2025-02-28"',
            'assert add_months("2024-05-10", -5) == "2023-12-10"',
            'assert add_months("2024-08-31", 0) == "2024-08-31"',
        ),
        reference=_src(
            '''
            import calendar
            from datetime import date


            def add_months(day: str, months: int) -> str:
                """Shift by ``months``, clamping the day to the target month's last day."""
                d = date.fromisoformat(day)
                year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
                last = calendar.monthrange(year, month0 + 1)[1]
                return date(year, month0 + 1, min(d.day, last)).isoformat()
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date


            def add_months(day: str, months: int) -> str:
                """Move the month forward, carrying into the year."""
                d = date.fromisoformat(day)
                year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
                return d.replace(year=year, month=month0 + 1).isoformat()
            '''
        ),
    ),
    DsTask(
        name="format_elapsed",
        category="dates",
        cell=_src(
            """
            Format a number of seconds as a short duration: 'Xh MMm' from one hour up, 'Xm SSs' from one minute up, otherwise 'Xs', with the second part zero-padded to two digits (leftover seconds are dropped in the hours form). Negative input raises ValueError.
            >>> format_elapsed(3900)
            '1h 05m'
            >>> format_elapsed(750)
            '12m 30s'
            """
        ),
        hidden=(
            'assert format_elapsed(45) == "45s"',
            'assert format_elapsed(0) == "0s"',
            'assert format_elapsed(3600) == "1h 00m"',
            'assert format_elapsed(60) == "1m 00s"',
            'assert format_elapsed(3661) == "1h 01m"',
            "raises(ValueError, format_elapsed, -5)",
            'assert format_elapsed(90061) == "25h 01m"',
        ),
        reference=_src(
            '''
            def format_elapsed(seconds: int) -> str:
                """'1h 05m', '12m 30s' or '45s'; negative input raises ValueError."""
                if seconds < 0:
                    raise ValueError("seconds cannot be negative")
                hours, rest = divmod(int(seconds), 3600)
                minutes, secs = divmod(rest, 60)
                if hours:
                    return f"{hours}h {minutes:02d}m"
                if minutes:
                    return f"{minutes}m {secs:02d}s"
                return f"{secs}s"
            '''
        ),
        near_miss=_src(
            '''
            def format_elapsed(seconds: int) -> str:
                """Short human duration."""
                if seconds > 3600:
                    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
                if seconds > 60:
                    return f"{seconds // 60}m {seconds % 60:02d}s"
                return f"{seconds}s"
            '''
        ),
    ),
    DsTask(
        name="overlap_days",
        category="dates",
        cell=_src(
            """
            Given two date ranges as (start, end) pairs of ISO strings, both ends inclusive, return how many days they share, or 0 if they don't overlap. A range that ends before it starts raises ValueError.
            >>> overlap_days(("2024-01-01", "2024-01-10"), ("2024-01-05", "2024-01-20"))
            6
            """
        ),
        hidden=(
            'assert overlap_days(("2024-01-01", "2024-01-03"), ("2024-02-01", "2024-02-05")) == 0',
            'assert overlap_days(("2024-01-01", "2024-01-10"), ("2024-01-10", "2024-01-12")) == 1',
            'assert overlap_days(("2024-01-01", "2024-12-31"), ("2024-03-01", "2024-03-05")) == 5',
            'raises(ValueError, overlap_days, ("2024-01-10", "2024-01-01"), ("2024-01-01", "2024-01-05"))',
            'assert overlap_days(("2024-01-05", "2024-01-20"), ("2024-01-01", "2024-01-10")) == 6',
            'assert overlap_days(("2024-02-27", "2024-03-02"), ("2024-02-01", "2024-02-29")) == 3',
        ),
        reference=_src(
            '''
            from datetime import date


            def overlap_days(first: tuple[str, str], second: tuple[str, str]) -> int:
                """Days shared by two inclusive ISO ranges; a reversed range raises ValueError."""
                (a0, a1), (b0, b1) = (
                    (date.fromisoformat(start), date.fromisoformat(end)) for start, end in (first, second)
                )
                if a1 < a0 or b1 < b0:
                    raise ValueError("a range ends before it starts")
                return max(0, (min(a1, b1) - max(a0, b0)).days + 1)
            '''
        ),
        near_miss=_src(
            '''
            from datetime import date


            def overlap_days(first, second):
                """Number of shared days."""
                start = max(date.fromisoformat(first[0]), date.fromisoformat(second[0]))
                end = min(date.fromisoformat(first[1]), date.fromisoformat(second[1]))
                return (end - start).days + 1
            '''
        ),
    ),
]
