"""The official documents: the minutes (notulen) and the evaluation summary, as HTML and PDF."""
