"""Named checks over the folder, each returning Problem values."""
