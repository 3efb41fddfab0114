"""OAuth 2.0 for a native app: authorization code with PKCE, loopback redirect, refresh.

Tokens live in memory here; the desktop layer keeps the refresh token in the OS keyring.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from models.crm.adapter import AuthError, TransientError
from models.crm.salesforce import TIMEOUT, check_url

CLIENT_ID = "RepDeskDesktop"


@dataclass
class Tokens:
    access_token: str
    refresh_token: str | None
    instance_url: str

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


def _tokens(response: requests.Response, refresh_token: str | None = None) -> Tokens:
    try:
        body = response.json()
    except ValueError as error:
        raise TransientError(f"the CRM's sign-in answered {response.status_code}") from error
    if response.status_code != 200:
        raise AuthError(f"{body.get('error')}: {body.get('error_description')}")
    return Tokens(body["access_token"], body.get("refresh_token", refresh_token),
                  body["instance_url"])


def exchange_code(http: requests.Session, login_url: str, code: str, verifier: str,
                  redirect_uri: str) -> Tokens:
    return _tokens(http.post(f"{login_url.rstrip('/')}/services/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
        "redirect_uri": redirect_uri, "code_verifier": verifier}, timeout=TIMEOUT))


def refresh(http: requests.Session, login_url: str, refresh_token: str) -> Tokens:
    return _tokens(http.post(f"{login_url.rstrip('/')}/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID},
        timeout=TIMEOUT), refresh_token)


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
