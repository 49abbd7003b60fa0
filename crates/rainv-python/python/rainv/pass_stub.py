"""The expert's password proof: the PASS value for an invitation's PassStub.

An expert who knows the novice's password sends ``encrypt(password, invitation.pass_stub)``;
the novice's side checks it with ``verify``.
"""

from ._rainv import pass_stub_encrypt as _encrypt
from ._rainv import pass_stub_verify as _verify

__all__ = ["encrypt", "verify"]


def encrypt(password: str, pass_stub: str) -> str:
    """The PASS value (hex; 64 digits for a 14-character PassStub)."""
    return _encrypt(password, pass_stub)


def verify(password: str, pass_stub: str, pass_hex: str) -> bool:
    """Whether ``pass_hex`` is the PASS value; raises ``rainv.FormatError`` if it is not hex."""
    return _verify(password, pass_stub, pass_hex)
