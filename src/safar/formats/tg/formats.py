# Tajik: Django's own tg formats end dates with the Russian "г."; Tajik writes "с." (сол) or nothing.
DATE_FORMAT = "j E Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "j E Y, G:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
# ISO first: operators type dates as digits, and ISO is unambiguous in every language.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d%m%Y"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
