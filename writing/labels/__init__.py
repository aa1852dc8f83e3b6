"""Printed labels: label stock templates, QR symbols and sheets drawn to SVG, PDF or a printable HTML page.

- :mod:`writing.labels.content`: what a label shows (no drawing library: cheap to import).
- :mod:`writing.labels.templates`: label stock geometry in millimetres and the named templates.
- :mod:`writing.labels.qr`: QR or Micro QR symbols of a payload, as vector rectangles.
- :mod:`writing.labels.sheet`: labels laid out on a template's sheets, to SVG text or PDF bytes.
- :mod:`writing.labels.page`: the SVG sheets in one self-contained HTML page, sized for printing.
"""
