"""Full-text search: the query parser, the word index and matching."""
