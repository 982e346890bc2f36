"""pandas requests: group-wise fills, top-n, resampling, pivots, joins, summaries.

Each task's ``setup`` is the notebook cell that built the DataFrame its samples
use (sent into the sandbox pickled). Samples compare with ``.tolist()`` /
``.to_dict()`` because the sample namespace has no ``pd`` unless the candidate
imported it; hidden checks import pandas themselves and build fresh frames.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="fill_group_mean",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            sales = pd.DataFrame({"store": ["a", "a", "b", "b", "a"], "units": [10.0, None, 4.0, None, 20.0]})
            """
        ),
        cell=_src(
            """
            Fill the missing values of a numeric column with the mean of that column within each group (given by another column); a group with no values at all stays missing. Return a new DataFrame and leave the input untouched.
            assert fill_group_mean(sales, "store", "units")["units"].tolist() == [10.0, 15.0, 4.0, 4.0, 20.0]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x', 'y'], 'v': [None, None, 1.0]})\n"
            "assert fill_group_mean(df, 'g', 'v')['v'].isna().tolist() == [True, True, False]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x', 'x'], 'v': [1.0, None, 3.0]})\n"
            "assert fill_group_mean(df, 'g', 'v')['v'].tolist() == [1.0, 2.0, 3.0] and df['v'].isna().sum() == 1",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'y', 'x', 'y'], 'v': [1.0, 5.0, None, None], 'k': [1, 2, 3, 4]})\n"
            "assert fill_group_mean(df, 'g', 'v')['v'].tolist() == [1.0, 5.0, 1.0, 5.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'y'], 'v': [1.0, None], 'k': [7, 8]})\n"
            "assert list(fill_group_mean(df, 'g', 'v').columns) == ['g', 'v', 'k']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': [1, 1, 2, 2], 'v': [2.0, 4.0, None, 8.0]})\n"
            "assert fill_group_mean(df, 'g', 'v')['v'].tolist() == [2.0, 4.0, 8.0, 8.0]",
        ),
        reference=_src(
            '''
            import pandas as pd


            def fill_group_mean(df: pd.DataFrame, group: str, column: str) -> pd.DataFrame:
                """A copy with ``column``'s NaNs filled by the mean of their ``group``."""
                out = df.copy()
                out[column] = out[column].fillna(out.groupby(group)[column].transform("mean"))
                return out
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def fill_group_mean(df: pd.DataFrame, group: str, column: str) -> pd.DataFrame:
                """Fill NaNs with the group mean."""
                df[column] = df[column].fillna(df.groupby(group)[column].transform("mean"))
                return df
            '''
        ),
    ),
    DsTask(
        name="top_n_per_group",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            sales = pd.DataFrame({
                "region": ["East", "West", "East", "West", "East"],
                "rep": ["ann", "bo", "cy", "di", "ed"],
                "amount": [300, 120, 450, 80, 200],
            })
            """
        ),
        cell=_src(
            """
            Keep the n rows with the largest value in each group, sorted by group and then by value from largest to smallest; tied values keep their original order, and a group with fewer than n rows is kept whole.
            assert top_n_per_group(sales, "region", "amount", 2)["rep"].tolist() == ["cy", "ann", "bo", "di"]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['b', 'a', 'b', 'a'], 'v': [10, 1, 20, 2]})\n"
            "assert top_n_per_group(df, 'g', 'v', 1)['v'].tolist() == [2, 20]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x', 'x', 'x'], 'v': [5, 7, 5, 5], 'id': [0, 1, 2, 3]})\n"
            "assert top_n_per_group(df, 'g', 'v', 3)['id'].tolist() == [1, 0, 2]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'y', 'x'], 'v': [1, 2, 3]})\n"
            "assert len(top_n_per_group(df, 'g', 'v', 10)) == 3",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['z', 'y', 'z', 'y', 'z'], 'v': [1, 9, 3, 8, 2]})\n"
            "assert top_n_per_group(df, 'g', 'v', 2)[['g', 'v']].values.tolist() == [['y', 9], ['y', 8], ['z', 3], ['z', 2]]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a'], 'v': [1], 'extra': ['keep']})\n"
            "assert list(top_n_per_group(df, 'g', 'v', 1).columns) == ['g', 'v', 'extra']",
        ),
        reference=_src(
            '''
            import pandas as pd


            def top_n_per_group(df: pd.DataFrame, group: str, value: str, n: int) -> pd.DataFrame:
                """The ``n`` largest ``value`` rows per ``group``, by group then value descending."""
                by_value = df.sort_values(value, ascending=False, kind="stable")
                ordered = by_value.sort_values(group, kind="stable")
                return ordered.groupby(group, sort=False).head(n)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def top_n_per_group(df: pd.DataFrame, group: str, value: str, n: int) -> pd.DataFrame:
                """Top n rows per group."""
                return df.sort_values(value, ascending=False).groupby(group).head(n)
            '''
        ),
    ),
    DsTask(
        name="weekly_totals",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            daily = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=10, freq="D"), "visits": list(range(1, 11))})
            """
        ),
        cell=_src(
            """
            Resample daily values to weekly sums for weeks ending on Sunday, labelled by that Sunday's date; the date column may hold dates or 'YYYY-MM-DD' strings. A week with no rows at all shows 0 rather than disappearing.
            assert weekly_totals(daily, "day", "visits").tolist() == [28, 27]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'d': pd.date_range('2024-01-01', periods=10, freq='D'), 'v': [1] * 10})\n"
            "assert [str(x)[:10] for x in weekly_totals(df, 'd', 'v').index] == ['2024-01-07', '2024-01-14']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'d': ['2024-01-01', '2024-01-15'], 'v': [5, 7]})\n"
            "assert weekly_totals(df, 'd', 'v').tolist() == [5, 0, 7]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'d': ['2024-01-03', '2024-01-07', '2024-01-08'], 'v': [1, 2, 3]})\n"
            "assert weekly_totals(df, 'd', 'v').tolist() == [3, 3]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'d': ['2024-01-03', '2024-01-07', '2024-01-08'], 'v': [1, 2, 3]})\n"
            "assert [str(x)[:10] for x in weekly_totals(df, 'd', 'v').index] == ['2024-01-07', '2024-01-14']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'d': ['2023-12-31', '2024-01-01'], 'v': [4, 6]})\n"
            "assert weekly_totals(df, 'd', 'v').tolist() == [4, 6]",
        ),
        reference=_src(
            '''
            import pandas as pd


            def weekly_totals(df: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
                """Weekly sums (weeks ending Sunday, labelled by it); empty weeks are 0."""
                values = pd.Series(df[value_col].to_numpy(), index=pd.to_datetime(df[date_col]))
                return values.sort_index().resample("W-SUN").sum()
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def weekly_totals(df: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
                """Sum the values per week."""
                weeks = pd.to_datetime(df[date_col]).dt.isocalendar().week
                return df.groupby(weeks)[value_col].sum()
            '''
        ),
    ),
    DsTask(
        name="long_to_wide",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            long = pd.DataFrame({
                "id": [2, 1, 1, 2],
                "metric": ["height", "height", "weight", "weight"],
                "value": [180, 170, 65, 80],
            })
            """
        ),
        cell=_src(
            """
            Pivot a long table with columns 'id', 'metric' and 'value' to one row per id (ids sorted, kept as an ordinary 'id' column) and one column per metric. An id/metric pair that's missing becomes 0, and a repeated id/metric pair raises ValueError.
            >>> long_to_wide(long).to_dict("records")
            [{'id': 1, 'height': 170, 'weight': 65}, {'id': 2, 'height': 180, 'weight': 80}]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'id': [1, 2], 'metric': ['a', 'b'], 'value': [5, 6]})\n"
            "assert long_to_wide(df).to_dict('records') == [{'id': 1, 'a': 5, 'b': 0}, {'id': 2, 'a': 0, 'b': 6}]",
            "import pandas as pd\n"
            "dup = pd.DataFrame({'id': [1, 1], 'metric': ['a', 'a'], 'value': [5, 6]})\n"
            "raises(ValueError, long_to_wide, dup)",
            "import pandas as pd\n"
            "df = pd.DataFrame({'id': [3, 1, 2], 'metric': ['a', 'a', 'a'], 'value': [1, 2, 3]})\n"
            "assert long_to_wide(df)['id'].tolist() == [1, 2, 3]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'id': [3, 1, 2], 'metric': ['a', 'a', 'a'], 'value': [1, 2, 3]})\n"
            "assert long_to_wide(df)['a'].tolist() == [2, 3, 1]",
            "import pandas as pd\n"
            "dup = pd.DataFrame({'id': [1, 2, 2], 'metric': ['a', 'b', 'b'], 'value': [1, 1, 1]})\n"
            "raises(ValueError, long_to_wide, dup)",
        ),
        reference=_src(
            '''
            import pandas as pd


            def long_to_wide(df: pd.DataFrame) -> pd.DataFrame:
                """id/metric/value rows to one row per id; missing pairs 0; repeats raise."""
                if df.duplicated(["id", "metric"]).any():
                    raise ValueError("an id/metric pair appears more than once")
                wide = df.pivot(index="id", columns="metric", values="value").fillna(0)
                wide.columns.name = None
                return wide.sort_index().reset_index()
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def long_to_wide(df: pd.DataFrame) -> pd.DataFrame:
                """Pivot to one row per id."""
                wide = df.pivot_table(
                    index="id", columns="metric", values="value", aggfunc="sum", fill_value=0
                )
                return wide.reset_index()
            '''
        ),
    ),
    DsTask(
        name="left_join_default",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            orders = pd.DataFrame({"order_id": [1, 2, 3], "cust": [10, 30, 20]})
            customers = pd.DataFrame({"cust": [10, 20], "tier": ["gold", "silver"]})
            """
        ),
        cell=_src(
            """
            Left-join a table to a lookup table on a key column, keeping every left row in its original order; for left rows with no match, the columns that came from the lookup get the given default instead of NaN, while the left table's own columns are left alone. A lookup table with a repeated key raises ValueError.
            assert left_join_default(orders, customers, "cust", "unknown")["tier"].tolist() == ["gold", "unknown", "silver"]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "left = pd.DataFrame({'k': [1, 2], 'note': [None, 'x']})\n"
            "right = pd.DataFrame({'k': [1], 'score': [5]})\n"
            "assert left_join_default(left, right, 'k', 0)['note'].isna().tolist() == [True, False]",
            "import pandas as pd\n"
            "left = pd.DataFrame({'k': [1, 2], 'note': [None, 'x']})\n"
            "right = pd.DataFrame({'k': [1], 'score': [5]})\n"
            "assert left_join_default(left, right, 'k', 0)['score'].tolist() == [5, 0]",
            "import pandas as pd\n"
            "left = pd.DataFrame({'k': [1, 2]})\n"
            "right = pd.DataFrame({'k': [1, 1], 'score': [5, 6]})\n"
            "raises(ValueError, left_join_default, left, right, 'k', 0)",
            "import pandas as pd\n"
            "left = pd.DataFrame({'k': [3, 1, 2, 3]})\n"
            "right = pd.DataFrame({'k': [1, 2, 3], 'name': ['one', 'two', 'three']})\n"
            "assert left_join_default(left, right, 'k', '?')['name'].tolist() == ['three', 'one', 'two', 'three']",
            "import pandas as pd\n"
            "left = pd.DataFrame({'k': ['a', 'b', 'c']})\n"
            "right = pd.DataFrame({'k': ['b'], 'x': [1.5], 'y': ['yes']})\n"
            "assert left_join_default(left, right, 'k', -1)[['x', 'y']].values.tolist() == [[-1, -1], [1.5, 'yes'], [-1, -1]]",
        ),
        reference=_src(
            '''
            import pandas as pd


            def left_join_default(
                left: pd.DataFrame, right: pd.DataFrame, on: str, default: object
            ) -> pd.DataFrame:
                """Left join on ``on``; unmatched rows get ``default`` in the lookup's columns."""
                if right[on].duplicated().any():
                    raise ValueError(f"the lookup table repeats keys in {on!r}")
                matched = left[on].isin(right[on]).to_numpy()
                out = left.merge(right, on=on, how="left")
                for column in right.columns:
                    if column != on:
                        out[column] = out[column].astype(object).where(matched, default)
                return out
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def left_join_default(left, right, on, default):
                """Left join, filling the gaps with the default."""
                return left.merge(right, on=on, how="left").fillna(default)
            '''
        ),
    ),
    DsTask(
        name="dtype_summary",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            people = pd.DataFrame({"age": [30, 30, 41], "score": [1.5, None, 2.0], "member": [True, False, True]})
            """
        ),
        cell=_src(
            """
            Summarise a DataFrame with one row per column, in the original order, with the columns 'column' (its name), 'dtype' (as a string), 'missing' (how many values are missing) and 'unique' (how many distinct non-missing values). A DataFrame with no columns gives an empty summary that still has those four columns.
            >>> dtype_summary(people)["dtype"].tolist()
            ['int64', 'float64', 'bool']
            assert dtype_summary(people)["missing"].tolist() == [0, 1, 0]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "assert list(dtype_summary(pd.DataFrame()).columns) == ['column', 'dtype', 'missing', 'unique']",
            "import pandas as pd\nassert len(dtype_summary(pd.DataFrame())) == 0",
            "import pandas as pd\n"
            "df = pd.DataFrame({'x': [1.0, None, None, 1.0]})\n"
            "assert dtype_summary(df)['unique'].tolist() == [1]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'b': [1, 2], 'a': [None, 3.0]})\n"
            "assert dtype_summary(df)['column'].tolist() == ['b', 'a']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'b': [1, 2], 'a': [None, 3.0]})\n"
            "assert dtype_summary(df)[['missing', 'unique']].values.tolist() == [[0, 2], [1, 1]]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'n': [1, 2]})\n"
            "assert isinstance(dtype_summary(df)['dtype'].iloc[0], str)",
            # Columns but no rows: still one row per column (only no columns is empty).
            "import pandas as pd\n"
            "df = pd.DataFrame({'a': pd.Series([], dtype='int64'), 'b': pd.Series([], dtype=float)})\n"
            "assert dtype_summary(df)[['column', 'missing', 'unique']].values.tolist() == [['a', 0, 0], ['b', 0, 0]]",
        ),
        reference=_src(
            '''
            import pandas as pd

            COLUMNS = ["column", "dtype", "missing", "unique"]


            def dtype_summary(df: pd.DataFrame) -> pd.DataFrame:
                """One row per column: name, dtype string, missing count, distinct non-missing."""
                rows = [
                    {
                        "column": name,
                        "dtype": str(df[name].dtype),
                        "missing": int(df[name].isna().sum()),
                        "unique": int(df[name].nunique()),
                    }
                    for name in df.columns
                ]
                return pd.DataFrame(rows, columns=COLUMNS)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def dtype_summary(df: pd.DataFrame) -> pd.DataFrame:
                """Column overview."""
                rows = []
                for name in df.columns:
                    rows.append({
                        "column": name,
                        "dtype": str(df[name].dtype),
                        "missing": int(df[name].isna().sum()),
                        "unique": int(df[name].nunique(dropna=False)),
                    })
                return pd.DataFrame(rows)
            '''
        ),
    ),
    DsTask(
        name="pct_change_by_group",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            prices = pd.DataFrame({
                "ticker": ["A", "B", "A", "B"],
                "day": ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02"],
                "close": [10.0, 20.0, 11.0, 18.0],
            })
            """
        ),
        cell=_src(
            """
            Add a 'pct_change' column: the percent change (times 100, rounded to 1 decimal) of a value from the previous row of the same group, taking rows in date order within each group. The first row of each group gets NaN, and the output keeps the original row order.
            assert pct_change_by_group(prices, "ticker", "day", "close")["pct_change"].tolist()[2:] == [10.0, -10.0]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x', 'x'], 'd': ['2024-01-03', '2024-01-01', '2024-01-02'], 'v': [30.0, 10.0, 20.0]})\n"
            "assert pct_change_by_group(df, 'g', 'd', 'v')['pct_change'].fillna(-1).tolist() == [50.0, -1, 100.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'y', 'x', 'y'], 'd': ['2024-01-01', '2024-01-01', '2024-01-02', '2024-01-02'], 'v': [1.0, 2.0, 3.0, 4.0]})\n"
            "assert pct_change_by_group(df, 'g', 'd', 'v')['pct_change'].isna().tolist() == [True, True, False, False]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x'], 'd': ['2024-01-01', '2024-01-02'], 'v': [3.0, 4.0]})\n"
            "assert pct_change_by_group(df, 'g', 'd', 'v')['pct_change'].tolist()[1] == 33.3",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x'], 'd': ['2024-01-02', '2024-01-01'], 'v': [5.0, 4.0]})\n"
            "assert pct_change_by_group(df, 'g', 'd', 'v')['v'].tolist() == [5.0, 4.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['x', 'x'], 'd': ['2024-01-02', '2024-01-01'], 'v': [5.0, 4.0]})\n"
            "assert list(pct_change_by_group(df, 'g', 'd', 'v').columns) == ['g', 'd', 'v', 'pct_change']",
        ),
        reference=_src(
            '''
            import pandas as pd


            def pct_change_by_group(df: pd.DataFrame, group: str, date: str, value: str) -> pd.DataFrame:
                """Add 'pct_change' (x100, 1 decimal) vs the previous date in the same group."""
                out = df.copy()
                when = pd.to_datetime(out[date])
                order = when.sort_values(kind="stable").index
                ordered = out.loc[order]
                previous = ordered.groupby(group)[value].shift()
                change = (ordered[value] / previous - 1) * 100
                out["pct_change"] = change.round(1).reindex(out.index)
                return out
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def pct_change_by_group(df: pd.DataFrame, group: str, date: str, value: str) -> pd.DataFrame:
                """Percent change within each group."""
                out = df.copy()
                previous = out.groupby(group)[value].shift()
                out["pct_change"] = ((out[value] / previous - 1) * 100).round(1)
                return out
            '''
        ),
    ),
    DsTask(
        name="dedupe_latest",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            events = pd.DataFrame({
                "user": ["u1", "u2", "u1"],
                "ts": ["2024-01-02", "2024-01-01", "2024-01-05"],
                "plan": ["trial", "basic", "pro"],
            })
            """
        ),
        cell=_src(
            """
            Drop duplicate rows by a key column, keeping for each key the row with the latest timestamp (the timestamp column holds datetimes or ISO strings). Return the rows sorted by key with a fresh 0..n-1 index.
            assert dedupe_latest(events, "user", "ts")["plan"].tolist() == ["pro", "basic"]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': ['a', 'a'], 't': ['2024-03-01', '2024-01-01'], 's': [1, 2]})\n"
            "assert dedupe_latest(df, 'k', 't')['s'].tolist() == [1]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': ['b', 'a', 'b'], 't': ['2024-01-01', '2024-01-01', '2024-01-02'], 's': [1, 2, 3]}, index=[10, 20, 30])\n"
            "assert list(dedupe_latest(df, 'k', 't').index) == [0, 1]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': ['b', 'a', 'b'], 't': ['2024-01-01', '2024-01-01', '2024-01-02'], 's': [1, 2, 3]}, index=[10, 20, 30])\n"
            "assert sorted(dedupe_latest(df, 'k', 't').columns) == ['k', 's', 't']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': ['x', 'x'], 't': pd.to_datetime(['2024-05-01 10:00', '2024-05-01 09:00']), 's': [1, 2]})\n"
            "assert dedupe_latest(df, 'k', 't')['s'].tolist() == [1]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': ['c', 'a', 'b'], 't': ['2024-01-01'] * 3, 's': [1, 2, 3]})\n"
            "assert dedupe_latest(df, 'k', 't')['k'].tolist() == ['a', 'b', 'c']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'k': [1, 1, 2], 't': ['2024-01-01T10:00:00', '2024-01-01T09:30:00', '2024-01-01T08:00:00'], 's': ['new', 'old', 'only']})\n"
            "assert dedupe_latest(df, 'k', 't')['s'].tolist() == ['new', 'only']",
        ),
        reference=_src(
            '''
            import pandas as pd


            def dedupe_latest(df: pd.DataFrame, key: str, ts: str) -> pd.DataFrame:
                """One row per ``key`` (latest ``ts``), sorted by key, index 0..n-1."""
                when = pd.to_datetime(df[ts])
                order = when.sort_values(kind="stable").index
                latest = df.loc[order].drop_duplicates(key, keep="last")
                return latest.sort_values(key, kind="stable").reset_index(drop=True)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def dedupe_latest(df: pd.DataFrame, key: str, ts: str) -> pd.DataFrame:
                """Keep the last row per key."""
                return df.drop_duplicates(key, keep="last").sort_values(key)
            '''
        ),
    ),
    DsTask(
        name="bin_column",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            ages = pd.Series([3, 18, 40, 70], name="age")
            """
        ),
        cell=_src(
            """
            Bin a numeric Series into labelled ranges from a list of integer edges: edges [0, 18, 65] give '0-17', '18-64' and '65+' (left edge included, last bin open-ended). Missing values stay missing, and a value below the first edge raises ValueError.
            assert bin_column(ages, [0, 18, 65]).tolist() == ["0-17", "18-64", "18-64", "65+"]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "assert bin_column(pd.Series([17, 64, 65]), [0, 18, 65]).tolist() == ['0-17', '18-64', '65+']",
            "import pandas as pd\nraises(ValueError, bin_column, pd.Series([5, -1]), [0, 18])",
            "import pandas as pd\n"
            "assert bin_column(pd.Series([20.0, None]), [0, 18]).isna().tolist() == [False, True]",
            "import pandas as pd\n"
            "assert bin_column(pd.Series([0, 9, 10, 99]), [0, 10]).tolist() == ['0-9', '0-9', '10+', '10+']",
            "import pandas as pd\nraises(ValueError, bin_column, pd.Series([12, 30]), [18, 65])",
        ),
        reference=_src(
            '''
            import pandas as pd


            def bin_column(values: pd.Series, edges: list[int]) -> pd.Series:
                """Labels 'a-(b-1)' per [a, b) bin plus 'last+'; below the first edge raises."""
                if (values.dropna() < edges[0]).any():
                    raise ValueError(f"a value is below the first edge {edges[0]}")
                labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:])] + [f"{edges[-1]}+"]
                bins = [*edges, float("inf")]
                return pd.cut(values, bins=bins, right=False, labels=labels)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def bin_column(values: pd.Series, edges: list[int]) -> pd.Series:
                """Bin into labelled ranges."""
                labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:])] + [f"{edges[-1]}+"]
                return pd.cut(values, bins=edges + [float("inf")], right=False, labels=labels)
            '''
        ),
    ),
    DsTask(
        name="share_of_group",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            budget = pd.DataFrame({"dept": ["ops", "ops", "r&d"], "cost": [30, 10, 50]})
            """
        ),
        cell=_src(
            """
            Add a 'share' column with each row's value as a fraction of its group's total. If a group's total is 0, its shares are 0 rather than NaN or inf.
            assert share_of_group(budget, "dept", "cost")["share"].tolist() == [0.75, 0.25, 1.0]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a', 'a', 'b'], 'v': [0, 0, 5]})\n"
            "assert share_of_group(df, 'g', 'v')['share'].tolist() == [0.0, 0.0, 1.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a', 'a'], 'v': [2, -2]})\n"
            "assert share_of_group(df, 'g', 'v')['share'].tolist() == [0.0, 0.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a', 'b', 'a', 'b'], 'v': [1, 3, 2, 5]})\n"
            "assert share_of_group(df, 'g', 'v').groupby('g')['share'].sum().round(9).tolist() == [1.0, 1.0]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a', 'b', 'a'], 'v': [1, 3, 3]})\n"
            "assert share_of_group(df, 'g', 'v')['share'].tolist() == [0.25, 1.0, 0.75]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'g': ['a'], 'v': [4]})\n"
            "assert list(share_of_group(df, 'g', 'v').columns) == ['g', 'v', 'share']",
        ),
        reference=_src(
            '''
            import pandas as pd


            def share_of_group(df: pd.DataFrame, group: str, value: str) -> pd.DataFrame:
                """Add 'share' = value / group total (0 where the total is 0)."""
                out = df.copy()
                totals = out.groupby(group)[value].transform("sum")
                out["share"] = (out[value] / totals).mask(totals == 0, 0.0)
                return out
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def share_of_group(df: pd.DataFrame, group: str, value: str) -> pd.DataFrame:
                """Each row's share of its group total."""
                out = df.copy()
                out["share"] = out[value] / out.groupby(group)[value].transform("sum")
                return out
            '''
        ),
    ),
    DsTask(
        name="explode_tags",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            posts = pd.DataFrame({"post": [1, 2], "tags": ["Python, pandas", "SQL"]})
            """
        ),
        cell=_src(
            """
            Split a comma-separated tags column into one row per tag, each tag stripped and lowercased, with the other columns repeated; rows whose tags are empty or missing produce no rows.
            assert explode_tags(posts, "tags")[["post", "tags"]].values.tolist() == [[1, "python"], [1, "pandas"], [2, "sql"]]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'post': [1, 2, 3], 'tags': ['a', '', None]})\n"
            "assert explode_tags(df, 'tags')['post'].tolist() == [1]",
            "import pandas as pd\n"
            "df = pd.DataFrame({'post': [1], 'tags': ['  Data Science ,ML']})\n"
            "assert explode_tags(df, 'tags')['tags'].tolist() == ['data science', 'ml']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'id': [7, 8], 'author': ['ann', 'bo'], 'tags': ['x,y', 'z']})\n"
            "assert explode_tags(df, 'tags')['author'].tolist() == ['ann', 'ann', 'bo']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'id': [7, 8], 'author': ['ann', 'bo'], 'tags': ['x,y', 'z']})\n"
            "assert sorted(explode_tags(df, 'tags').columns) == ['author', 'id', 'tags']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'post': [1, 2], 'labels': [None, 'A']})\n"
            "assert explode_tags(df, 'labels')[['post', 'labels']].values.tolist() == [[2, 'a']]",
        ),
        reference=_src(
            '''
            import pandas as pd


            def explode_tags(df: pd.DataFrame, column: str) -> pd.DataFrame:
                """One row per stripped, lowercased tag; empty or missing tags give no rows."""

                def split(value: object) -> list[str]:
                    if not isinstance(value, str):
                        return []
                    return [tag.strip().lower() for tag in value.split(",") if tag.strip()]

                out = df.copy()
                out[column] = out[column].map(split)
                out = out.explode(column)
                return out[out[column].notna()].reset_index(drop=True)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def explode_tags(df: pd.DataFrame, column: str) -> pd.DataFrame:
                """One row per tag."""
                out = df.copy()
                out[column] = out[column].str.split(",")
                out = out.explode(column)
                out[column] = out[column].str.strip().str.lower()
                return out
            '''
        ),
    ),
    DsTask(
        name="clip_iqr",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            latency = pd.Series([1, 2, 3, 4, 100])
            """
        ),
        cell=_src(
            """
            Clip a numeric Series to the 1.5-IQR fences (Q1 - 1.5*IQR and Q3 + 1.5*IQR, with the quartiles from pandas' default quantile) and return a new Series. Missing values stay missing, and a Series with no values at all raises ValueError.
            >>> clip_iqr(latency).tolist()
            [1.0, 2.0, 3.0, 4.0, 7.0]
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "assert clip_iqr(pd.Series([-100, 1, 2, 3, 4])).tolist() == [-2.0, 1.0, 2.0, 3.0, 4.0]",
            "import pandas as pd\n"
            "assert clip_iqr(pd.Series([1.0, None, 3.0])).isna().tolist() == [False, True, False]",
            "import pandas as pd\nraises(ValueError, clip_iqr, pd.Series([None, None], dtype=float))",
            "import pandas as pd\nraises(ValueError, clip_iqr, pd.Series([], dtype=float))",
            "import pandas as pd\n"
            "s = pd.Series([1, 2, 3, 4, 100])\n"
            "assert clip_iqr(s).max() == 7 and s.max() == 100",
        ),
        reference=_src(
            '''
            import pandas as pd


            def clip_iqr(values: pd.Series) -> pd.Series:
                """A copy clipped to [Q1 - 1.5 IQR, Q3 + 1.5 IQR]; no values raises ValueError."""
                present = values.dropna()
                if present.empty:
                    raise ValueError("the Series has no values")
                q1, q3 = present.quantile(0.25), present.quantile(0.75)
                spread = q3 - q1
                return values.clip(lower=q1 - 1.5 * spread, upper=q3 + 1.5 * spread).astype(float)
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def clip_iqr(values: pd.Series) -> pd.Series:
                """Clip outliers with the IQR rule."""
                q1, q3 = values.quantile(0.25), values.quantile(0.75)
                iqr = q3 - q1
                return values.clip(q1 - 1.5 * iqr, q3 + 1.5 * iqr).astype(float)
            '''
        ),
    ),
    DsTask(
        name="monthly_active_users",
        category="pandas",
        setup=_src(
            """
            import pandas as pd
            logins = pd.DataFrame({
                "user": ["ann", "bo", "ann", "cy"],
                "ts": ["2024-01-03", "2024-01-20", "2024-02-01", "2024-02-11"],
            })
            """
        ),
        cell=_src(
            """
            Count distinct users per calendar month from an events table with 'user' and 'ts' columns (datetimes or ISO strings), as a Series indexed by 'YYYY-MM' in month order; a user active several times in a month counts once.
            >>> monthly_active_users(logins).to_dict()
            {'2024-01': 2, '2024-02': 2}
            """
        ),
        hidden=(
            "import pandas as pd\n"
            "df = pd.DataFrame({'user': ['a', 'a', 'a', 'b'], 'ts': ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']})\n"
            "assert monthly_active_users(df).to_dict() == {'2024-01': 2}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'user': ['a', 'b', 'c'], 'ts': ['2024-03-01', '2023-12-31', '2024-01-15']})\n"
            "assert list(monthly_active_users(df).index) == ['2023-12', '2024-01', '2024-03']",
            "import pandas as pd\n"
            "df = pd.DataFrame({'user': ['a', 'a'], 'ts': pd.to_datetime(['2023-12-31 23:59', '2024-01-01 00:01'])})\n"
            "assert monthly_active_users(df).to_dict() == {'2023-12': 1, '2024-01': 1}",
            "import pandas as pd\n"
            "df = pd.DataFrame({'user': ['x', 'y', 'x', 'y', 'z'], 'ts': ['2024-05-01', '2024-05-02', '2024-05-03', '2024-06-01', '2024-06-02']})\n"
            "assert monthly_active_users(df).tolist() == [2, 2]",
        ),
        reference=_src(
            '''
            import pandas as pd


            def monthly_active_users(events: pd.DataFrame) -> pd.Series:
                """Distinct 'user's per 'YYYY-MM' month of 'ts', in month order."""
                months = pd.to_datetime(events["ts"]).dt.strftime("%Y-%m")
                return events.groupby(months)["user"].nunique().sort_index()
            '''
        ),
        near_miss=_src(
            '''
            import pandas as pd


            def monthly_active_users(events: pd.DataFrame) -> pd.Series:
                """Users per month."""
                months = pd.to_datetime(events["ts"]).dt.strftime("%Y-%m")
                return events.groupby(months)["user"].count()
            '''
        ),
    ),
]
