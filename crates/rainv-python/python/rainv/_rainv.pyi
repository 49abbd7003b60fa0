# Types of the extension module (crates/rainv-python/src/lib.rs); rainv/__init__.py re-exports
# them. mypy's stubtest holds this file to the module (.ci/python).
import datetime
from typing import Optional, Union, final

__all__ = [
    "JSON_VERSION",
    "__version__",
    "Error",
    "FormatError",
    "LimitError",
    "WrongPasswordError",
    "PolicyError",
    "MailError",
    "Policy",
    "Address",
    "RcTicket",
    "Listener",
    "Ticket",
    "Invitation",
    "Finding",
    "Report",
    "read",
    "validate",
    "check",
    "scan_mail",
    "open_json",
    "pass_stub_encrypt",
    "pass_stub_verify",
]

__version__: str
JSON_VERSION: int

_Instant = Union[datetime.datetime, int, str, None]
"""An aware datetime, seconds since 1970, RFC 3339 text, or None for the system clock."""

class Error(Exception):
    """Anything rainv refuses; ``code`` is the stable code, ``hint`` what to do."""

    code: str
    hint: str

class FormatError(Error): ...
class LimitError(FormatError): ...
class WrongPasswordError(Error): ...
class PolicyError(Error): ...
class MailError(Error): ...

@final
class Policy:
    def __new__(cls, toml: Optional[str] = None) -> Policy: ...

_PolicyArg = Union[Policy, str, None]

@final
class Address:
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...

@final
class RcTicket:
    @property
    def addresses(self) -> list[Address]: ...
    @property
    def session_id(self) -> str: ...
    @property
    def kh(self) -> str: ...

@final
class Listener:
    @property
    def address(self) -> str: ...
    @property
    def port(self) -> Optional[int]: ...
    @property
    def uri(self) -> Optional[str]: ...

@final
class Ticket:
    @property
    def kh(self) -> Optional[str]: ...
    @property
    def id(self) -> str: ...
    @property
    def listeners(self) -> list[Listener]: ...

@final
class Invitation:
    @property
    def kind(self) -> str: ...
    @property
    def username(self) -> Optional[str]: ...
    @property
    def password_protected(self) -> Optional[bool]: ...
    @property
    def pass_stub(self) -> Optional[str]: ...
    @property
    def valid_from(self) -> Optional[datetime.datetime]: ...
    @property
    def valid_until(self) -> Optional[datetime.datetime]: ...
    @property
    def length_minutes(self) -> Optional[int]: ...
    def status(self, now: _Instant = None) -> Optional[str]: ...
    @property
    def rc_ticket(self) -> Optional[RcTicket]: ...
    @property
    def has_lh_ticket(self) -> bool: ...
    @property
    def ticket(self) -> Optional[Ticket]: ...
    @property
    def listeners(self) -> list[Listener]: ...
    def decrypt(self, password: str) -> Ticket: ...

@final
class Finding:
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...

@final
class Report:
    @property
    def verdict(self) -> str: ...
    @property
    def accepted(self) -> bool: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def inside(self) -> list[str]: ...
    @property
    def message_id(self) -> Optional[str]: ...
    @property
    def attachment(self) -> Optional[str]: ...
    def to_json(self, file: str = "") -> str: ...

def read(data: bytes, policy: _PolicyArg = None) -> Invitation: ...
def validate(
    data: bytes, policy: _PolicyArg = None, now: _Instant = None, password: Optional[str] = None
) -> Report: ...
def check(
    data: bytes,
    name: Optional[str] = None,
    policy: _PolicyArg = None,
    now: _Instant = None,
    password: Optional[str] = None,
) -> list[Report]: ...
def scan_mail(
    data: bytes, policy: _PolicyArg = None, now: _Instant = None, password: Optional[str] = None
) -> list[Report]: ...
def open_json(
    data: bytes,
    password: Optional[str] = None,
    policy: _PolicyArg = None,
    now: _Instant = None,
    file: str = "",
) -> str: ...
def pass_stub_encrypt(password: str, pass_stub: str) -> str: ...
def pass_stub_verify(password: str, pass_stub: str, pass_hex: str) -> bool: ...
