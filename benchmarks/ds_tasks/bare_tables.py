"""pandas requests whose sample passes a notebook table bare: ``f(orders)``.

Why: this is how people most often call a helper on their data, and the cell then
names no columns at all; the tool has to work on the table's own columns, which only
the notebook knows. The other pandas tasks pass column names as arguments. Hidden
checks build fresh tables with the same columns, since a tool for this table is
written for its schema.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="repeat_customers",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            orders = pd.DataFrame({
                "order_id": [1, 2, 3, 4, 5, 6],
                "customer": ["ann", "bo", "ann", "cy", "bo", "ann"],
                "amount": [20.0, 35.5, 12.0, 8.0, 40.0, 5.0],
            })
            """
        ),
        cell=_src(
            """
            Which customers ordered more than once? Return their names as a list, most orders first; customers with the same number of orders go in alphabetical order.
            assert repeat_customers(orders) == ["ann", "bo"]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1, 2, 3, 4, 5], 'customer': ['zed', 'amy', 'zed', 'amy', 'kim'], 'amount': [1.0] * 5})\n"
            "assert repeat_customers(df) == ['amy', 'zed']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1, 2, 3], 'customer': ['a', 'b', 'c'], 'amount': [1.0, 2.0, 3.0]})\n"
            "assert repeat_customers(df) == []",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': range(7), 'customer': ['c', 'a', 'b', 'b', 'a', 'c', 'b'], 'amount': [1.0] * 7})\n"
            "assert repeat_customers(df) == ['b', 'a', 'c']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': pd.Series([], dtype=int), 'customer': pd.Series([], dtype=object), 'amount': pd.Series([], dtype=float)})\n"
            "assert repeat_customers(df) == []",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1, 2], 'customer': ['x', 'x'], 'amount': [1.0, 2.0]})\n"
            "assert type(repeat_customers(df)) is list and repeat_customers(df) == ['x']",
        ),
        reference=_src(
            '''
            import pandas as pd


            def repeat_customers(orders: pd.DataFrame) -> list[str]:
                """Customers with more than one order: most orders first, ties alphabetical."""
                counts = orders["customer"].value_counts()
                repeated = counts[counts > 1]
                return sorted((str(name) for name in repeated.index), key=lambda name: (-repeated[name], name))
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def repeat_customers(orders: pd.DataFrame) -> list[str]:
                """Customers with more than one order."""
                counts = orders["customer"].value_counts()
                return counts[counts > 1].index.tolist()
            '''
        ),
    ),
    DsTask(
        name="missing_report",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            survey = pd.DataFrame({
                "age": [34, None, 51, 28],
                "income": [None, 52000.0, None, 61000.0],
                "city": ["Oslo", "Lima", "Pune", "Kyiv"],
            })
            """
        ),
        cell=_src(
            """
            Percentage of missing values in each column that has any, rounded to one decimal: a dict from column name to percentage, the most-missing column first (ties keep the table's column order). Columns with nothing missing are left out.
            assert missing_report(survey) == {"income": 50.0, "age": 25.0}
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'age': [1, 2], 'income': [3.0, 4.0], 'city': ['a', 'b']})\n"
            "assert missing_report(df) == {}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'age': [1, None, 3], 'income': [1.0, 2.0, 3.0], 'city': ['a', 'b', 'c']})\n"
            "assert missing_report(df) == {'age': 33.3}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'age': [1, None, 3], 'income': [None, None, 3.0], 'city': ['a', 'b', 'c']})\n"
            "assert list(missing_report(df).items()) == [('income', 66.7), ('age', 33.3)]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'age': [None, 2], 'income': [1.0, 2.0], 'city': [None, 'b']})\n"
            "assert list(missing_report(df)) == ['age', 'city']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'age': [1, 2, 3], 'income': [1.0, 2.0, 3.0], 'city': ['a', None, None]})\n"
            "assert missing_report(df) == {'city': 66.7}",
        ),
        reference=_src(
            '''
            import pandas as pd


            def missing_report(df: pd.DataFrame) -> dict[str, float]:
                """Percent missing per column that has any, most missing first, ties in column order."""
                share = (df.isna().mean() * 100).round(1)
                share = share[share > 0]
                ordered = sorted(share.items(), key=lambda item: -item[1])
                return {str(column): float(value) for column, value in ordered}
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def missing_report(df: pd.DataFrame) -> dict[str, float]:
                """Percent missing per column."""
                share = df.isna().mean() * 100
                return share[share > 0].sort_values(ascending=False, kind="stable").to_dict()
            '''
        ),
    ),
    DsTask(
        name="spend_bands",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            purchases = pd.DataFrame({
                "customer": ["ann", "bo", "ann", "cy", "bo", "di"],
                "spend": [60.0, 450.0, 50.0, 20.0, 100.0, 30.0],
            })
            """
        ),
        cell=_src(
            """
            Total each customer's spend and count the customers in each band: 'low' under 100, 'mid' from 100 up to (not including) 500, 'high' 500 and over. Return a dict with all three bands in that order, even when a band has nobody.
            assert spend_bands(purchases) == {"low": 2, "mid": 1, "high": 1}
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a', 'b'], 'spend': [100.0, 500.0]})\n"
            "assert spend_bands(df) == {'low': 0, 'mid': 1, 'high': 1}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a', 'a'], 'spend': [60.0, 50.0]})\n"
            "assert spend_bands(df) == {'low': 0, 'mid': 1, 'high': 0}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a'], 'spend': [10.0]})\n"
            "assert spend_bands(df) == {'low': 1, 'mid': 0, 'high': 0}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a', 'b', 'c'], 'spend': [700.0, 5.0, 99.99]})\n"
            "assert list(spend_bands(df).items()) == [('low', 2), ('mid', 0), ('high', 1)]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a', 'b', 'b'], 'spend': [499.99, 250.0, 250.0]})\n"
            "assert spend_bands(df) == {'low': 0, 'mid': 1, 'high': 1}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'customer': ['a', 'b'], 'spend': [1.0, 2.0]})\n"
            "assert all(type(n) is int for n in spend_bands(df).values())",
        ),
        reference=_src(
            '''
            import pandas as pd


            def spend_bands(purchases: pd.DataFrame) -> dict[str, int]:
                """How many customers' total spend falls in each band (low < 100 <= mid < 500 <= high)."""
                totals = purchases.groupby("customer")["spend"].sum()
                return {
                    "low": int((totals < 100).sum()),
                    "mid": int(((totals >= 100) & (totals < 500)).sum()),
                    "high": int((totals >= 500).sum()),
                }
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def spend_bands(purchases: pd.DataFrame) -> dict[str, int]:
                """Customers per spend band."""
                totals = purchases.groupby("customer")["spend"].sum()
                return {
                    "low": int((totals <= 100).sum()),
                    "mid": int(((totals > 100) & (totals <= 500)).sum()),
                    "high": int((totals > 500).sum()),
                }
            '''
        ),
    ),
    DsTask(
        name="late_shipments",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            shipments = pd.DataFrame({
                "order_id": [101, 102, 103, 104],
                "ordered": ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-05"],
                "shipped": ["2024-03-03", "2024-03-08", None, "2024-03-09"],
            })
            """
        ),
        cell=_src(
            """
            The orders that shipped more than 3 days after they were ordered, with a new days_late column counting the days beyond those 3. Orders not shipped yet are left out; keep the original row order and leave the input table unchanged.
            assert late_shipments(shipments)[["order_id", "days_late"]].values.tolist() == [[102, 3], [104, 1]]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1, 2], 'ordered': ['2024-03-01', '2024-03-01'], 'shipped': ['2024-03-04', '2024-03-02']})\n"
            "assert len(late_shipments(df)) == 0",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1], 'ordered': ['2024-01-30'], 'shipped': ['2024-02-05']})\n"
            "assert late_shipments(df)['days_late'].tolist() == [3]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [7, 8, 9], 'ordered': ['2024-05-09', '2024-05-01', '2024-05-02'], 'shipped': ['2024-05-20', None, '2024-05-12']})\n"
            "assert late_shipments(df)['order_id'].tolist() == [7, 9]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1], 'ordered': ['2024-03-01'], 'shipped': ['2024-03-10']})\n"
            "assert len(late_shipments(df)) == 1 and list(df.columns) == ['order_id', 'ordered', 'shipped']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1], 'ordered': ['2024-03-01'], 'shipped': ['2024-03-10']})\n"
            "assert list(late_shipments(df).columns) == ['order_id', 'ordered', 'shipped', 'days_late']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'order_id': [1, 2], 'ordered': ['2024-03-01', '2024-03-01'], 'shipped': [None, None]})\n"
            "assert len(late_shipments(df)) == 0",
        ),
        reference=_src(
            '''
            import pandas as pd


            def late_shipments(shipments: pd.DataFrame) -> pd.DataFrame:
                """Rows shipped over 3 days after ordering, with ``days_late`` beyond those 3."""
                days = (pd.to_datetime(shipments["shipped"]) - pd.to_datetime(shipments["ordered"])).dt.days
                late = days > 3
                out = shipments[late].copy()
                out["days_late"] = (days[late] - 3).astype(int)
                return out
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def late_shipments(shipments: pd.DataFrame) -> pd.DataFrame:
                """Rows shipped late."""
                days = (pd.to_datetime(shipments["shipped"]) - pd.to_datetime(shipments["ordered"])).dt.days
                late = days >= 3
                out = shipments[late].copy()
                out["days_late"] = (days[late] - 3).astype(int)
                return out
            '''
        ),
    ),
    DsTask(
        name="longest_streak",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            steps = pd.Series(
                [12000, 9500, 10000, 15000, 11000, None, 13000],
                index=pd.date_range("2024-05-01", periods=7),
                name="steps",
            )
            """
        ),
        cell=_src(
            """
            Length of the longest run of consecutive days with at least 10,000 steps. A missing value breaks a run, and an empty series gives 0.
            assert longest_streak(steps) == 3
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "assert longest_streak(pd.Series([], dtype=float, name='steps')) == 0",
            "import pandas as pd\n"
            "s = pd.Series([500.0, 9999.0], index=pd.date_range('2024-01-01', periods=2), name='steps')\n"
            "assert longest_streak(s) == 0",
            "import pandas as pd\n"
            "s = pd.Series([10000.0, None, 10000.0], index=pd.date_range('2024-01-01', periods=3), name='steps')\n"
            "assert longest_streak(s) == 1",
            "import pandas as pd\n"
            "s = pd.Series([1.0, 20000.0, 20000.0, 20000.0], index=pd.date_range('2024-01-01', periods=4), name='steps')\n"
            "assert longest_streak(s) == 3",
            "import pandas as pd\n"
            "s = pd.Series([10000, 10000], index=pd.date_range('2024-01-01', periods=2), name='steps')\n"
            "assert type(longest_streak(s)) is int and longest_streak(s) == 2",
        ),
        reference=_src(
            '''
            import pandas as pd


            def longest_streak(steps: pd.Series) -> int:
                """Longest run of values >= 10,000; a missing value ends a run."""
                best = run = 0
                for value in steps:
                    run = run + 1 if pd.notna(value) and value >= 10000 else 0
                    best = max(best, run)
                return best
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def longest_streak(steps: pd.Series) -> int:
                """Longest run of days with 10,000 steps or more."""
                runs, run = [], 0
                for value in steps:
                    if value >= 10000:
                        run += 1
                    else:
                        if run:
                            runs.append(run)
                        run = 0
                if run:
                    runs.append(run)
                return max(runs)
            '''
        ),
    ),
    DsTask(
        name="pass_rates",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            results = pd.DataFrame({
                "student": ["ann", "bo", "cy", "ann", "bo", "cy"],
                "subject": ["math", "math", "math", "art", "art", "art"],
                "score": [72, 49, None, 50, 88, 30],
            })
            """
        ),
        cell=_src(
            """
            Percentage of students who passed each subject, rounded to one decimal (a score of 50 or more passes; a missing score is a fail), as a dict with the subjects in alphabetical order.
            assert pass_rates(results) == {"art": 66.7, "math": 33.3}
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'student': ['a', 'b'], 'subject': ['x', 'x'], 'score': [None, 60.0]})\n"
            "assert pass_rates(df) == {'x': 50.0}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'student': ['a'], 'subject': ['x'], 'score': [50]})\n"
            "assert pass_rates(df) == {'x': 100.0}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'student': ['a', 'a', 'a'], 'subject': ['z', 'b', 'm'], 'score': [90, 90, 90]})\n"
            "assert list(pass_rates(df)) == ['b', 'm', 'z']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'student': ['a', 'b', 'c'], 'subject': ['x', 'x', 'x'], 'score': [10, 20, 49.9]})\n"
            "assert pass_rates(df) == {'x': 0.0}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'student': ['a', 'b', 'c', 'a'], 'subject': ['x', 'x', 'x', 'y'], 'score': [80, 80, 10, None]})\n"
            "assert pass_rates(df) == {'x': 66.7, 'y': 0.0}",
        ),
        reference=_src(
            '''
            import pandas as pd


            def pass_rates(results: pd.DataFrame) -> dict[str, float]:
                """Percent of rows scoring >= 50 per subject (missing fails), subjects sorted."""
                passed = (results["score"] >= 50).groupby(results["subject"]).mean() * 100
                return {str(subject): round(float(rate), 1) for subject, rate in passed.sort_index().items()}
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def pass_rates(results: pd.DataFrame) -> dict[str, float]:
                """Percent passing per subject."""
                passed = (results["score"] >= 50).groupby(results["subject"], sort=False).mean() * 100
                return {str(subject): round(float(rate), 1) for subject, rate in passed.items()}
            '''
        ),
    ),
]
