"""Group statistics of a study's outcomes: summaries, assumption checks, arm comparisons, models.

A pure library: it imports numpy, scipy, statsmodels and pandas only, never the application or a database.
"""
