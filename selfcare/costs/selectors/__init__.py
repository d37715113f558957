"""Reads of the Costi Online pages: cost centres, holders and the month's costs."""
