"""Writing files safely: atomically, with one clear error, and with spreadsheet cells defused.

The bottom layer every other package writes through (the video library's results, the report, the dosing
sheets): it imports none of them.

- :mod:`writing.atomic`: write under a temporary name, then rename; the one write error.
- :mod:`writing.documents`: UTF-8 text, JSON and CSV tables written atomically.
- :mod:`writing.cells`: cells people open in spreadsheets, with formula injection defused.
"""
