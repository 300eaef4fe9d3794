"""What is read out of the folder: check, listings, statements, receipts, reminders."""
