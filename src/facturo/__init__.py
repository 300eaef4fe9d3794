"""facturo: invoicing over plain files."""

__version__ = "0.1.0"
