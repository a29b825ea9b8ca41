"""Privacy: pseudonymisation and the encrypt/decrypt/restore operations on the project file."""
