"""Share links of final documents."""
