"""Training and evaluation of heads: the shipped ones (sentiment, emotion) and users' own."""
