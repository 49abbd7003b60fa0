"""rainv: Windows Remote Assistance invitation files (.msrcincident).

Read invitations of every Windows generation, decrypt their tickets, compute the expert's
PassStub proof, and judge untrusted files and e-mail as a mail gateway does, with the same
verdicts, findings and JSON as the ``rainv`` command line::

    import rainv

    invitation = rainv.read(open("help.msrcincident", "rb").read())
    print(invitation.username, invitation.status())
    ticket = invitation.decrypt(password)          # raises rainv.WrongPasswordError
    for listener in ticket.listeners:
        print(listener.address, listener.port)

    report = rainv.validate(data, policy=rainv.Policy(toml_text))
    if not report.accepted:
        for finding in report.findings:
            print(finding.code, finding.message)

docs/bindings.md in the repository has the whole API and the rules.
"""

from . import pass_stub
from ._rainv import (
    JSON_VERSION,
    Address,
    Error,
    Finding,
    FormatError,
    Invitation,
    LimitError,
    Listener,
    MailError,
    Policy,
    PolicyError,
    RcTicket,
    Report,
    Ticket,
    WrongPasswordError,
    __version__,
    check,
    open_json,
    read,
    scan_mail,
    validate,
)

__all__ = [
    "JSON_VERSION",
    "Address",
    "Error",
    "Finding",
    "FormatError",
    "Invitation",
    "LimitError",
    "Listener",
    "MailError",
    "Policy",
    "PolicyError",
    "RcTicket",
    "Report",
    "Ticket",
    "WrongPasswordError",
    "__version__",
    "check",
    "open_json",
    "pass_stub",
    "read",
    "scan_mail",
    "validate",
]
