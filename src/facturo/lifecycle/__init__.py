"""What changes the folder: drafting, issuing, payments, credit notes, quotes."""
