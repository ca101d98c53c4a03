"""Image → fields: alignment, barcode, checkboxes, character boxes, MRZ. No Django here.

Public surface: `read_card(image, template)` and `read_mrz(image)`.
"""
