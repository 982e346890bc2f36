"""Plain-Python record wrangling: lists of dicts and lists of numbers.

Group-and-sum, dedupe keeping the latest, joins, flattening, validation and the
small statistics people write before reaching for pandas; the stated edge cases
(empty input, all-equal values, missing keys, bad rows) are the hidden checks.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="sum_by_key",
        category="records",
        cell=_src(
            """
            Group a list of dict rows by one key and add up a numeric field, returning {group: total}; a row that lacks the field counts as 0 (its group still shows up). Empty input gives {}.
            >>> sum_by_key([{"region": "N", "sales": 5}, {"region": "S", "sales": 2}, {"region": "N", "sales": 1}], "region", "sales")
            {'N': 6, 'S': 2}
            """
        ),
        hidden=(
            'assert sum_by_key([], "k", "v") == {}',
            'assert sum_by_key([{"k": "a"}, {"k": "a", "v": 3}], "k", "v") == {"a": 3}',
            'assert sum_by_key([{"k": "b"}], "k", "v") == {"b": 0}',
            'assert round(sum_by_key([{"k": "x", "v": 0.1}, {"k": "x", "v": 0.2}], "k", "v")["x"], 9) == 0.3',
            'assert sum_by_key([{"g": 1, "n": 4}, {"g": 2, "n": 5}, {"g": 1, "n": -1}], "g", "n") == {1: 3, 2: 5}',
        ),
        reference=_src(
            '''
            from collections.abc import Hashable


            def sum_by_key(rows: list[dict], key: Hashable, field: Hashable) -> dict:
                """{group: sum of ``field``}; rows without ``field`` add 0."""
                totals: dict = {}
                for row in rows:
                    group = row[key]
                    totals[group] = totals.get(group, 0) + row.get(field, 0)
                return totals
            '''
        ),
        near_miss=_src(
            '''
            from collections import defaultdict


            def sum_by_key(rows, key, field):
                """Total of ``field`` per group."""
                totals = defaultdict(int)
                for row in rows:
                    totals[row[key]] += row[field]
                return dict(totals)
            '''
        ),
    ),
    DsTask(
        name="latest_by_key",
        category="records",
        cell=_src(
            """
            Deduplicate records on their 'id', keeping for each id the record with the latest 'updated' ISO timestamp, with ids in order of first appearance. A record with no 'id' raises ValueError.
            assert latest_by_key([{"id": 1, "updated": "2024-01-01", "v": "a"}, {"id": 1, "updated": "2024-02-01", "v": "b"}]) == [{"id": 1, "updated": "2024-02-01", "v": "b"}]
            """
        ),
        hidden=(
            'recs = [{"id": 2, "updated": "2024-01-01"}, {"id": 1, "updated": "2024-01-01"}, {"id": 2, "updated": "2024-03-01"}]\n'
            'assert latest_by_key(recs) == [{"id": 2, "updated": "2024-03-01"}, {"id": 1, "updated": "2024-01-01"}]',
            'recs = [{"id": 1, "updated": "2024-05-01", "v": "new"}, {"id": 1, "updated": "2024-01-01", "v": "old"}]\n'
            'assert latest_by_key(recs)[0]["v"] == "new"',
            'raises(ValueError, latest_by_key, [{"updated": "2024-01-01"}])',
            "assert latest_by_key([]) == []",
            'recs = [{"id": "x", "updated": "2024-01-01T10:00:00", "n": 1}, {"id": "x", "updated": "2024-01-01T09:00:00", "n": 2}]\n'
            "assert latest_by_key(recs) == [recs[0]]",
        ),
        reference=_src(
            '''
            from datetime import datetime


            def latest_by_key(records: list[dict]) -> list[dict]:
                """One record per 'id' (the latest 'updated'), ids in first-seen order."""
                best: dict = {}
                for record in records:
                    if "id" not in record:
                        raise ValueError(f"record without an 'id': {record!r}")
                    current = best.get(record["id"])
                    if current is None or datetime.fromisoformat(
                        record["updated"]
                    ) > datetime.fromisoformat(current["updated"]):
                        best[record["id"]] = record
                return list(best.values())
            '''
        ),
        near_miss=_src(
            '''
            def latest_by_key(records: list[dict]) -> list[dict]:
                """Keep one record per id."""
                return list({r["id"]: r for r in records}.values())
            '''
        ),
    ),
    DsTask(
        name="merge_by_id",
        category="records",
        cell=_src(
            """
            Left-join two lists of dicts on 'id': every left row comes out once and in order, with the fields of the right row that has the same id added (the right value wins when both have a field), and left rows without a match come out unchanged. Duplicate ids on the right raise ValueError.
            >>> merge_by_id([{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}], [{"id": 1, "score": 9}])
            [{'id': 1, 'name': 'Ann', 'score': 9}, {'id': 2, 'name': 'Bo'}]
            """
        ),
        hidden=(
            'assert merge_by_id([{"id": 1, "x": 1}], [{"id": 1, "x": 2}]) == [{"id": 1, "x": 2}]',
            'assert merge_by_id([{"id": 1}], [{"id": 2, "y": 1}]) == [{"id": 1}]',
            'raises(ValueError, merge_by_id, [{"id": 1}], [{"id": 1, "a": 1}, {"id": 1, "a": 2}])',
            'assert merge_by_id([], [{"id": 1, "a": 1}]) == []',
            'left = [{"id": 3}, {"id": 1}, {"id": 2}]\n'
            'assert [r["id"] for r in merge_by_id(left, [{"id": 2, "z": 0}, {"id": 3, "z": 1}])] == [3, 1, 2]',
        ),
        reference=_src(
            '''
            def merge_by_id(left: list[dict], right: list[dict]) -> list[dict]:
                """Left join on 'id' (right wins on clashes); duplicate right ids raise."""
                lookup: dict = {}
                for row in right:
                    if row["id"] in lookup:
                        raise ValueError(f"duplicate id {row['id']!r} in the right list")
                    lookup[row["id"]] = row
                return [{**row, **lookup.get(row["id"], {})} for row in left]
            '''
        ),
        near_miss=_src(
            '''
            def merge_by_id(left: list[dict], right: list[dict]) -> list[dict]:
                """Add the matching right fields to each left row."""
                lookup = {row["id"]: row for row in right}
                out = []
                for row in left:  # the left value wins: the words say the right one does
                    extra = lookup.get(row["id"], {})
                    out.append({**row, **{k: v for k, v in extra.items() if k not in row}})
                return out
            '''
        ),
    ),
    DsTask(
        name="flatten_dict",
        category="records",
        cell=_src(
            """
            Flatten nested dicts into one level with dotted keys, so {'a': {'b': 1}} becomes {'a.b': 1}; lists stay as they are, and an empty nested dict disappears. An optional second argument replaces the '.' separator.
            >>> flatten_dict({"user": {"name": "Ann", "address": {"city": "Oslo"}}, "id": 7})
            {'user.name': 'Ann', 'user.address.city': 'Oslo', 'id': 7}
            """
        ),
        hidden=(
            'assert flatten_dict({"a": {"b": {"c": 1}}}, "_") == {"a_b_c": 1}',
            'assert flatten_dict({"tags": ["x", {"y": 1}]}) == {"tags": ["x", {"y": 1}]}',
            'assert flatten_dict({"a": {}, "b": 1}) == {"b": 1}',
            "assert flatten_dict({}) == {}",
            'assert flatten_dict({"a": {"b": {"c": {"d": None}}}, "e": {"f": 0}}) == {"a.b.c.d": None, "e.f": 0}',
        ),
        reference=_src(
            '''
            def flatten_dict(data: dict, sep: str = ".") -> dict:
                """One level with ``sep``-joined keys; lists kept, empty nested dicts dropped."""
                flat: dict = {}
                for key, value in data.items():
                    if isinstance(value, dict):
                        for sub_key, sub_value in flatten_dict(value, sep).items():
                            flat[f"{key}{sep}{sub_key}"] = sub_value
                    else:
                        flat[key] = value
                return flat
            '''
        ),
        near_miss=_src(
            '''
            def flatten_dict(data: dict, sep: str = ".", prefix: str = "") -> dict:
                """Flatten with dotted keys."""
                flat = {}
                for key, value in data.items():
                    name = f"{prefix}{sep}{key}" if prefix else key
                    if isinstance(value, dict) and value:
                        flat.update(flatten_dict(value, sep, name))
                    else:
                        flat[name] = value
                return flat
            '''
        ),
    ),
    DsTask(
        name="fill_missing_keys",
        category="records",
        cell=_src(
            """
            Give every row (a dict) the same keys, namely all keys seen in any row in first-seen order, filling missing ones with None or with a fill value passed as the second argument. Don't modify the input rows.
            >>> fill_missing_keys([{"a": 1}, {"b": 2}])
            [{'a': 1, 'b': None}, {'a': None, 'b': 2}]
            """
        ),
        hidden=(
            'assert fill_missing_keys([{"a": 1}, {"b": 2}], 0) == [{"a": 1, "b": 0}, {"a": 0, "b": 2}]',
            'assert list(fill_missing_keys([{"a": 1}, {"b": 2, "a": 3}])[1]) == ["a", "b"]',
            # First-seen order is not sorted order.
            'assert list(fill_missing_keys([{"b": 1}, {"a": 2}])[0]) == ["b", "a"]',
            "rows = [{'a': 1}, {'b': 2}]\nassert fill_missing_keys(rows) != [] and rows == [{'a': 1}, {'b': 2}]",
            "assert fill_missing_keys([]) == []",
            'assert fill_missing_keys([{"a": None}, {"b": 1}], 0) == [{"a": None, "b": 0}, {"a": 0, "b": 1}]',
        ),
        reference=_src(
            '''
            def fill_missing_keys(rows: list[dict], fill: object = None) -> list[dict]:
                """New rows with the union of keys (first-seen order), gaps set to ``fill``."""
                keys: list = []
                for row in rows:
                    for key in row:
                        if key not in keys:
                            keys.append(key)
                return [{key: row.get(key, fill) for key in keys} for row in rows]
            '''
        ),
        near_miss=_src(
            '''
            def fill_missing_keys(rows: list[dict], fill=None) -> list[dict]:
                """Add the missing keys to each row."""
                keys = []
                for row in rows:
                    for key in row:
                        if key not in keys:
                            keys.append(key)
                for row in rows:  # filled in place: the words say not to
                    filled = {key: row.get(key, fill) for key in keys}
                    row.clear()
                    row.update(filled)
                return rows
            '''
        ),
    ),
    DsTask(
        name="validate_people",
        category="records",
        cell=_src(
            """
            Validate person rows: each needs a non-empty string 'name' and an integer 'age' from 0 to 130 (a bool is not an age), and the first bad row raises ValueError, so negative ages raise too. When every row is fine, return the rows unchanged.
            assert validate_people([{"name": "Ann", "age": 31}]) == [{"name": "Ann", "age": 31}]
            """
        ),
        hidden=(
            'raises(ValueError, validate_people, [{"name": "Ann", "age": -1}])',
            'raises(ValueError, validate_people, [{"name": "Ann", "age": 31}, {"name": "Old", "age": 131}])',
            'raises(ValueError, validate_people, [{"age": 40}])',
            'raises(ValueError, validate_people, [{"name": "", "age": 40}])',
            'raises(ValueError, validate_people, [{"name": "Ann", "age": "30"}])',
            'raises(ValueError, validate_people, [{"name": "Ann", "age": True}])',
            "assert validate_people([]) == []",
            'assert validate_people([{"name": "A", "age": 0}, {"name": "B", "age": 130}]) == [{"name": "A", "age": 0}, {"name": "B", "age": 130}]',
        ),
        reference=_src(
            '''
            def validate_people(rows: list[dict]) -> list[dict]:
                """Rows unchanged if each has a non-empty str name and an int age in 0..130."""
                for index, row in enumerate(rows):
                    name, age = row.get("name"), row.get("age")
                    if not isinstance(name, str) or not name:
                        raise ValueError(f"row {index}: 'name' must be a non-empty string")
                    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130:
                        raise ValueError(f"row {index}: 'age' must be an integer from 0 to 130")
                return rows
            '''
        ),
        near_miss=_src(
            '''
            def validate_people(rows: list[dict]) -> list[dict]:
                """Check names and ages."""
                for row in rows:
                    if not row["name"]:
                        raise ValueError("missing name")
                    if row["age"] < 0:
                        raise ValueError("negative age")
                return rows
            '''
        ),
    ),
    DsTask(
        name="min_max_scale",
        category="records",
        cell=_src(
            """
            Min-max scale a list of numbers to the 0-1 range. If all values are equal return all zeros, and an empty list gives an empty list.
            >>> min_max_scale([10, 20, 30])
            [0.0, 0.5, 1.0]
            """
        ),
        hidden=(
            "assert min_max_scale([5, 5, 5]) == [0.0, 0.0, 0.0]",
            "assert min_max_scale([]) == []",
            "assert min_max_scale([-5, 5]) == [0.0, 1.0]",
            "assert [round(x, 6) for x in min_max_scale([1, 2, 4])] == [0.0, 0.333333, 1.0]",
            "assert min_max_scale([7]) == [0.0]",
        ),
        reference=_src(
            '''
            def min_max_scale(values: list[float]) -> list[float]:
                """(v - min) / (max - min); all equal gives zeros; empty gives []."""
                if not values:
                    return []
                low, high = min(values), max(values)
                if low == high:
                    return [0.0] * len(values)
                return [(v - low) / (high - low) for v in values]
            '''
        ),
        near_miss=_src(
            '''
            def min_max_scale(values: list[float]) -> list[float]:
                """Scale to [0, 1]."""
                low, high = min(values), max(values)
                return [(v - low) / (high - low) for v in values]
            '''
        ),
    ),
    DsTask(
        name="z_scores",
        category="records",
        cell=_src(
            """
            Standardise a list of numbers to z-scores using the population standard deviation, each rounded to 3 decimals. Fewer than two values raises ValueError, and if every value is the same return all zeros.
            >>> z_scores([2, 4, 4, 4, 5, 5, 7, 9])
            [-1.5, -0.5, -0.5, -0.5, 0.0, 0.0, 1.0, 2.0]
            """
        ),
        hidden=(
            "raises(ValueError, z_scores, [5])",
            "raises(ValueError, z_scores, [])",
            "assert z_scores([3, 3, 3]) == [0.0, 0.0, 0.0]",
            "assert z_scores([0.1, 0.1, 0.1]) == [0.0, 0.0, 0.0]",
            "assert z_scores([1, 3]) == [-1.0, 1.0]",
            "assert z_scores([1, 2, 3]) == [-1.225, 0.0, 1.225]",
        ),
        reference=_src(
            '''
            import math


            def z_scores(values: list[float]) -> list[float]:
                """Population z-scores rounded to 3 places; < 2 values raise; all equal -> zeros."""
                if len(values) < 2:
                    raise ValueError("need at least two values")
                if min(values) == max(values):
                    return [0.0] * len(values)
                mean = sum(values) / len(values)
                sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
                return [round((v - mean) / sd, 3) for v in values]
            '''
        ),
        near_miss=_src(
            '''
            from statistics import mean, pstdev


            def z_scores(values: list[float]) -> list[float]:
                """z-scores with the population standard deviation."""
                m, sd = mean(values), pstdev(values)
                return [round((v - m) / sd, 3) for v in values]
            '''
        ),
    ),
    DsTask(
        name="moving_average",
        category="records",
        cell=_src(
            """
            Trailing moving average over a window of n values: position i averages values i-n+1 to i, and the first n-1 positions, which have no full window, are None. A window smaller than 1 raises ValueError.
            >>> moving_average([1, 2, 3, 4, 5], 3)
            [None, None, 2.0, 3.0, 4.0]
            """
        ),
        hidden=(
            "assert moving_average([1, 2, 3], 1) == [1.0, 2.0, 3.0]",
            "raises(ValueError, moving_average, [1, 2, 3], 0)",
            "raises(ValueError, moving_average, [1, 2, 3], -2)",
            "assert moving_average([1, 2], 5) == [None, None]",
            "assert moving_average([], 3) == []",
            "assert moving_average([1, 2, 4, 8], 2) == [None, 1.5, 3.0, 6.0]",
        ),
        reference=_src(
            '''
            def moving_average(values: list[float], window: int) -> list[float | None]:
                """Trailing mean over ``window`` values; None until the window is full."""
                if window < 1:
                    raise ValueError("window must be at least 1")
                return [
                    None if i + 1 < window else sum(values[i + 1 - window : i + 1]) / window
                    for i in range(len(values))
                ]
            '''
        ),
        near_miss=_src(
            '''
            def moving_average(values, window):
                """Trailing moving average."""
                return [
                    None if i < window - 1 else sum(values[i - window + 1 : i + 1]) / window
                    for i in range(len(values))
                ]
            '''
        ),
    ),
    DsTask(
        name="bucket_ages",
        category="records",
        cell=_src(
            """
            Count ages into the buckets '0-17', '18-34', '35-54' and '55+', returning a dict in which every bucket appears even when its count is 0. A negative age raises ValueError.
            >>> bucket_ages([5, 20, 34, 35, 80])
            {'0-17': 1, '18-34': 2, '35-54': 1, '55+': 1}
            """
        ),
        hidden=(
            'assert bucket_ages([]) == {"0-17": 0, "18-34": 0, "35-54": 0, "55+": 0}',
            'assert bucket_ages([17, 18, 34, 35, 54, 55]) == {"0-17": 1, "18-34": 2, "35-54": 2, "55+": 1}',
            "raises(ValueError, bucket_ages, [30, -1])",
            'assert bucket_ages([100]) == {"0-17": 0, "18-34": 0, "35-54": 0, "55+": 1}',
            'assert bucket_ages([0, 0]) == {"0-17": 2, "18-34": 0, "35-54": 0, "55+": 0}',
        ),
        reference=_src(
            '''
            def bucket_ages(ages: list[int]) -> dict[str, int]:
                """Counts for '0-17', '18-34', '35-54', '55+' (all present); negatives raise."""
                counts = {"0-17": 0, "18-34": 0, "35-54": 0, "55+": 0}
                for age in ages:
                    if age < 0:
                        raise ValueError(f"negative age {age}")
                    if age < 18:
                        counts["0-17"] += 1
                    elif age < 35:
                        counts["18-34"] += 1
                    elif age < 55:
                        counts["35-54"] += 1
                    else:
                        counts["55+"] += 1
                return counts
            '''
        ),
        near_miss=_src(
            '''
            from collections import Counter


            def bucket_ages(ages: list[int]) -> dict[str, int]:
                """Count ages per bucket."""

                def label(age: int) -> str:
                    if age < 18:
                        return "0-17"
                    if age < 35:
                        return "18-34"
                    if age < 55:
                        return "35-54"
                    return "55+"

                return dict(Counter(label(a) for a in ages))
            '''
        ),
    ),
    DsTask(
        name="rank_scores",
        category="records",
        cell=_src(
            """
            Rank scores from highest to lowest with competition ranking, where tied scores share a rank and the ranks after a tie are skipped (1, 2, 2, 4); give each score's rank in the original order. An empty list gives [].
            >>> rank_scores([90, 80, 95])
            [2, 3, 1]
            """
        ),
        hidden=(
            "assert rank_scores([10, 20, 20, 5]) == [3, 1, 1, 4]",
            "assert rank_scores([]) == []",
            "assert rank_scores([7, 7, 7]) == [1, 1, 1]",
            "assert rank_scores([1]) == [1]",
            "assert rank_scores([3.5, 9, 3.5, 1]) == [2, 1, 2, 4]",
        ),
        reference=_src(
            '''
            def rank_scores(scores: list[float]) -> list[int]:
                """Competition ranks (1, 2, 2, 4), highest score first, in input order."""
                return [1 + sum(other > score for other in scores) for score in scores]
            '''
        ),
        near_miss=_src(
            '''
            def rank_scores(scores: list[float]) -> list[int]:
                """Rank of each score, highest first."""
                order = sorted(set(scores), reverse=True)
                return [order.index(s) + 1 for s in scores]
            '''
        ),
    ),
]
