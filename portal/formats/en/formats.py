"""English, in the same order as the Dutch: "Monday 29 November 2026, 14:30" (24-hour)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1

# The portal's own names, for the named_date filter.
DAY_MONTH_TIME_FORMAT = "j F, H:i"
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = "l j F Y, H:i"
WEEKDAY_DAY_MONTH_FORMAT = "l j F"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "l j F, H:i"
DATETIME_SECONDS_FORMAT = "j F Y, H:i:s"
