"""Sources and cases: importing transcripts, their attributes, filters and the study settings."""
