"""Text cleaning requests: whitespace, slugs, names, phone numbers, emails, tags, headers.

The everyday string chores of a notebook, each with a rule a quick solution tends
to miss (blank input, a second format, an error case) stated in its words.
"""

from __future__ import annotations

from . import DsTask
from . import src as _src

TASKS: list[DsTask] = [
    DsTask(
        name="squash_whitespace",
        category="text",
        cell=_src(
            """
            Collapse every run of spaces, tabs and newlines in each string of a list to one space and trim the ends. None entries stay None.
            >>> squash_whitespace(["  hello   world ", "Data    Science"])
            ['hello world', 'Data Science']
            """
        ),
        hidden=(
            'assert squash_whitespace([None, " a "]) == [None, "a"]',
            r'assert squash_whitespace(["tab\there\nnew   line"]) == ["tab here new line"]',
            "assert squash_whitespace([]) == []",
            'assert squash_whitespace(["   "]) == [""]',
            'assert squash_whitespace(["already clean", None, None]) == ["already clean", None, None]',
        ),
        reference=_src(
            '''
            import re


            def squash_whitespace(values: list[str | None]) -> list[str | None]:
                """Collapse whitespace runs to one space and strip each string; None stays None."""
                return [None if v is None else re.sub(r"\\s+", " ", v).strip() for v in values]
            '''
        ),
        near_miss=_src(
            '''
            def squash_whitespace(values: list[str]) -> list[str]:
                """Collapse whitespace in each string."""
                return [" ".join(v.split()) for v in values]
            '''
        ),
    ),
    DsTask(
        name="slugify_title",
        category="text",
        cell=_src(
            """
            Make a URL slug from a title: lowercase, accents dropped (é becomes e), every run of characters that aren't letters or digits becomes one hyphen, and no hyphens at either end. If nothing is left, raise ValueError.
            >>> slugify_title("Hello, World!")
            'hello-world'
            """
        ),
        hidden=(
            'assert slugify_title("Café Déjà Vu") == "cafe-deja-vu"',
            'assert slugify_title("  --Data   Science 101--  ") == "data-science-101"',
            'assert slugify_title("Q3 Report: Sales & Costs") == "q3-report-sales-costs"',
            'raises(ValueError, slugify_title, "!!!")',
            'raises(ValueError, slugify_title, "")',
        ),
        reference=_src(
            '''
            import re
            import unicodedata


            def slugify_title(title: str) -> str:
                """Lowercase ASCII slug with single hyphens; ValueError if nothing is left."""
                folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
                slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
                if not slug:
                    raise ValueError(f"nothing to make a slug of in {title!r}")
                return slug
            '''
        ),
        near_miss=_src(
            '''
            import re


            def slugify_title(title: str) -> str:
                """Lowercase slug with hyphens."""
                return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            '''
        ),
    ),
    DsTask(
        name="split_full_name",
        category="text",
        cell=_src(
            """
            Split a full name into (first, last): the last word is the last name and all the words before it are the first name, with extra spaces ignored. A single word gives (word, ''), and a blank name raises ValueError.
            >>> split_full_name("Ada King Lovelace")
            ('Ada King', 'Lovelace')
            """
        ),
        hidden=(
            'assert split_full_name("Cher") == ("Cher", "")',
            'assert split_full_name("  Grace   Hopper ") == ("Grace", "Hopper")',
            'assert split_full_name("Mary  Ann   Evans") == ("Mary Ann", "Evans")',
            'raises(ValueError, split_full_name, "   ")',
            'raises(ValueError, split_full_name, "")',
            'assert isinstance(split_full_name("Alan Turing"), tuple)',
            # The words are split, never rewritten: an apostrophe or hyphen stays put.
            'assert split_full_name("Sinead O\'Connor") == ("Sinead", "O\'Connor")',
            'assert split_full_name("Jean-Luc Picard") == ("Jean-Luc", "Picard")',
        ),
        reference=_src(
            '''
            def split_full_name(full_name: str) -> tuple[str, str]:
                """(first names, last name); one word gives (word, ''); blank raises ValueError."""
                words = full_name.split()
                if not words:
                    raise ValueError("the name is blank")
                if len(words) == 1:
                    return words[0], ""
                return " ".join(words[:-1]), words[-1]
            '''
        ),
        near_miss=_src(
            '''
            def split_full_name(full_name: str) -> tuple[str, str]:
                """Split off the last word as the last name."""
                parts = full_name.strip().split(" ")
                return " ".join(parts[:-1]), parts[-1]
            '''
        ),
    ),
    DsTask(
        name="format_us_phone",
        category="text",
        cell=_src(
            """
            Normalise US phone numbers written as '(555) 123-4567', '555.123.4567', '5551234567' or with a leading '+1' or '1' into the form '555-123-4567'. If what's left isn't exactly 10 digits, raise ValueError.
            >>> format_us_phone("(555) 123-4567")
            '555-123-4567'
            """
        ),
        hidden=(
            'assert format_us_phone("555.123.4567") == "555-123-4567"',
            'assert format_us_phone("+1 555 123 4567") == "555-123-4567"',
            'assert format_us_phone("1-555-123-4567") == "555-123-4567"',
            'assert format_us_phone("5551234567") == "555-123-4567"',
            'raises(ValueError, format_us_phone, "123-4567")',
            'raises(ValueError, format_us_phone, "555-123-45678")',
            'raises(ValueError, format_us_phone, "")',
        ),
        reference=_src(
            '''
            import re


            def format_us_phone(raw: str) -> str:
                """'XXX-XXX-XXXX' from any common US format; ValueError unless 10 digits remain."""
                digits = re.sub(r"\\D", "", raw)
                if len(digits) == 11 and digits.startswith("1"):
                    digits = digits[1:]
                if len(digits) != 10:
                    raise ValueError(f"not a 10-digit US phone number: {raw!r}")
                return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
            '''
        ),
        near_miss=_src(
            '''
            import re


            def format_us_phone(raw: str) -> str:
                """Keep the last ten digits and format them."""
                digits = re.sub(r"\\D", "", raw)[-10:]
                return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
            '''
        ),
    ),
    DsTask(
        name="extract_hashtags",
        category="text",
        cell=_src(
            """
            Pull the hashtags out of a post: a tag is '#' followed by letters, digits or underscores. Return them lowercased without the '#', in order of first appearance, no duplicates; no hashtags gives an empty list.
            >>> extract_hashtags("Loving #Python and #pandas! #python")
            ['python', 'pandas']
            """
        ),
        hidden=(
            'assert extract_hashtags("") == []',
            'assert extract_hashtags("no tags here") == []',
            'assert extract_hashtags("#data_science rocks #AI2024") == ["data_science", "ai2024"]',
            'assert extract_hashtags("#b #a #B") == ["b", "a"]',
            'assert extract_hashtags("# alone") == []',
        ),
        reference=_src(
            '''
            import re


            def extract_hashtags(post: str) -> list[str]:
                """Lowercase tags without '#', first-seen order, no duplicates."""
                tags: list[str] = []
                for tag in re.findall(r"#(\\w+)", post):
                    tag = tag.lower()
                    if tag not in tags:
                        tags.append(tag)
                return tags
            '''
        ),
        near_miss=_src(
            '''
            import re


            def extract_hashtags(post: str) -> list[str]:
                """Hashtag words, lowercased and deduplicated."""
                return list(dict.fromkeys(t.lower() for t in re.findall(r"#([A-Za-z]+)", post)))
            '''
        ),
    ),
    DsTask(
        name="truncate_text",
        category="text",
        cell=_src(
            """
            Shorten text to at most `limit` characters by cutting at a word boundary and adding '...' (the dots count toward the limit); text that already fits comes back unchanged. A limit under 4 raises ValueError.
            >>> truncate_text("The quick brown fox jumps over", 15)
            'The quick...'
            """
        ),
        hidden=(
            'assert truncate_text("short", 10) == "short"',
            'assert truncate_text("exactly 10", 10) == "exactly 10"',
            'assert truncate_text("alpha beta gamma delta", 14) == "alpha beta..."',
            'assert len(truncate_text("a fairly long sentence that keeps going on", 20)) <= 20',
            'assert truncate_text("a fairly long sentence that keeps going on", 20).endswith("...")',
            'raises(ValueError, truncate_text, "anything at all", 3)',
            # "A limit under 4 raises" holds for text that fits, too.
            'raises(ValueError, truncate_text, "hi", 2)',
            # The last word boundary before the limit leaves no room for the dots here.
            'assert len(truncate_text("The quick brown fox jumps over", 20)) <= 20',
        ),
        reference=_src(
            '''
            def truncate_text(text: str, limit: int) -> str:
                """Cut at a word boundary so the result plus '...' fits in ``limit``."""
                if limit < 4:
                    raise ValueError("limit must be at least 4")
                if len(text) <= limit:
                    return text
                room = limit - 3
                cut = text[:room]
                if text[room] != " " and " " in cut:
                    cut = cut.rsplit(" ", 1)[0]
                return cut.rstrip() + "..."
            '''
        ),
        near_miss=_src(
            '''
            def truncate_text(text: str, limit: int) -> str:
                """Cut at a word boundary and add an ellipsis."""
                cut = text[: limit - 3]
                if " " in cut:
                    cut = cut.rsplit(" ", 1)[0]
                return cut.rstrip() + "..."
            '''
        ),
    ),
    DsTask(
        name="mask_email",
        category="text",
        cell=_src(
            """
            Mask an email address for sharing: lowercase it, keep the first character of the part before the '@', replace the rest of that part with '***', and keep the domain. Raise ValueError unless there's exactly one '@' with text on both sides.
            >>> mask_email("John.Smith@Example.com")
            'j***@example.com'
            """
        ),
        hidden=(
            'assert mask_email("a@b.org") == "a***@b.org"',
            'assert mask_email("X@Y.IO") == "x***@y.io"',
            'raises(ValueError, mask_email, "no-at-sign.com")',
            'raises(ValueError, mask_email, "a@@b.com")',
            'raises(ValueError, mask_email, "@example.com")',
            'raises(ValueError, mask_email, "bob@")',
        ),
        reference=_src(
            '''
            def mask_email(email: str) -> str:
                """'j***@example.com'; ValueError unless exactly one '@' with text around it."""
                text = email.strip().lower()
                if text.count("@") != 1:
                    raise ValueError(f"not an email address: {email!r}")
                local, domain = text.split("@")
                if not local or not domain:
                    raise ValueError(f"not an email address: {email!r}")
                return f"{local[0]}***@{domain}"
            '''
        ),
        near_miss=_src(
            '''
            def mask_email(email: str) -> str:
                """Hide all but the first letter of the local part."""
                local, domain = email.lower().split("@", 1)
                return f"{local[0]}***@{domain}"
            '''
        ),
    ),
    DsTask(
        name="clean_column_names",
        category="text",
        cell=_src(
            """
            Turn messy column headers into snake_case: lowercase, each run of characters that aren't letters or digits becomes a single underscore, no underscores at the ends, and a name that would start with a digit gets a leading '_'. Names that come out the same get _2, _3, ... in order.
            >>> clean_column_names(["First Name", "Total $ (USD)", "first-name"])
            ['first_name', 'total_usd', 'first_name_2']
            """
        ),
        hidden=(
            'assert clean_column_names(["2023 Sales"]) == ["_2023_sales"]',
            'assert clean_column_names(["a", "A", "a!"]) == ["a", "a_2", "a_3"]',
            "assert clean_column_names([]) == []",
            'assert clean_column_names(["  Unit Price  "]) == ["unit_price"]',
            'assert clean_column_names(["% growth", "Q1 (est.)"]) == ["growth", "q1_est"]',
        ),
        reference=_src(
            '''
            import re


            def clean_column_names(headers: list[str]) -> list[str]:
                """snake_case headers; leading '_' before a digit; repeats get _2, _3, ..."""
                seen: dict[str, int] = {}
                out: list[str] = []
                for header in headers:
                    name = re.sub(r"[^0-9a-z]+", "_", str(header).strip().lower()).strip("_")
                    if name[:1].isdigit():
                        name = "_" + name
                    seen[name] = seen.get(name, 0) + 1
                    out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
                return out
            '''
        ),
        near_miss=_src(
            '''
            import re


            def clean_column_names(headers: list[str]) -> list[str]:
                """snake_case headers with numbered repeats."""
                seen: dict[str, int] = {}
                out = []
                for header in headers:
                    name = re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_")
                    seen[name] = seen.get(name, 0) + 1
                    out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
                return out
            '''
        ),
    ),
    DsTask(
        name="word_counts",
        category="text",
        cell=_src(
            """
            Count how often each word appears in a text, ignoring case and punctuation (an apostrophe inside a word, as in "don't", is part of the word). Return a dict ordered by count, highest first, ties in alphabetical order; empty text gives {}.
            >>> word_counts("The cat and the hat.")
            {'the': 2, 'and': 1, 'cat': 1, 'hat': 1}
            """
        ),
        hidden=(
            'assert list(word_counts("b a b c a b").items()) == [("b", 3), ("a", 2), ("c", 1)]',
            'assert word_counts("") == {}',
            'assert word_counts("Don\'t stop, don\'t!") == {"don\'t": 2, "stop": 1}',
            'assert word_counts("...!!! ---") == {}',
            'assert list(word_counts("zeta beta Zeta alpha")) == ["zeta", "alpha", "beta"]',
        ),
        reference=_src(
            '''
            import re
            from collections import Counter


            def word_counts(text: str) -> dict[str, int]:
                """Case-insensitive word counts, highest first, ties alphabetical."""
                words = re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text.lower())
                counts = Counter(words)
                return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            '''
        ),
        near_miss=_src(
            '''
            import re
            from collections import Counter


            def word_counts(text: str) -> dict[str, int]:
                """Word frequencies, most common first."""
                counts = Counter(re.findall(r"\\w+", text.lower()))  # splits "don't"
                return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            '''
        ),
    ),
    DsTask(
        name="parse_key_values",
        category="text",
        cell=_src(
            """
            Parse a settings string like 'host = db1; port=5432' into a dict: pieces are separated by ';', each piece is split at its first '=', keys and values are stripped, and empty pieces are skipped. A piece with no '=' raises ValueError.
            >>> parse_key_values("host = db1; port=5432;")
            {'host': 'db1', 'port': '5432'}
            """
        ),
        hidden=(
            'assert parse_key_values("") == {}',
            'assert parse_key_values("a=1;;b=2") == {"a": "1", "b": "2"}',
            'raises(ValueError, parse_key_values, "a=1; oops")',
            'assert parse_key_values("url=http://x?a=b") == {"url": "http://x?a=b"}',
            'assert parse_key_values("  key =  spaced value  ") == {"key": "spaced value"}',
        ),
        reference=_src(
            '''
            def parse_key_values(text: str) -> dict[str, str]:
                """'k = v; k2=v2' to a dict of stripped strings; a piece without '=' raises."""
                result: dict[str, str] = {}
                for piece in text.split(";"):
                    if not piece.strip():
                        continue
                    if "=" not in piece:
                        raise ValueError(f"no '=' in {piece.strip()!r}")
                    key, value = piece.split("=", 1)
                    result[key.strip()] = value.strip()
                return result
            '''
        ),
        near_miss=_src(
            '''
            def parse_key_values(text: str) -> dict[str, str]:
                """Split on ';' then '='."""
                pairs = (p.split("=") for p in text.split(";") if p.strip())
                return {k.strip(): v.strip() for k, v in pairs}
            '''
        ),
    ),
]
