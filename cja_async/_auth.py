"""Credentials and the token cache.

OAuth server-to-server tokens are fetched on first need, cached, and renewed shortly before
``expires_in`` runs out (bounded: see :func:`token_lifetime`). Many tasks needing a token at
once cause one fetch, whose outcome they all share, a failure included. Adobe throttles
integrations that mint too many tokens, so mints are also paced by an
``aiolimiter.AsyncLimiter``: a leaky bucket is exactly right for "do not hammer the identity
server", unlike for the API's sliding windows.

Secrets never reach a repr, a log line or an error message: what the identity server says is
scrubbed of them (it may echo the form) before it goes into an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import httpx
from aiolimiter import AsyncLimiter

from ._config import loop_time
from ._exceptions import AuthenticationError, CJAError, RequestTimeoutError, TransportError
from ._receive import decode_json, receive
from ._retry import backoff_delay, parse_retry_after
from ._scrub import Scrubber

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_TOKEN_URL",
    "OAuthCredentials",
    "StaticToken",
    "TokenSource",
]

logger = logging.getLogger("cja_async.auth")

DEFAULT_TOKEN_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
DEFAULT_SCOPES: tuple[str, ...] = (
    "openid",
    "AdobeID",
    "read_organizations",
    "additional_info.projectedProductContext",
    "session",
)


def _scopes(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(" ", ",").split(",")
    scopes = tuple(s.strip() for s in value if s and s.strip())
    if not scopes:
        raise ValueError("scopes must name at least one scope")
    return scopes


def _non_empty(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


# Values read from the environment or a credential file are stripped of surrounding
# whitespace: ids, secrets and URLs never hold any, and a trailing newline is what a value
# written to a secrets file (``echo "$SECRET" > file``) or pasted from a console brings.


def _env_value(environ: Mapping[str, str], name: str) -> str | None:
    """The environment variable ``name`` stripped; ``None`` when it is unset or blank."""
    value = environ.get(name)
    return (value.strip() or None) if value is not None else None


def _env(environ: Mapping[str, str], name: str) -> str:
    """The environment variable ``name`` stripped; ``ValueError`` when it is unset or blank."""
    value = _env_value(environ, name)
    if value is None:
        state = "blank" if environ.get(name) else "not set"
        raise ValueError(f"environment variable {name} is {state}")
    return value


def _stripped(value: object) -> object:
    """A credential file's ``value`` with a ``str`` stripped (other types are left for the
    checks that name them)."""
    return value.strip() if isinstance(value, str) else value


@attrs.frozen(repr=False)
class OAuthCredentials:
    """An OAuth server-to-server credential from Adobe's Developer Console.

    ``client_id`` is also sent as ``x-api-key``. The secret never appears in a repr.
    """

    client_id: str = attrs.field(validator=_non_empty)
    client_secret: str = attrs.field(validator=_non_empty)
    scopes: tuple[str, ...] = attrs.field(default=DEFAULT_SCOPES, converter=_scopes)
    token_url: str = attrs.field(default=DEFAULT_TOKEN_URL, validator=_non_empty)

    def __repr__(self) -> str:
        return (
            f"OAuthCredentials(client_id={self.client_id!r}, client_secret='***', "
            f"scopes={self.scopes!r}, token_url={self.token_url!r})"
        )

    @classmethod
    def from_env(
        cls, prefix: str = "CJA_", environ: Mapping[str, str] | None = None
    ) -> OAuthCredentials:
        """Read ``CJA_CLIENT_ID``, ``CJA_CLIENT_SECRET`` and optionally ``CJA_SCOPES``
        (comma-separated) and ``CJA_TOKEN_URL``, each stripped of surrounding whitespace."""
        env = os.environ if environ is None else environ
        return cls(
            client_id=_env(env, f"{prefix}CLIENT_ID"),
            client_secret=_env(env, f"{prefix}CLIENT_SECRET"),
            scopes=_env_value(env, f"{prefix}SCOPES") or DEFAULT_SCOPES,
            token_url=_env_value(env, f"{prefix}TOKEN_URL") or DEFAULT_TOKEN_URL,
        )

    @classmethod
    def from_console_json(
        cls, source: str | os.PathLike[str] | Mapping[str, Any]
    ) -> OAuthCredentials:
        """Read the credential JSON that Adobe's Developer Console downloads.

        Accepts the credential download (``CLIENT_ID``, ``CLIENT_SECRETS``, ``SCOPES``,
        ``ORG_ID``), the whole-project download (``project.workspace.details.credentials``)
        and the flat ``client_id``/``secret`` config files older tools used.
        """
        return cls(**_console_fields(_load_json(source))[1])


def _load_json(source: str | os.PathLike[str] | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{os.fspath(source)!r} does not hold a JSON object")
    return data


def _console_fields(data: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(org id, OAuthCredentials keyword arguments) from any known credential JSON shape."""
    lowered = {str(k).lower(): v for k, v in data.items()}
    org = lowered.get("org_id") or lowered.get("ims_org_id")
    project = data.get("project")
    if isinstance(project, Mapping):  # whole-project download
        org = org or (project.get("org") or {}).get("ims_org_id")
        credentials = ((project.get("workspace") or {}).get("details") or {}).get("credentials")
        for credential in credentials or []:
            oauth = (
                credential.get("oauth_server_to_server") if isinstance(credential, dict) else None
            )
            if isinstance(oauth, Mapping):
                lowered = {str(k).lower(): v for k, v in oauth.items()}
                break
        else:
            raise ValueError("the project JSON holds no OAuth server-to-server credential")
    secrets = lowered.get("client_secrets") or lowered.get("client_secret") or lowered.get("secret")
    if isinstance(secrets, list):
        secrets = secrets[0] if secrets else None
    secrets = _stripped(secrets)
    client_id = _stripped(lowered.get("client_id"))
    if not client_id or not secrets:
        raise ValueError("the credential JSON must hold a client id and a client secret")
    kwargs: dict[str, Any] = {"client_id": client_id, "client_secret": secrets}
    if lowered.get("scopes"):
        kwargs["scopes"] = lowered["scopes"]
    org = _stripped(org)
    return (str(org) if org else None), kwargs


