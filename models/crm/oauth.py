"""OAuth 2.0 for a native app: authorization code with PKCE, loopback redirect, refresh.

Tokens live in memory here; the desktop layer keeps the refresh token in the OS keyring.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlparse

import orjson
import requests

from models.crm.adapter import AuthError, BrokenAnswer, TransientError
from models.crm.transport import (
    TIMEOUT,
    Answer,
    check_instance_url,
    check_url,
    fetch,
    origin_of,
    watched,
)

CLIENT_ID = "RepDeskDesktop"


@dataclass
class Tokens:
    access_token: str
    refresh_token: str | None
    instance_url: str
    # The org signed in to (Salesforce's Organization id, from the answer's identity URL):
    # what the sync's watermarks belong to. None when the answer does not say.
    org: str | None = None

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Tokens(instance_url={self.instance_url!r})"


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(login_url: str, redirect_uri: str, challenge: str, state: str) -> str:
    query = urlencode({"response_type": "code", "client_id": CLIENT_ID,
                       "redirect_uri": redirect_uri, "code_challenge": challenge,
                       "code_challenge_method": "S256", "state": state})
    return f"{login_url.rstrip('/')}/services/oauth2/authorize?{query}"


# A token goes into an HTTP header: printable ASCII with no space, and not a book.
_MAX_TOKEN = 8192


def _token_text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_TOKEN or \
            not value.isascii() or not value.isprintable() or " " in value:
        raise AuthError(f"the CRM's sign-in answer holds no usable {name}")
    return value


def _tokens(answer: Answer, login_url: str, refresh_token: str | None = None) -> Tokens:
    """The tokens of a token answer, each checked; the instance as ``check_instance_url``
    allows.

    Raises:
        AuthError: a refusal, or an answer without a usable token or instance.
        BrokenAnswer: an answer that is not JSON.
    """
    try:
        body = orjson.loads(answer.content)
    except orjson.JSONDecodeError as error:
        raise BrokenAnswer(f"the CRM's sign-in answered {answer.status} with no JSON") \
            from error
    if not isinstance(body, dict):
        raise AuthError("the CRM's sign-in answer is not one")
    if answer.status != 200:
        raise AuthError(f"{str(body.get('error'))[:80]}: "
                        f"{str(body.get('error_description'))[:200]}")
    renewed = body.get("refresh_token")
    return Tokens(_token_text(body.get("access_token"), "access token"),
                  _token_text(renewed, "refresh token") if renewed is not None
                  else refresh_token,
                  check_instance_url(body.get("instance_url"), login_url),
                  org_of(body.get("id")))


# An identity URL: https://login.salesforce.com/id/<org id>/<user id>.
_IDENTITY = re.compile(r"/id/(00D[0-9A-Za-z]{12})(?:[0-9A-Za-z]{3})?/[0-9A-Za-z]{15,18}/?")


def org_of(identity: object) -> str | None:
    """The org's id (its 15-character form) in a token answer's identity URL, if any."""
    if not isinstance(identity, str) or len(identity) > 2048:
        return None
    found = _IDENTITY.search(identity)
    return found.group(1) if found else None


def _token_call(http: requests.Session, login_url: str, data: dict[str, str],
                refresh_token: str | None = None) -> Tokens:
    check_url(login_url)
    try:
        answer = fetch(watched(http), "POST", f"{login_url.rstrip('/')}/services/oauth2/token",
                       data=data)
    except requests.RequestException as error:
        raise TransientError(f"the CRM's sign-in could not be reached: {error}") from error
    return _tokens(answer, login_url, refresh_token)


def exchange_code(http: requests.Session, login_url: str, code: str, verifier: str,
                  redirect_uri: str) -> Tokens:
    return _token_call(http, login_url, {
        "grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
        "redirect_uri": redirect_uri, "code_verifier": verifier})


def refresh(http: requests.Session, login_url: str, refresh_token: str,
            instance_url: str | None = None) -> Tokens:
    """A new access token. With ``instance_url`` (the one the adapter works with), a token
    answer naming another instance is refused: the adapter would send it to the old one.

    Raises:
        AuthError: refused, malformed, or for another instance.
    """
    tokens = _token_call(http, login_url, {
        "grant_type": "refresh_token", "refresh_token": refresh_token,
        "client_id": CLIENT_ID}, refresh_token)
    if instance_url is not None and origin_of(tokens.instance_url) != origin_of(instance_url):
        raise AuthError(f"the CRM's sign-in now names the instance {tokens.instance_url[:120]}"
                        f", not {instance_url}: sign in again")
    return tokens


def approve_at_once(http: requests.Session, login_url: str) -> Tokens:
    """Sign in to a CRM whose login page approves at once (the sandbox): the same PKCE flow,
    reading the redirect instead of waiting for a browser."""
    check_url(login_url)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    redirect_uri = "http://127.0.0.1:7890/oauth/callback"
    answer = http.get(authorize_url(login_url, redirect_uri, challenge, state),
                      allow_redirects=False, timeout=TIMEOUT)
    location = answer.headers.get("Location", "")
    params = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    if answer.status_code != 302 or params.get("state") != state or "code" not in params:
        raise AuthError("the CRM's login did not approve this app")
    return exchange_code(http, login_url, params["code"], verifier, redirect_uri)
