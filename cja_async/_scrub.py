"""Known secrets out of server text.

Error messages are built from what the server answered, and a server (or a proxy in front of
it) may echo the request: the token form with the client secret, the ``Authorization``
header. Every such text passes through a :class:`Scrubber` before it reaches an error, an
attribute or a log line.
"""

from __future__ import annotations

import json
from collections import deque
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Scrubber"]

MASK = "***"
# Shorter values would mask ordinary words; real client secrets and tokens are far longer.
_MIN_LENGTH = 6
# Tokens remembered besides the current one: an echo may quote one just replaced.
_TOKENS_KEPT = 4


class Scrubber:
    """Replaces every known secret, in the forms a server may echo it in, with ``***``."""

    def __init__(self, *secrets: str) -> None:
        self._fixed = [s for s in secrets if len(s) >= _MIN_LENGTH]
        self._tokens: deque[str] = deque(maxlen=_TOKENS_KEPT)
        self._forms: tuple[str, ...] = ()
        self._refresh()

    def add_token(self, token: str) -> None:
        """Remember a newly issued token (the oldest remembered one is dropped)."""
        if len(token) >= _MIN_LENGTH and token not in self._tokens:
            self._tokens.append(token)
            self._refresh()

    def _refresh(self) -> None:
        forms: set[str] = set()
        for secret in (*self._fixed, *self._tokens):
            # As sent (headers), form-encoded (the token request), JSON-escaped (an echo in
            # a JSON body, read before decoding).
            forms.update(
                (secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1])
            )
        # Longest first, so a secret that contains another is masked whole.
        self._forms = tuple(sorted(forms, key=len, reverse=True))

    def text(self, text: str) -> str:
        """``text`` with every known secret masked."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def bytes(self, data: bytes) -> bytes:
        """``data`` (a raw body) with every known secret masked."""
        for form in self._forms:
            encoded = form.encode()
            if encoded in data:
                data = data.replace(encoded, MASK.encode())
        return data
