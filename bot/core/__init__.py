"""Pure domain core: models, scheduling, selection and drop timing. No I/O, no clock."""
