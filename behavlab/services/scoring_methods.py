"""The names of the scoring methods: the machine methods (`tracking`) and manual scoring at the bench."""

from tracking.rules.methods import METHOD_NAMES

MANUAL_METHOD = "manual"
#: The methods a study may declare its primary FST outcome to be scored by.
PRIMARY_METHODS = (*METHOD_NAMES, MANUAL_METHOD)
