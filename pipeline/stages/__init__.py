"""Stages that turn text into a structured document: normalisation, structure, tables, segmentation."""
