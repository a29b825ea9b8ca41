"""Several coders: agreement between coders and merging a colleague's copy."""
