"""The billing folder on disk: paths, locks, atomic writes, the index, seals, tracking."""
