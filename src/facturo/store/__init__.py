"""The billing folder on disk: paths, locks, atomic writes, caches, the index, seals, tracking."""
