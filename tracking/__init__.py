"""Pure library for scoring immobility from video and pose data.

Imports neither behavlab nor a database: it reads videos and pose files, computes signals and applies the
immobility rule, and returns results with the parameters that produced them.
"""
