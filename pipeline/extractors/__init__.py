"""Extractors: responsibilities, targets, deadlines, figures and quantities, NER."""
