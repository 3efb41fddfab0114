"""Signing in to the CRM: the browser flow for a real org (PKCE, loopback redirect), or at
once for a CRM on this computer whose login approves immediately (the sandbox)."""

from __future__ import annotations

import secrets
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from models.crm.adapter import AuthError
from models.crm.oauth import Tokens, approve_at_once, authorize_url, exchange_code, pkce_pair

LOGIN_TIMEOUT_S = 300


def _is_loopback(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")


def browser_login(http: requests.Session, login_url: str) -> Tokens:
    """Open the CRM's login page in the browser and catch the redirect on loopback."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    received: dict[str, str] = {}

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.update({k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<p>RepDesk is signed in. You can close this tab.</p>")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Callback)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/oauth/callback"
    server.timeout = LOGIN_TIMEOUT_S
    waiter = threading.Thread(target=server.handle_request, daemon=True)
    waiter.start()
    webbrowser.open(authorize_url(login_url, redirect_uri, challenge, state))
    waiter.join(LOGIN_TIMEOUT_S)
    server.server_close()
    if received.get("state") != state or "code" not in received:
        raise AuthError("The sign-in did not complete in the browser.")
    return exchange_code(http, login_url, received["code"], verifier, redirect_uri)


def login(http: requests.Session, login_url: str) -> Tokens:
    if _is_loopback(login_url):
        return approve_at_once(http, login_url)
    return browser_login(http, login_url)
