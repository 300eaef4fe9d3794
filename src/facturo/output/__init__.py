"""Words, PDFs, Factur-X, email: turning core data into what people and machines read."""
