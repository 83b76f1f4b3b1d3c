"""itaku (委託): supervision of outsourced personal-information work under the special provisions."""

__version__ = "0.1.0"
