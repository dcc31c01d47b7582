"""fmwatch: literature monitoring for magnesium and fibromyalgia."""

__version__ = "0.1.0"
