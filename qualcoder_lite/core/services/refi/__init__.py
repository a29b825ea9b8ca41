"""REFI-QDA exchange: the .qdpx/.qdc model, reading, writing and building projects from it."""
