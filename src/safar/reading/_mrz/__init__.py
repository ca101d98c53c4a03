"""Private internals of `safar.reading.mrz`: locating, segmenting, recognising and parsing MRZs."""
