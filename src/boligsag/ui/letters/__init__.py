"""Letters on screen and paper: the in-memory PDF preview, printing and "Gem som PDF"."""
