"""A real OpenID Connect provider (npm oidc-provider, tests/oidc/provider.js) on loopback.

Started once per test session in a second process and stopped afterwards. Its people, and what
their logins assert (amr/acr), are listed in tests/oidc/provider.js.
"""

import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.js"
CLIENT_ID = "werkend-leren"
CLIENT_SECRET = "werkend-leren-test-secret"
IDP_PASSWORD = "idp-wachtwoord"
# The provider's people (tests/oidc/provider.js): sub, e-mail address and what a login asserts.
ANNA = "anna.bakker@sso-gemeente.example"  # verified address, password only (amr pwd)
BRAM = "bram.dewit@sso-gemeente.example"  # verified address, amr pwd otp mfa
CARLA = "carla.smit@sso-gemeente.example"  # amr pwd, acr urn:sso-gemeente:substantieel
DIRK = "dirk.visser@sso-gemeente.example"  # address not verified by the provider
EVA = "eva.mulder@elders.example"  # a domain the provider does not cover
SSO_DOMAIN = "sso-gemeente.example"
SUBSTANTIAL_ACR = "urn:sso-gemeente:substantieel"


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(issuer: str, process: subprocess.Popen) -> None:
    """Poll the discovery document until it answers (at most about 30 s)."""
    url = f"{issuer}/.well-known/openid-configuration"
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the OpenID Connect provider stopped before it served")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the OpenID Connect provider did not start")


@pytest.fixture(scope="session")
def oidc_provider():
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure-oidc-provider")], check=True)
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            ["node", str(PROVIDER_SCRIPT), str(port)],
            cwd=PROVIDER_SCRIPT.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(issuer, process)
            yield OidcProvider(issuer=issuer)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
