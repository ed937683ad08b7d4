"""Extract targets, responsible units, deadlines and figures from Chinese policy documents."""

__version__ = "0.1.0"
