"""Reads of the "Prodotti" area, one module per page family."""
