"""Hand-written data-science utility tools: name | parameters | description | request | sample args.

One tool per line, fields separated by `` | ``. The signature is ``name(parameters)``
and the sample is ``name(sample args)``. Written to look like what people actually
forge; several are deliberately close to each other (parse_date / parse_datetime,
mean / median / trimmed mean) so that ranking has real confusers.
"""

TOOLS = r"""
clean_prices | values: list[str] -> list[float] | Turn price strings with currency symbols and thousands separators into floats. | Convert a column of price strings like "$1,234.50" or "(12.00)" into floats, parentheses meaning negative. | ["$1.50", "(2)"]
parse_money | text: str -> float | Parse one money amount such as "€1.234,50" or "-$3" into a float. | Parse a single money string into a number, handling euro and dollar formats. | "$1,234.50"
parse_percent | text: str -> float | Convert a percentage string like "12.5%" into a fraction 0.125. | Turn "45%" into 0.45; accept spaces and a trailing percent sign. | "12.5%"
format_currency | amount: float, symbol: str = "$" -> str | Format a number as a currency string with two decimals and thousands separators. | Pretty-print an amount like 1234.5 as "$1,234.50". | 1234.5
parse_date | text: str -> datetime.date | Parse a date string in common formats (ISO, day/month/year, "Jan 5 2024") into a date. | Read dates written in different styles and give back a date object. | "2024-01-05"
parse_datetime | text: str, tz: str = "UTC" -> datetime.datetime | Parse a timestamp string with optional timezone into an aware datetime. | Convert timestamps like "2024-01-05 13:45:00+02:00" into timezone-aware datetimes. | "2024-01-05T13:45:00Z"
parse_dates | values: list[str] -> list[datetime.date] | Parse a list of mixed-format date strings, returning None for ones that fail. | Parse every string in a list as a date, leaving None where parsing is impossible. | ["2024-01-05", "bad"]
to_iso_week | day: datetime.date -> str | Return the ISO year-week label like "2024-W01" for a date. | Give me the ISO week label of a date so I can group by week. | date(2024, 1, 5)
fiscal_quarter | day: datetime.date, start_month: int = 4 -> str | Label a date with its fiscal quarter given the month the fiscal year starts. | Which fiscal quarter is a date in when our year starts in April? Return like "FY2024-Q3". | date(2024, 1, 5), 4
business_days_between | start: datetime.date, end: datetime.date -> int | Count weekdays (Monday to Friday) between two dates, excluding the end. | How many working days are there between two dates, ignoring weekends. | date(2024, 1, 1), date(2024, 1, 8)
add_business_days | day: datetime.date, n: int -> datetime.date | Move a date forward by n working days, skipping Saturdays and Sundays. | Add a number of business days to a date, skipping weekends. | date(2024, 1, 5), 1
age_in_years | birth: datetime.date, on: datetime.date -> int | Compute a person's age in whole years on a given date. | Work out how old someone is from their birthday. | date(1990, 6, 1), date(2024, 1, 1)
month_start | day: datetime.date -> datetime.date | Return the first day of the month a date falls in. | Truncate a date to the first of its month. | date(2024, 3, 17)
month_end | day: datetime.date -> datetime.date | Return the last day of the month for a date, handling leap years. | Give the last calendar day of the month containing a date. | date(2024, 2, 10)
date_range_days | start: datetime.date, end: datetime.date -> list[datetime.date] | List every date from start to end inclusive. | Make a list of all days between two dates, both ends included. | date(2024, 1, 1), date(2024, 1, 3)
unix_to_datetime | seconds: float -> datetime.datetime | Convert a Unix epoch timestamp in seconds into a UTC datetime. | Turn epoch seconds like 1700000000 into a UTC datetime. | 1700000000
datetime_to_unix | moment: datetime.datetime -> float | Convert a datetime into Unix epoch seconds. | Give the epoch seconds of a datetime object. | datetime(2024, 1, 1)
parse_duration | text: str -> float | Parse a human duration like "1h 30m" or "90s" into seconds. | Read durations written as "2h15m" or "45 sec" and return the number of seconds. | "1h 30m"
humanize_seconds | seconds: float -> str | Format a number of seconds as a short human string like "1h 02m 05s". | Show an elapsed time in seconds as hours, minutes and seconds. | 3725
convert_timezone | moment: datetime.datetime, tz: str -> datetime.datetime | Convert an aware datetime to another IANA timezone. | Shift a timestamp from UTC to "Europe/Paris" local time. | datetime(2024, 1, 1, 12, tzinfo=timezone.utc), "Europe/Paris"
is_weekend | day: datetime.date -> bool | Tell whether a date is a Saturday or Sunday. | Check if a given date falls on the weekend. | date(2024, 1, 6)
season_of | day: datetime.date, hemisphere: str = "north" -> str | Name the meteorological season (winter, spring, summer, autumn) of a date. | Map a date to its season, with the southern hemisphere flipped. | date(2024, 7, 1)
slugify | title: str -> str | Turn a title into a lowercase URL slug joined with hyphens. | Make a URL-friendly slug from a title: lowercase, letters and digits only, hyphens between words. | "Hello, World!"
snake_case | text: str -> str | Convert CamelCase or spaced text into snake_case. | Rename "Customer ID" or "customerId" to customer_id. | "customerId"
camel_case | text: str -> str | Convert snake_case or spaced words into camelCase. | Turn customer_id into customerId. | "customer_id"
normalize_whitespace | text: str -> str | Collapse runs of spaces, tabs and newlines into single spaces and trim the ends. | Clean up messy spacing in a string so words are separated by one space. | "  a   b\n c "
strip_accents | text: str -> str | Remove diacritics so "café" becomes "cafe". | Replace accented letters with plain ASCII ones. | "Crème brûlée"
remove_punctuation | text: str -> str | Delete punctuation characters from a string, keeping letters, digits and spaces. | Strip all punctuation out of some text. | "Hi! How are you?"
word_count | text: str -> int | Count the words in a text. | How many words does this string have? | "the quick brown fox"
word_frequencies | text: str, top: int = 10 -> list[tuple[str, int]] | Return the most common words in a text with their counts, ignoring case. | Find the top N most frequent words in a document. | "a b a c a b", 2
extract_emails | text: str -> list[str] | Find all email addresses in a block of text. | Pull every e-mail address out of a text. | "write to a@b.com or c@d.org"
extract_urls | text: str -> list[str] | Find all http and https URLs in a text. | Get the links out of a paragraph. | "see https://x.org/a and http://y.com"
extract_phone_numbers | text: str -> list[str] | Find phone numbers in free text in common international formats. | Pull telephone numbers from notes, like +44 20 7946 0958 or (555) 123-4567. | "call (555) 123-4567"
extract_hashtags | text: str -> list[str] | Return the hashtags used in a social media post. | Get all #tags from a tweet. | "love #python and #data"
extract_numbers | text: str -> list[float] | Pull every number, including decimals and negatives, out of a string. | Find all the numeric values written in a sentence. | "temp -3.5 to 12"
mask_emails | text: str -> str | Replace the local part of email addresses with asterisks for privacy. | Hide e-mail addresses in text before sharing it, e.g. "j***@x.com". | "mail john@x.com"
redact_credit_cards | text: str -> str | Replace credit card numbers in text with a redaction marker. | Remove card numbers from support tickets before analysis. | "card 4111 1111 1111 1111"
truncate_text | text: str, width: int = 50 -> str | Shorten a string to a maximum width, ending with an ellipsis on a word boundary. | Cut long descriptions down to N characters without splitting words, adding "...". | "a long sentence here", 10
pad_left | text: str, width: int, fill: str = "0" -> str | Pad a string on the left to a fixed width. | Left-fill codes with zeros to a fixed length, like "42" to "00042". | "42", 5
levenshtein | a: str, b: str -> int | Compute the edit distance between two strings. | How many single-character edits turn one string into another? | "kitten", "sitting"
jaro_winkler | a: str, b: str -> float | Compute the Jaro-Winkler similarity between two strings. | Give a 0 to 1 similarity score between two names, favouring common prefixes. | "martha", "marhta"
fuzzy_match | query: str, choices: list[str], cutoff: float = 0.6 -> str | None | Return the choice most similar to the query, or None below a cutoff. | Find the closest matching string in a list, for cleaning typos in categories. | "aple", ["apple", "pear"]
dedupe_names | names: list[str] -> list[str] | Remove near-duplicate person names that differ only in case, spacing or accents. | Clean a list of names so "José Smith" and "jose  smith" count once. | ["Ann Lee", "ann lee"]
ngrams | tokens: list[str], n: int = 2 -> list[tuple[str, ...]] | Return the consecutive n-grams of a token list. | Make bigrams or trigrams from a list of words. | ["a", "b", "c"], 2
tokenize_words | text: str -> list[str] | Split text into lowercase word tokens, dropping punctuation. | Break a sentence into lowercase words. | "Hello, world!"
remove_stopwords | tokens: list[str] -> list[str] | Drop common English stopwords from a token list. | Filter out words like "the", "and", "of" from tokens. | ["the", "cat", "sat"]
sentence_split | text: str -> list[str] | Split a paragraph into sentences on ., ! and ? boundaries. | Break text into its sentences. | "Hi there. How are you?"
count_vowels | text: str -> int | Count the vowels in a string. | How many vowels are in a word. | "banana"
is_palindrome | text: str -> bool | Tell whether text reads the same backwards, ignoring case and punctuation. | Check if a phrase is a palindrome. | "A man, a plan, a canal: Panama"
reverse_words | text: str -> str | Reverse the order of words in a sentence. | Flip the word order of a sentence. | "one two three"
title_case | text: str -> str | Capitalise each word except small words like "of" and "the". | Make a headline title case, keeping minor words lowercase. | "the lord of the rings"
html_to_text | html: str -> str | Strip HTML tags and unescape entities to get plain text. | Get readable text out of an HTML snippet. | "<p>Hi &amp; bye</p>"
markdown_table | rows: list[dict[str, object]] -> str | Render a list of dicts as a Markdown table. | Print records as a markdown table for a report. | [{"a": 1, "b": 2}]
wrap_text | text: str, width: int = 72 -> str | Wrap text to lines of at most a given width. | Reflow a long paragraph to 72 columns. | "a b c d e f", 3
detect_language | text: str -> str | Guess whether a short text is English, French, German or Spanish from common words. | Tell which language a sentence is written in. | "le chat est noir"
sentiment_score | text: str -> float | Score text sentiment from -1 to 1 with a small word list. | Rate how positive or negative a review is. | "great product, love it"
mean | values: list[float] -> float | Arithmetic mean of a list of numbers. | Average of a list of numbers. | [1, 2, 3]
median | values: list[float] -> float | Median of a list of numbers. | Return the middle value of a list, averaging the two middle ones when even. | [3, 1, 2]
mode | values: list[object] -> object | Most common value in a list (first one on ties). | Which value appears most often in a list? | [1, 2, 2, 3]
trimmed_mean | values: list[float], proportion: float = 0.1 -> float | Mean after cutting a proportion of the smallest and largest values. | Average that ignores the top and bottom 10% of values. | [1, 2, 3, 100], 0.25
weighted_mean | values: list[float], weights: list[float] -> float | Weighted average of values. | Average numbers with a weight for each one. | [1, 2], [3, 1]
geometric_mean | values: list[float] -> float | Geometric mean of positive numbers. | Compute the nth root of the product of positive values. | [1, 4]
harmonic_mean | values: list[float] -> float | Harmonic mean of positive numbers. | Harmonic average, e.g. for rates. | [1, 4, 4]
variance | values: list[float], ddof: int = 1 -> float | Sample variance of numbers. | Compute variance with n-1 in the denominator. | [1, 2, 3, 4]
std_dev | values: list[float], ddof: int = 1 -> float | Sample standard deviation of numbers. | Standard deviation of a list. | [2, 4, 4, 4, 5, 5, 7, 9]
percentile | values: list[float], q: float -> float | The q-th percentile with linear interpolation. | Get the 90th percentile of a list of numbers. | [1, 2, 3, 4], 50
iqr | values: list[float] -> float | Interquartile range (Q3 minus Q1). | Spread between the 25th and 75th percentiles. | [1, 2, 3, 4, 5, 6, 7, 8]
zscore | values: list[float] -> list[float] | Standardise values to mean 0 and standard deviation 1. | Convert each value to how many standard deviations it is from the mean. | [1, 2, 3]
min_max_scale | values: list[float], low: float = 0.0, high: float = 1.0 -> list[float] | Rescale values linearly into a range, 0 to 1 by default. | Normalise numbers so the smallest is 0 and the largest is 1. | [10, 20, 30]
robust_scale | values: list[float] -> list[float] | Scale values by subtracting the median and dividing by the IQR. | Standardise a feature in a way that outliers do not dominate. | [1, 2, 3, 100]
log_transform | values: list[float] -> list[float] | Apply log(1 + x) to non-negative values. | Log-transform skewed counts, safe for zeros. | [0, 9, 99]
box_cox | values: list[float], lam: float -> list[float] | Apply the Box-Cox power transform with a given lambda. | Box-Cox transform positive data for a chosen lambda. | [1, 2, 3], 0.5
winsorize | values: list[float], limits: float = 0.05 -> list[float] | Clip the most extreme values at given percentiles. | Cap outliers at the 5th and 95th percentiles instead of dropping them. | [1, 2, 3, 100], 0.25
outliers_iqr | values: list[float], k: float = 1.5 -> list[int] | Indices of values outside k times the IQR beyond the quartiles. | Find outliers with the 1.5 IQR rule and return their positions. | [1, 2, 3, 100]
outliers_zscore | values: list[float], threshold: float = 3.0 -> list[int] | Indices of values whose absolute z-score exceeds a threshold. | Flag points more than 3 standard deviations from the mean. | [1, 2, 3, 100], 1.0
pearson_correlation | x: list[float], y: list[float] -> float | Pearson correlation coefficient between two lists. | Linear correlation between two variables. | [1, 2, 3], [2, 4, 7]
spearman_correlation | x: list[float], y: list[float] -> float | Spearman rank correlation between two lists. | Rank-based correlation that works for monotonic relationships. | [1, 2, 3], [1, 4, 9]
covariance | x: list[float], y: list[float] -> float | Sample covariance of two lists. | How two variables vary together. | [1, 2, 3], [1, 2, 4]
linear_regression | x: list[float], y: list[float] -> tuple[float, float] | Least-squares slope and intercept of y on x. | Fit a straight line through points and return slope and intercept. | [0, 1, 2], [1, 3, 5]
r_squared | y_true: list[float], y_pred: list[float] -> float | Coefficient of determination of predictions. | How much variance do my predictions explain? | [1, 2, 3], [1, 2, 2]
moving_average | values: list[float], window: int = 3 -> list[float] | Simple moving average over a sliding window. | Smooth a time series with a rolling mean of N points. | [1, 2, 3, 4], 2
exponential_moving_average | values: list[float], alpha: float = 0.3 -> list[float] | Exponentially weighted moving average of a series. | Smooth data giving more weight to recent points. | [1, 2, 3], 0.5
cumulative_sum | values: list[float] -> list[float] | Running total of a list. | Cumulative totals of a list of numbers. | [1, 2, 3]
pct_change | values: list[float] -> list[float | None] | Percentage change between consecutive values. | Growth from each value to the next, as a fraction. | [100, 110, 99]
cagr | start: float, end: float, years: float -> float | Compound annual growth rate between two values. | Yearly growth rate that takes start to end over n years. | 100, 200, 5
bootstrap_ci | values: list[float], n: int = 1000, level: float = 0.95 -> tuple[float, float] | Bootstrap confidence interval of the mean. | Resample to get a 95% confidence interval for an average. | [1, 2, 3, 4], 200
t_test | a: list[float], b: list[float] -> tuple[float, float] | Welch's two-sample t statistic and p-value. | Test whether two groups have different means. | [1, 2, 3], [4, 5, 6]
chi_square_test | table: list[list[int]] -> tuple[float, float] | Chi-square statistic and p-value of a contingency table. | Test independence of two categorical variables from their counts. | [[10, 20], [20, 10]]
histogram_bins | values: list[float], bins: int = 10 -> list[int] | Count values falling into equal-width bins. | Bucket numbers into N equal ranges and count each. | [1, 2, 2, 3], 2
entropy | probs: list[float] -> float | Shannon entropy in bits of a probability distribution. | Information entropy of a distribution. | [0.5, 0.5]
gini_coefficient | values: list[float] -> float | Gini inequality coefficient of non-negative values. | Measure inequality of incomes between 0 and 1. | [1, 1, 1, 10]
normal_pdf | x: float, mu: float = 0.0, sigma: float = 1.0 -> float | Density of the normal distribution at x. | Gaussian bell curve value at a point. | 0.0
binomial_probability | k: int, n: int, p: float -> float | Probability of exactly k successes in n trials. | Chance of getting k heads in n coin flips with probability p. | 3, 10, 0.5
sample_size_proportion | margin: float, confidence: float = 0.95 -> int | Survey sample size needed for a proportion at a margin of error. | How many people do I need to survey for a 3% margin of error? | 0.03
drop_missing_rows | df: pandas.DataFrame, columns: list[str] | None = None -> pandas.DataFrame | Drop rows with missing values, optionally only in some columns. | Remove rows that have NaN in the given columns of a DataFrame. | df, ["price"]
fill_missing | df: pandas.DataFrame, strategy: str = "median" -> pandas.DataFrame | Fill missing numeric values with each column's mean, median or zero. | Impute NaNs in numeric columns with the column median. | df
missing_report | df: pandas.DataFrame -> pandas.DataFrame | Count and percentage of missing values per column. | Summarise how many nulls each column of a DataFrame has. | df
drop_duplicate_rows | df: pandas.DataFrame, subset: list[str] | None = None -> pandas.DataFrame | Remove duplicate rows, keeping the first occurrence. | Dedupe a DataFrame on some key columns. | df, ["id"]
normalize_column_names | df: pandas.DataFrame -> pandas.DataFrame | Rename columns to lowercase snake_case without spaces or symbols. | Tidy messy column headers like "Total Sales ($)" into total_sales. | df
rename_columns | df: pandas.DataFrame, mapping: dict[str, str] -> pandas.DataFrame | Rename DataFrame columns with a mapping, erroring on unknown names. | Rename some columns and fail loudly if one does not exist. | df, {"a": "b"}
downcast_dtypes | df: pandas.DataFrame -> pandas.DataFrame | Shrink numeric columns to the smallest dtype that fits and make low-cardinality strings categorical. | Reduce a DataFrame's memory usage by downcasting ints and floats. | df
memory_usage_mb | df: pandas.DataFrame -> float | Total memory used by a DataFrame in megabytes, including object columns. | How much RAM does this DataFrame take? | df
one_hot_encode | df: pandas.DataFrame, columns: list[str] -> pandas.DataFrame | Replace categorical columns with 0/1 indicator columns. | Turn category columns into dummy variables. | df, ["color"]
label_encode | values: list[str] -> tuple[list[int], dict[str, int]] | Map category labels to integer codes and return the mapping. | Convert string classes into integers 0..k-1. | ["b", "a", "b"]
target_encode | df: pandas.DataFrame, column: str, target: str, smoothing: float = 10.0 -> pandas.Series | Encode a category by the smoothed mean of the target for that category. | Mean-encode a high-cardinality categorical feature using the label, with smoothing. | df, "city", "y"
bin_numeric | values: list[float], edges: list[float], labels: list[str] -> list[str] | Assign each number to a labelled bin given bin edges. | Bucket ages into "child", "adult", "senior" using cut points. | [5, 30, 70], [0, 18, 65, 200], ["child", "adult", "senior"]
quantile_bins | values: list[float], q: int = 4 -> list[int] | Assign each value to its quantile group (quartile by default). | Split a numeric column into quartiles and return the group numbers. | [1, 2, 3, 4]
train_test_split_df | df: pandas.DataFrame, test_size: float = 0.2, seed: int = 0 -> tuple[pandas.DataFrame, pandas.DataFrame] | Randomly split a DataFrame into train and test parts. | Shuffle and split rows into training and test sets with a seed. | df, 0.25
stratified_split | df: pandas.DataFrame, label: str, test_size: float = 0.2 -> tuple[pandas.DataFrame, pandas.DataFrame] | Split a DataFrame keeping the label proportions the same in both parts. | Train/test split that preserves the class balance. | df, "y"
k_fold_indices | n: int, k: int = 5, seed: int = 0 -> list[tuple[list[int], list[int]]] | Train and validation index lists for k-fold cross-validation. | Make the folds for 5-fold cross validation. | 10, 5
group_summary | df: pandas.DataFrame, by: str, column: str -> pandas.DataFrame | Count, mean, min and max of a column per group. | Aggregate a value column by a category with several statistics. | df, "region", "sales"
pivot_sum | df: pandas.DataFrame, index: str, columns: str, values: str -> pandas.DataFrame | Pivot table summing values, with zeros for empty cells. | Make a cross-tab of total sales by region and month. | df, "region", "month", "sales"
melt_wide | df: pandas.DataFrame, id_column: str -> pandas.DataFrame | Reshape a wide table into long format with variable and value columns. | Unpivot month columns into rows. | df, "id"
explode_list_column | df: pandas.DataFrame, column: str -> pandas.DataFrame | Turn a column holding lists into one row per list element. | Split rows where a cell holds several tags into one row per tag. | df, "tags"
split_column | df: pandas.DataFrame, column: str, sep: str, into: list[str] -> pandas.DataFrame | Split a string column on a separator into several new columns. | Break "first last" names into first and last name columns. | df, "name", " ", ["first", "last"]
merge_validate | left: pandas.DataFrame, right: pandas.DataFrame, on: str -> pandas.DataFrame | Join two DataFrames and raise if the key is not unique on the right. | Left join two tables and make sure the lookup table has no duplicate keys. | a, b, "id"
anti_join | left: pandas.DataFrame, right: pandas.DataFrame, on: str -> pandas.DataFrame | Rows of the left table whose key is not in the right table. | Find the records in one table that have no match in another. | a, b, "id"
compare_dataframes | a: pandas.DataFrame, b: pandas.DataFrame, key: str -> pandas.DataFrame | Cell-level differences between two versions of a table matched on a key. | Show what changed between yesterday's and today's export. | a, b, "id"
profile_dataframe | df: pandas.DataFrame -> dict[str, dict[str, object]] | Per-column dtype, missing count, unique count, min and max. | Quick overview of every column of a dataset. | df
value_counts_top | values: list[object], n: int = 5 -> list[tuple[object, int]] | The n most frequent values with their counts. | Top categories by frequency. | ["a", "b", "a"], 1
rolling_window_df | df: pandas.DataFrame, column: str, window: int -> pandas.Series | Rolling mean of a DataFrame column over a window of rows. | Add a 7-day rolling average of a column. | df, "sales", 7
resample_daily | df: pandas.DataFrame, time_column: str, value: str -> pandas.DataFrame | Aggregate irregular timestamps into daily sums, filling missing days with zero. | Roll up event rows into totals per day, including days with no events. | df, "ts", "amount"
lag_features | df: pandas.DataFrame, column: str, lags: list[int] -> pandas.DataFrame | Add shifted copies of a column as lag features. | Create previous-day and previous-week values as new columns for forecasting. | df, "sales", [1, 7]
date_features | df: pandas.DataFrame, column: str -> pandas.DataFrame | Add year, month, day of week and hour columns from a datetime column. | Expand a timestamp column into calendar features for a model. | df, "ts"
sessionize | timestamps: list[float], gap: float = 1800 -> list[int] | Assign session ids to sorted event times split by inactivity gaps. | Group user clicks into sessions that end after 30 minutes of inactivity. | [0, 10, 4000]
flatten_json | data: dict[str, object], sep: str = "." -> dict[str, object] | Flatten nested dictionaries into one level with dotted keys. | Turn nested JSON into flat columns like "user.address.city". | {"a": {"b": 1}}
unflatten_dict | data: dict[str, object], sep: str = "." -> dict[str, object] | Rebuild nested dictionaries from dotted keys. | Reverse a flattened dict back into nested form. | {"a.b": 1}
deep_merge | a: dict[str, object], b: dict[str, object] -> dict[str, object] | Recursively merge two dictionaries, the second winning on conflicts. | Combine two nested config dicts. | {"a": {"x": 1}}, {"a": {"y": 2}}
json_lines_read | path: str -> list[dict[str, object]] | Read a JSON Lines file into a list of dicts, skipping blank lines. | Load an .jsonl file, one JSON object per line. | "events.jsonl"
json_lines_write | records: list[dict[str, object]], path: str -> int | Write records to a JSON Lines file and return how many were written. | Save a list of dicts as newline-delimited JSON. | [{"a": 1}], "out.jsonl"
read_csv_sniff | path: str -> pandas.DataFrame | Read a CSV whose delimiter and encoding are unknown by sniffing them. | Load a CSV that might use semicolons or tabs and latin-1. | "data.csv"
csv_to_records | text: str -> list[dict[str, str]] | Parse CSV text with a header row into a list of dicts. | Turn CSV content into dictionaries keyed by the header. | "a,b\n1,2"
chunked | items: list[object], size: int -> list[list[object]] | Split a list into consecutive chunks of a given size. | Break a list into batches of N. | [1, 2, 3, 4, 5], 2
flatten_list | nested: list[object] -> list[object] | Flatten arbitrarily nested lists into one flat list. | Turn [[1, [2]], 3] into [1, 2, 3]. | [[1, [2]], 3]
unique_preserve_order | items: list[object] -> list[object] | Remove duplicates from a list while keeping the first-seen order. | Dedupe a list without sorting it. | [3, 1, 3, 2]
sliding_windows | items: list[object], size: int -> list[list[object]] | All consecutive windows of a given size. | Every run of N adjacent elements of a list. | [1, 2, 3], 2
interleave | a: list[object], b: list[object] -> list[object] | Alternate elements from two lists, appending the rest of the longer. | Zip two lists together element by element into one list. | [1, 3], [2, 4, 6]
group_by_key | records: list[dict[str, object]], key: str -> dict[object, list[dict[str, object]]] | Group a list of dicts by the value of one key. | Bucket records by a field. | [{"k": 1}, {"k": 1}], "k"
sort_by_keys | records: list[dict[str, object]], keys: list[str] -> list[dict[str, object]] | Sort records by several keys, with None values last. | Order a list of dicts by city then name. | [{"a": 2}, {"a": 1}], ["a"]
top_k | values: list[float], k: int -> list[int] | Indices of the k largest values, largest first. | Positions of the biggest N numbers. | [5, 1, 9], 2
argsort | values: list[float] -> list[int] | Indices that would sort a list ascending. | Give the order of positions that sorts the numbers. | [3, 1, 2]
rank_values | values: list[float] -> list[float] | Ranks of values with ties given their average rank. | Convert numbers to ranks, ties averaged. | [10, 20, 20]
invert_dict | mapping: dict[str, str] -> dict[str, list[str]] | Swap keys and values, collecting keys that share a value. | Reverse a mapping from values back to keys. | {"a": "x", "b": "x"}
diff_lists | old: list[str], new: list[str] -> dict[str, list[str]] | Items added and removed between two lists. | What was added or removed between two versions of a list? | ["a", "b"], ["b", "c"]
jaccard_similarity | a: set[str], b: set[str] -> float | Size of the intersection over the size of the union of two sets. | Overlap between two sets of tags as a 0 to 1 score. | {"a", "b"}, {"b", "c"}
cosine_similarity | a: list[float], b: list[float] -> float | Cosine of the angle between two vectors. | Similarity between two embedding vectors. | [1, 0], [1, 1]
euclidean_distance | a: list[float], b: list[float] -> float | Straight-line distance between two points. | Distance between two vectors in n dimensions. | [0, 0], [3, 4]
manhattan_distance | a: list[float], b: list[float] -> float | Sum of absolute coordinate differences. | City-block distance between two points. | [0, 0], [3, 4]
haversine_km | lat1: float, lon1: float, lat2: float, lon2: float -> float | Great-circle distance in kilometres between two latitude/longitude points. | How far apart are two GPS coordinates on Earth, in km? | 51.5, -0.12, 48.85, 2.35
bounding_box | points: list[tuple[float, float]] -> tuple[float, float, float, float] | Min and max latitude and longitude of a set of points. | The rectangle that contains all my coordinates. | [(1, 2), (3, 4)]
point_in_polygon | point: tuple[float, float], polygon: list[tuple[float, float]] -> bool | Whether a point lies inside a polygon (ray casting). | Check if a location falls inside an area outline. | (1, 1), [(0, 0), (2, 0), (2, 2), (0, 2)]
geohash_encode | lat: float, lon: float, precision: int = 7 -> str | Encode latitude and longitude as a geohash string. | Turn coordinates into a geohash for spatial bucketing. | 57.64, 10.40
parse_lat_lon | text: str -> tuple[float, float] | Parse coordinates written as decimal degrees or degrees-minutes-seconds. | Read "40°26'46\"N 79°58'56\"W" into decimal latitude and longitude. | "40.446, -79.982"
nearest_point | target: tuple[float, float], points: list[tuple[float, float]] -> int | Index of the point closest to a target. | Which store is closest to this customer? | (0, 0), [(1, 1), (5, 5)]
validate_email | address: str -> bool | Check that an email address is syntactically valid. | Is this a well-formed e-mail address? | "a@b.com"
validate_iban | iban: str -> bool | Check an IBAN's format and mod-97 checksum. | Verify international bank account numbers. | "GB82WEST12345698765432"
luhn_check | number: str -> bool | Validate a card or id number with the Luhn checksum. | Check if a credit card number passes the Luhn algorithm. | "4111111111111111"
validate_isbn | isbn: str -> bool | Validate ISBN-10 and ISBN-13 check digits. | Check whether a book number is a valid ISBN. | "978-0-306-40615-7"
validate_uk_postcode | code: str -> bool | Check that a string is a well-formed UK postcode. | Validate British postal codes like "SW1A 1AA". | "SW1A 1AA"
normalize_phone | number: str, country: str = "US" -> str | Format a phone number as E.164, e.g. "+15551234567". | Standardise telephone numbers into international +country format. | "(555) 123-4567"
normalize_us_state | name: str -> str | Map a US state name or variant to its two-letter code. | Turn "California", "calif." or "CA" into CA. | "California"
country_to_iso | name: str -> str | Map a country name to its ISO 3166 alpha-2 code. | Standardise country names into two-letter codes. | "United Kingdom"
parse_bool | text: str -> bool | Interpret "yes", "Y", "true", "1", "no", "0" and similar as booleans. | Convert survey answers like Yes/No/Y/N into True/False. | "Yes"
parse_int_safe | text: str, default: int = 0 -> int | Parse an integer, returning a default when the text is not a number. | Convert strings to ints without crashing on junk. | "12x", 0
parse_number_words | text: str -> int | Convert English number words like "two hundred five" to an integer. | Turn written-out numbers into digits. | "two hundred five"
number_to_words | n: int -> str | Spell out an integer in English words. | Write 1234 as "one thousand two hundred thirty-four". | 1234
roman_to_int | text: str -> int | Convert a Roman numeral to an integer. | Read Roman numerals like "XIV". | "XIV"
int_to_roman | n: int -> str | Convert an integer to a Roman numeral. | Write numbers as Roman numerals. | 14
human_bytes | size: int -> str | Format a byte count as KB, MB or GB with one decimal. | Show file sizes in human units like "1.5 MB". | 1536000
parse_bytes | text: str -> int | Parse sizes like "1.5GB" or "200 KiB" into bytes. | Convert a human file size string to a number of bytes. | "1.5 MB"
round_to_nearest | value: float, step: float -> float | Round a number to the nearest multiple of a step. | Round prices to the nearest 0.05. | 1.23, 0.05
round_significant | value: float, digits: int = 3 -> float | Round a number to a number of significant figures. | Keep only 3 significant digits of a value. | 123456, 2
clamp | value: float, low: float, high: float -> float | Limit a number to a range. | Keep a value between a minimum and a maximum. | 15, 0, 10
safe_divide | a: float, b: float, default: float = 0.0 -> float | Divide, returning a default instead of failing on zero. | Division that does not blow up when the denominator is 0. | 1, 0
celsius_to_fahrenheit | celsius: float -> float | Convert a temperature from Celsius to Fahrenheit. | Change °C readings into °F. | 100
convert_units | value: float, from_unit: str, to_unit: str -> float | Convert between metric and imperial length and weight units. | Turn miles into kilometres or pounds into kilograms. | 1, "mi", "km"
loan_payment | principal: float, annual_rate: float, years: int -> float | Monthly payment of an amortising loan. | What is the monthly mortgage instalment for a given rate and term? | 200000, 0.05, 30
amortization_schedule | principal: float, annual_rate: float, months: int -> list[dict[str, float]] | Month-by-month interest, principal and balance of a loan. | Table of each monthly payment split into interest and principal. | 1000, 0.12, 3
npv | rate: float, cashflows: list[float] -> float | Net present value of cash flows at a discount rate. | Discount a series of yearly cash flows to today's value. | 0.1, [-100, 60, 60]
irr | cashflows: list[float] -> float | Internal rate of return of a series of cash flows. | Find the discount rate that makes NPV zero. | [-100, 60, 60]
compound_interest | principal: float, rate: float, years: float, per_year: int = 12 -> float | Future value with compound interest. | How much will savings grow to with monthly compounding? | 1000, 0.05, 10
sharpe_ratio | returns: list[float], risk_free: float = 0.0 -> float | Annualised Sharpe ratio of periodic returns. | Risk-adjusted return of a strategy. | [0.01, 0.02, -0.01]
max_drawdown | prices: list[float] -> float | Largest peak-to-trough fall of a price series as a fraction. | Worst loss from a high point in an equity curve. | [100, 120, 90, 130]
log_returns | prices: list[float] -> list[float] | Logarithmic returns between consecutive prices. | Compute log returns of a stock price series. | [100, 110, 121]
vat_amount | net: float, rate: float = 0.2 -> float | Value-added tax on a net amount. | Add sales tax of 20% to a price and return the tax. | 100
currency_convert | amount: float, rate_table: dict[str, float], src: str, dst: str -> float | Convert an amount between currencies using a rate table relative to a base. | Change euros to yen with a dict of exchange rates. | 10, {"EUR": 1.0, "USD": 1.1}, "EUR", "USD"
accuracy_score | y_true: list[int], y_pred: list[int] -> float | Fraction of predictions equal to the labels. | Share of correct predictions. | [1, 0, 1], [1, 1, 1]
precision_recall_f1 | y_true: list[int], y_pred: list[int] -> tuple[float, float, float] | Precision, recall and F1 of binary predictions. | Compute the F1 score of a classifier with precision and recall. | [1, 0, 1], [1, 1, 1]
confusion_matrix | y_true: list[int], y_pred: list[int] -> list[list[int]] | Confusion matrix counts for class labels. | Count true/false positives and negatives in a matrix. | [1, 0], [1, 1]
roc_auc | y_true: list[int], scores: list[float] -> float | Area under the ROC curve from scores and binary labels. | How well do scores rank positives above negatives (AUC)? | [0, 1, 1], [0.1, 0.8, 0.4]
log_loss | y_true: list[int], probs: list[float] -> float | Binary cross-entropy of predicted probabilities. | Cross entropy of probabilistic predictions. | [1, 0], [0.9, 0.2]
mean_absolute_error | y_true: list[float], y_pred: list[float] -> float | Mean absolute difference between predictions and targets. | Average absolute error of a regression. | [1, 2], [1, 3]
rmse | y_true: list[float], y_pred: list[float] -> float | Root mean squared error. | Square root of the average squared error. | [1, 2], [1, 3]
mape | y_true: list[float], y_pred: list[float] -> float | Mean absolute percentage error, skipping zero targets. | Forecast error as an average percentage. | [100, 200], [110, 190]
calibration_bins | y_true: list[int], probs: list[float], bins: int = 10 -> list[tuple[float, float]] | Mean predicted probability versus observed frequency per bin. | Data for a reliability diagram of a classifier. | [0, 1], [0.2, 0.7], 2
class_weights | labels: list[int] -> dict[int, float] | Balanced class weights inversely proportional to class frequency. | Weights to counter an imbalanced dataset. | [0, 0, 0, 1]
sigmoid | x: float -> float | Logistic sigmoid function. | Squash a number into 0..1 with the logistic function. | 0.0
softmax | logits: list[float] -> list[float] | Numerically stable softmax of scores. | Turn raw scores into probabilities that sum to one. | [1.0, 2.0]
cross_entropy_multiclass | label: int, probs: list[float] -> float | Negative log probability of the true class. | Loss of one multiclass prediction. | 1, [0.2, 0.8]
cosine_top_k | query: list[float], matrix: list[list[float]], k: int = 5 -> list[int] | Indices of the rows most similar to a query vector by cosine. | Nearest neighbours of an embedding among many. | [1, 0], [[1, 0], [0, 1]], 1
kmeans_1d | values: list[float], k: int -> list[int] | Cluster one-dimensional values into k groups. | Group numbers into k clusters. | [1, 2, 10, 11], 2
pca_2d | rows: list[list[float]] -> list[tuple[float, float]] | Project rows onto the first two principal components. | Reduce my features to 2 dimensions for a scatter plot. | [[1, 2, 3], [2, 4, 6]]
tfidf_vectors | docs: list[str] -> list[dict[str, float]] | TF-IDF weights of the words of each document. | Weight terms by term frequency and inverse document frequency. | ["a b", "a c"]
hash_bucket | value: str, buckets: int = 100 -> int | Stable hash of a string into a fixed number of buckets. | Deterministically assign ids to one of N buckets (hashing trick). | "user42", 10
ab_split | user_id: str, experiment: str, ratio: float = 0.5 -> str | Deterministically assign a user to variant A or B of an experiment. | Put users into control or treatment consistently across sessions. | "u1", "exp"
reservoir_sample | items: list[object], k: int, seed: int = 0 -> list[object] | Uniform random sample of k items from a stream in one pass. | Pick k random rows from a huge file without loading it all. | [1, 2, 3, 4], 2
weighted_choice | items: list[str], weights: list[float], seed: int = 0 -> str | Pick one item at random with given weights. | Random draw where some options are more likely. | ["a", "b"], [0.9, 0.1]
shuffle_seeded | items: list[object], seed: int = 0 -> list[object] | Shuffled copy of a list with a fixed seed. | Reproducible random ordering of a list. | [1, 2, 3]
mask_pii | text: str -> str | Replace names, emails and phone numbers in text with placeholders. | Anonymise personal data in free text before sharing. | "Call John at 555-1234"
hash_identifier | value: str, salt: str -> str | Salted SHA-256 hash of an identifier for pseudonymisation. | Pseudonymise customer ids so they can still be joined. | "c123", "s"
parse_user_agent | ua: str -> dict[str, str] | Browser, operating system and device type from a user agent string. | Work out browser and OS from web log user agents. | "Mozilla/5.0 (Windows NT 10.0) Chrome/120"
parse_log_line | line: str -> dict[str, str] | Parse one Apache/Nginx access log line into its fields. | Split a web server log line into ip, time, method, path and status. | "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326"
parse_query_string | url: str -> dict[str, list[str]] | Query parameters of a URL as a dict of lists. | Get the ?a=1&b=2 parameters out of a link. | "https://x.org/?a=1&b=2"
url_domain | url: str -> str | Registered domain of a URL without "www.". | Extract the website domain from a link. | "https://www.example.co.uk/a"
add_utm_params | url: str, source: str, medium: str, campaign: str -> str | Add UTM tracking parameters to a URL, keeping existing ones. | Tag a link for a marketing campaign with utm_source and friends. | "https://x.org", "news", "email", "spring"
ip_in_subnet | ip: str, cidr: str -> bool | Whether an IP address belongs to a CIDR network. | Check if an address is inside 10.0.0.0/8. | "10.1.2.3", "10.0.0.0/8"
file_sha256 | path: str -> str | SHA-256 hex digest of a file, read in chunks. | Checksum a large file to detect changes. | "data.bin"
find_files | root: str, pattern: str = "*.csv" -> list[str] | Recursively list files under a folder matching a glob pattern. | Find every CSV file in a directory tree. | "data", "*.csv"
safe_filename | name: str -> str | Turn any string into a safe file name without path separators or odd characters. | Sanitise a title so it can be used as a file name. | "a/b: c?"
read_excel_sheets | path: str -> dict[str, pandas.DataFrame] | Read every sheet of an Excel workbook into DataFrames by sheet name. | Load all tabs of an xlsx file at once. | "book.xlsx"
dataframe_to_sql_inserts | df: pandas.DataFrame, table: str -> list[str] | SQL INSERT statements for the rows of a DataFrame with quoted values. | Generate INSERT INTO statements from a table of rows. | df, "people"
parse_sql_columns | query: str -> list[str] | Column names selected by a simple SELECT statement. | Which columns does a SQL select query return? | "SELECT a, b AS c FROM t"
retry_call | func: Callable[[], object], attempts: int = 3, delay: float = 1.0 -> object | Call a function, retrying with exponential backoff on exceptions. | Re-run a flaky API call a few times with increasing waits. | lambda: 1
timeit_call | func: Callable[[], object], repeat: int = 5 -> float | Median wall time in seconds of calling a function several times. | Benchmark how long a function takes. | lambda: sum(range(100))
memoize_to_disk | func: Callable[..., object], path: str -> Callable[..., object] | Decorator that caches a function's results in a pickle-free JSON file. | Cache expensive function results on disk between sessions. | f, "cache.json"
progress_bar_text | done: int, total: int, width: int = 20 -> str | A text progress bar like "[#####-----] 50%". | Draw a simple progress bar in text. | 5, 10
color_hex_to_rgb | color: str -> tuple[int, int, int] | Convert a hex colour like "#ff8800" to an RGB tuple. | Turn hex colour codes into red, green, blue numbers. | "#ff8800"
rgb_to_hex | r: int, g: int, b: int -> str | Convert RGB values to a hex colour string. | Make "#ff8800" from 255, 136, 0. | 255, 136, 0
color_palette | n: int -> list[str] | n visually distinct hex colours for a chart. | Give me N distinct colours for plotting categories. | 3
nice_axis_ticks | low: float, high: float, count: int = 5 -> list[float] | Round tick positions for a chart axis covering a range. | Choose readable axis tick values like 0, 25, 50, 75, 100. | 0, 97
sparkline | values: list[float] -> str | A one-line Unicode sparkline of a series. | Tiny inline chart of numbers using block characters. | [1, 5, 2, 8]
ascii_histogram | values: list[float], bins: int = 10 -> str | A text histogram drawn with # characters. | Show a distribution in the terminal without matplotlib. | [1, 2, 2, 3], 3
age_group | age: int -> str | Map an age to a bracket like "18-24", "25-34" or "65+". | Put respondents into standard age brackets. | 29
bmi | weight_kg: float, height_m: float -> float | Body mass index from weight and height. | Compute BMI from kilograms and metres. | 70, 1.75
grade_letter | score: float -> str | Letter grade A to F from a percentage score. | Convert exam percentages into letter grades. | 87
nps_score | ratings: list[int] -> float | Net Promoter Score from 0-10 ratings. | Percentage of promoters minus detractors from survey answers. | [10, 9, 3, 7]
likert_to_number | answer: str -> int | Map Likert answers like "Strongly agree" to 5 down to 1. | Turn agree/disagree survey responses into a 1-5 scale. | "Strongly agree"
cohort_month | first_seen: datetime.date, day: datetime.date -> int | Months since a user's first activity, for cohort tables. | How many months after signup did each event happen? | date(2024, 1, 5), date(2024, 3, 1)
retention_table | events: pandas.DataFrame, user: str, time: str -> pandas.DataFrame | Share of each signup cohort still active in later months. | Build a cohort retention matrix from user activity logs. | df, "user_id", "ts"
churn_flag | last_active: datetime.date, today: datetime.date, days: int = 30 -> bool | Whether a customer counts as churned after a period of inactivity. | Mark customers with no activity in the last 30 days. | date(2024, 1, 1), date(2024, 3, 1)
rfm_scores | df: pandas.DataFrame, customer: str, date: str, amount: str -> pandas.DataFrame | Recency, frequency and monetary scores per customer. | Segment customers by how recently, how often and how much they buy. | df, "cid", "ts", "amount"
basket_pairs | baskets: list[list[str]], top: int = 10 -> list[tuple[tuple[str, str], int]] | Most frequent product pairs bought together. | Which items are often purchased together? | [["a", "b"], ["a", "b", "c"]], 1
funnel_conversion | counts: list[int] -> list[float] | Conversion rate between each step of a funnel. | Step-to-step conversion through a signup funnel. | [1000, 400, 100]
gc_content | sequence: str -> float | Fraction of G and C bases in a DNA sequence. | Percentage of GC in a DNA string. | "ATGC"
reverse_complement | sequence: str -> str | Reverse complement of a DNA sequence. | Get the opposite strand of DNA. | "ATGC"
""".strip()
