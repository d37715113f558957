"""The documents of an invoice: its FatturaPA XML (the fiscal one), its PDF copy and its call detail."""
