#!/usr/bin/env python3
"""Triage reported mail: every Remote Assistance invitation attached to the messages of one or
more mbox files (forwarded messages and archives included), judged as the gateway judges them.

    python3 triage_mbox.py [--policy POLICY.toml] [--now TIME] [--json] MBOX...

Prints a table (message, attachment, verdict, finding codes), or with --json rainv's JSON lines
(docs/rainv.schema.json). Exit status: 0 when every invitation is accepted, 1 when one is
rejected, 2 when a message could not be read.
"""

import argparse
import mailbox
import sys

import rainv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mbox", nargs="+", help="mbox files of reported mail")
    parser.add_argument("--policy", help="a gateway policy (TOML, docs/security.md)")
    parser.add_argument("--now", help="judge validity at this time (RFC 3339), not the clock's")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args()

    try:
        policy = rainv.Policy(open(args.policy).read()) if args.policy else rainv.Policy()
    except (OSError, rainv.PolicyError) as e:
        print(f"error: {args.policy}: {e}", file=sys.stderr)
        return 2

    status = 0
    rows = []
    for path in args.mbox:
        box = mailbox.mbox(path, create=False)
        for index, key in enumerate(box.keys(), start=1):
            where = f"{path} (message {index})"
            try:
                reports = rainv.scan_mail(box.get_bytes(key), policy=policy, now=args.now)
            except rainv.MailError as e:
                print(f"error: {where}: {e}", file=sys.stderr)
                status = 2
                continue
            for report in reports:
                if args.json:
                    print(report.to_json(where))
                name = " » ".join([report.attachment or "?", *report.inside])
                codes = ", ".join(f.code for f in report.findings if f.severity != "info")
                rows.append((report.message_id or "(no Message-ID)", name, report.verdict, codes))
                if not report.accepted:
                    status = max(status, 1)
    if not args.json:
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(HEADINGS)]
        for row in [HEADINGS, *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        rejected = sum(1 for r in rows if r[2] == "reject")
        print(f"\n{len(rows)} invitations, {rejected} rejected", file=sys.stderr)
    return status


HEADINGS = ("message", "attachment", "verdict", "findings")

if __name__ == "__main__":
    sys.exit(main())
