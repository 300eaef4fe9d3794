"""Reading the files users write: YAML with line marks, schemas, validation rules."""