@attrs.frozen(repr=False)
class StaticToken:
    """An access token minted elsewhere. It cannot be renewed: a 401 is final."""

    access_token: str = attrs.field(validator=_non_empty)
    client_id: str = attrs.field(validator=_non_empty)

    def __repr__(self) -> str:
        return f"StaticToken(client_id={self.client_id!r}, access_token='***')"


class TokenSource(Protocol):
    """Where the client gets its bearer token from."""

    @property
    def client_id(self) -> str: ...

    @property
    def scrubber(self) -> Scrubber:
        """Masks this source's secrets and tokens in text that came from a server."""
        ...

    async def token(self) -> str: ...

    def invalidate(self, token: str) -> bool:
        """Forget ``token`` after the API rejected it; ``False`` if no new one can be had."""
        ...


class StaticTokenSource:
    """The token source of a :class:`StaticToken`."""

    def __init__(self, credentials: StaticToken) -> None:
        self._credentials = credentials
        self.scrubber = Scrubber(credentials.access_token)

    @property
    def client_id(self) -> str:
        return self._credentials.client_id

    async def token(self) -> str:
        return self._credentials.access_token

    def invalidate(self, token: str) -> bool:
        return False


class OAuthTokenCache:
    """Fetches, caches and renews the OAuth token of one client.

    One fetch at a time: callers that need a token while one is being fetched wait for that
    fetch and share its outcome, a failure included (a hundred callers fail together, after
    one round of attempts, instead of each running its own).
    """

    def __init__(
        self,
        credentials: OAuthCredentials,
        http: httpx.AsyncClient,
        *,
        max_attempts: int = 4,
        deadline: float | None = None,
        clock: Callable[[], float] = loop_time,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._max_attempts = max_attempts
        self._deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._renew_at = 0.0
        self._pending: asyncio.Future[str] | None = None  # the fetch under way
        # At most 30 mints a minute, however the API behaves: protects the integration from
        # Adobe's throttling of credentials that ask for tokens too often.
        self._mints = AsyncLimiter(30, 60)
        self.fetches = 0
        self.scrubber = Scrubber(credentials.client_secret)

    @property
    def client_id(self) -> str:
        return self._credentials.client_id

    def _current(self) -> str | None:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        return None

    async def token(self) -> str:
        token = self._current()
        if token is not None:
            return token
        while (pending := self._pending) is not None:
            try:
                # Shielded: a waiter that is cancelled must not cancel the others' fetch.
                return await asyncio.shield(pending)
            except _FetchAbandoned:
                continue  # its caller was cancelled mid-fetch: the next in line fetches
        return await self._lead()

    async def _lead(self) -> str:
        pending: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending = pending
        try:
            token = self._current() or await self._fetch()
        except CJAError as exc:
            pending.set_exception(exc)
            raise
        except BaseException:
            pending.set_exception(_FetchAbandoned())
            raise
        else:
            pending.set_result(token)
            return token
        finally:
            self._pending = None
            if pending.done() and not pending.cancelled():
                pending.exception()  # retrieved, whether or not anyone waited for it

    def invalidate(self, token: str) -> bool:
        if self._token == token:
            self._token = None
        return True

    async def _fetch(self) -> str:
        creds = self._credentials
        form = {
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "scope": ",".join(creds.scopes),
        }
        url = httpx.URL(creds.token_url)
        failure = "no answer"
        status: int | None = None  # of the last answer; None when the last try got none
        timed_out = False
        for attempt in range(1, self._max_attempts + 1):
            await self._mints.acquire()
            self.fetches += 1
            retry_after: float | None = None
            try:
                request = self._http.build_request("POST", url, data=form)
                response, content = await receive(
                    self._http, request, max_bytes=_MAX_TOKEN_ANSWER, deadline=self._deadline
                )
            except httpx.TransportError as exc:
                status = None
                timed_out = isinstance(exc, httpx.TimeoutException)
                failure = type(exc).__name__
            else:
                status = response.status_code
                if status == 200:
                    return self._accept(content, url)
                body = self.scrubber.bytes(content)
                reason = self.scrubber.text(_ims_error(body, response.reason_phrase))
                if status < 500 and status != 429:
                    raise AuthenticationError(
                        f"the identity server refused the credentials: {reason}",
                        status_code=status,
                        error_code=_ims_code(body),
                        method="POST",
                        path=url.path,
                    )
                failure = f"HTTP {status}: {reason}"
                retry_after = parse_retry_after(response.headers)
            logger.debug("token request failed (%s), attempt %d", failure, attempt)
            if attempt < self._max_attempts:
                await self._sleep(backoff_delay(attempt, retry_after=retry_after))
        tries = f"after {self._max_attempts} attempt{'s' if self._max_attempts > 1 else ''}"
        if status is None:  # never an answer: a network failure, not an HTTP status
            cls = RequestTimeoutError if timed_out else TransportError
            raise cls(
                f"could not get a token: no answer from the identity server at {url} "
                f"{tries} ({failure})",
                method="POST",
                path=url.path,
            )
        raise AuthenticationError(
            f"could not get a token from the identity server at {url} {tries} ({failure})",
            status_code=status,
            method="POST",
            path=url.path,
        )

    def _accept(self, content: bytes, url: httpx.URL) -> str:
        try:
            body: Any = decode_json(content)
            token = body["access_token"]
            expires_in = body.get("expires_in", DEFAULT_TOKEN_LIFETIME)
        except (ValueError, KeyError, TypeError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                "the identity server answered 200 without a usable access_token",
                status_code=200,
                method="POST",
                path=url.path,
            )
        lifetime = token_lifetime(expires_in)
        # Renew a little early (a tenth of the lifetime, at most five minutes) so that no
        # request goes out with a token about to lapse.
        self._token = token
        self._renew_at = self._clock() + lifetime - min(300.0, lifetime * 0.1)
        self.scrubber.add_token(token)
        logger.debug("got a token valid for %.0f s", lifetime)
        return token


class _FetchAbandoned(Exception):
    """The caller running a token fetch was cancelled; a waiting caller takes over."""


# Adobe's tokens live 24 hours. A server that says 0, a negative number, NaN or nothing
# usable would make every call fetch a new token (and the mint pacing would then starve
# every caller); one that says a century would keep a dead token. Such values are replaced:
# an unusable one by a minute (a 401 renews the token sooner if it lapses), a positive one is
# held between a second (simulators use short lives) and a day.
DEFAULT_TOKEN_LIFETIME = 3600.0
UNKNOWN_TOKEN_LIFETIME = 60.0
MIN_TOKEN_LIFETIME = 1.0
MAX_TOKEN_LIFETIME = 86400.0
# A token answer is a few hundred bytes; anything near this is not one.
_MAX_TOKEN_ANSWER = 1024 * 1024


def token_lifetime(expires_in: object) -> float:
    """Seconds to use a token for, from the server's ``expires_in``, within sane bounds."""
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return UNKNOWN_TOKEN_LIFETIME
    if math.isnan(seconds) or seconds <= 0:
        return UNKNOWN_TOKEN_LIFETIME
    return min(max(seconds, MIN_TOKEN_LIFETIME), MAX_TOKEN_LIFETIME)


def _ims_json(content: bytes) -> dict[str, Any]:
    try:
        body = decode_json(content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _ims_code(content: bytes) -> str | None:
    body = _ims_json(content)
    code = body.get("error") or body.get("error_code")
    return str(code)[:100] if code else None


def _ims_error(content: bytes, reason: str) -> str:
    body = _ims_json(content)
    text = body.get("error_description") or body.get("message") or body.get("error")
    return str(text)[:200] if text else (reason or "error")
