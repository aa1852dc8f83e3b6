"""Printed labels: label stock templates, QR symbols and sheets drawn to SVG or PDF.

- :mod:`writing.labels.templates`: label stock geometry in millimetres and the named templates.
- :mod:`writing.labels.qr`: QR or Micro QR symbols of a payload, as vector rectangles.
- :mod:`writing.labels.sheet`: labels laid out on a template's sheets, to SVG text or PDF bytes.
"""
