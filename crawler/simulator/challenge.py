"""The simulated FEC anti-bot challenge: the HTML page (shaped like the real one, with
`/_fec_sbu/fec_wrapper.js` and `hxk_fec_<hex>.js` script tags), the inline JavaScript proof of work that
sets the clearance cookie and reloads, and the server-side check of that cookie.

Token: FNV-1a (32 bit) over the nonce, repeated `ROUNDS` times, as 8 hex digits. Cookie:
`fec_clearance=<nonce>.<token>`. The nonce carries an HMAC of the simulator's secret, so the check needs
no server state. Only a client that runs the page's script (or re-implements it) gets through.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from http.cookies import CookieError, SimpleCookie

COOKIE_NAME = "fec_clearance"
ROUNDS = 500
WRAPPER_SCRIPT = "/_fec_sbu/fec_wrapper.js"


def fec_token(nonce: str) -> str:
    """The token the challenge script computes for a nonce (mirror of the inline JavaScript)."""
    value = 0x811C9DC5
    for _ in range(ROUNDS):
        for char in nonce:
            value ^= ord(char)
            value = (value * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


class Challenge:
    """Issues challenge pages and validates clearance cookies for one simulator."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"fec-{seed}")
        self._secret = rng.randbytes(16)
        self._rng = rng
        self.script_hex = f"{rng.getrandbits(32):08x}"
        self.script_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))

    @property
    def hxk_script(self) -> str:
        return f"/_fec_sbu/hxk_fec_{self.script_hex}.js"

    def _sign(self, random_part: str) -> str:
        return hmac.new(self._secret, random_part.encode(), hashlib.sha256).hexdigest()[:16]

    def new_nonce(self) -> str:
        random_part = f"{self._rng.getrandbits(64):016x}"
        return random_part + self._sign(random_part)

    def cookie_is_valid(self, cookie_header: str | None) -> bool:
        if not cookie_header:
            return False
        try:
            cookies = SimpleCookie(cookie_header)
        except CookieError:
            return False
        morsel = cookies.get(COOKIE_NAME)
        if morsel is None:
            return False
        nonce, _, token = morsel.value.partition(".")
        if len(nonce) != 32 or not hmac.compare_digest(self._sign(nonce[:16]), nonce[16:]):
            return False
        return hmac.compare_digest(fec_token(nonce), token)

    def page(self) -> str:
        """A FEC-like challenge page; its inline script sets the clearance cookie and reloads."""
        nonce = self.new_nonce()
        return f"""<!DOCTYPE html>
<html>
<head><script src="{WRAPPER_SCRIPT}"></script>
<script id="{self.script_id}" src="{self.hxk_script}"></script>
<meta charset="utf-8">
<title>Cổng thông tin điện tử quốc gia về đấu giá tài sản</title>
</head>
<body>
<div id="fec-challenge" data-nonce="{nonce}">Đang kiểm tra trình duyệt, vui lòng chờ...</div>
<script>
(function () {{
  var nonce = "{nonce}";
  var h = 0x811c9dc5;
  for (var r = 0; r < {ROUNDS}; r++) {{
    for (var i = 0; i < nonce.length; i++) {{
      h ^= nonce.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }}
  }}
  var token = ("00000000" + h.toString(16)).slice(-8);
  document.cookie = "{COOKIE_NAME}=" + nonce + "." + token + "; path=/; SameSite=Lax";
  setTimeout(function () {{ location.reload(); }}, 50);
}})();
</script>
</body>
</html>
"""


WRAPPER_JS = "/* fec_wrapper (simulated) */\nwindow.__fec = window.__fec || {};\n"
HXK_JS = "/* hxk_fec (simulated) */\nwindow.__fec = window.__fec || {}; window.__fec.ready = true;\n"
