"""The typed domain: kinds, money, terms, numbering, VAT, documents and accounts (no I/O)."""
