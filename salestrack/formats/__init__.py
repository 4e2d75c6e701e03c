"""How each language writes numbers and dates (settings.FORMAT_MODULE_PATH): Django's own
formats for the language, with what SalesTrack writes otherwise, and the patterns
core/formats.py and quotas/labels.py read (docs/i18n.md#numbers-and-dates).

Besides Django's names (DATE_FORMAT, THOUSAND_SEPARATOR…) a module may set:

- PERCENT_FORMAT: a percentage around its number, "{number}\u00a0%" (a no-break space).
- MONEY_FORMAT: an amount with its currency's symbol, "{symbol}{number}"; a currency
  without a symbol is always written "{number}\u00a0{code}" (a no-break space).
- SHORT_YEAR_MONTH_FORMAT: a month on a chart's axis, "Dec 2026".
- DATE_RANGE_FORMATS: (first day, separator, last day) date formats of a range within one
  month, one year, or across years.

A language without a module here, or a name a module leaves out, takes English's
(core.formats.locale_format)."""
