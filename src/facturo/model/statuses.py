"""Status codes of documents, derived and never stored: receivables and quotes."""

# output/words.py says them in each language.
ISSUED = "issued"
PARTIALLY_PAID = "partially-paid"
PAID = "paid"
OVERDUE = "overdue"
CANCELLED = "cancelled"
RECEIVABLE_STATUSES = (ISSUED, PARTIALLY_PAID, PAID, OVERDUE, CANCELLED)
QUOTE_STATUSES = ("issued", "sent", "accepted", "declined", "expired")
STATUSES = tuple(dict.fromkeys(RECEIVABLE_STATUSES + QUOTE_STATUSES))
