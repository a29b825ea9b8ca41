"""Coding: applying codes, the code tree, the codebook, autocode, speakers and memos."""
