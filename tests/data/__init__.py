"""Adobe's spec and Postman examples, derived for the tests (see derive.py)."""
