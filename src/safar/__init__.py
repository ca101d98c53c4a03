"""Safar: labour-migration information system for Tajikistan."""
