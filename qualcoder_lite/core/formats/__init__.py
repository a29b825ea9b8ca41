"""Readers and writers of foreign files.

Readers turn a file into normalised text (``ReadResult``). Every reader treats its
input as hostile: size limits, zip-bomb and path-traversal checks, no XML entities.
Errors are ``InputError(path, reason)``.
"""
