"""PDF documents: the WeasyPrint engine and one module per document family."""
