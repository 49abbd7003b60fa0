"""The Python side of benches/bindings.sh: rainv.validate and rainv.check (to JSON) on one
file, the best of ROUNDS rounds of CALLS calls each.

    python3 validate.py ROUNDS CALLS FILE
"""

import sys
import time

import rainv


def best_of(rounds, calls, call):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter_ns() - start) / calls)
    return best


def main():
    rounds, calls, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    data = open(path, "rb").read()
    policy = rainv.Policy()
    now = 1764496800
    validate = best_of(rounds, calls, lambda: rainv.validate(data, policy=policy, now=now))
    check = best_of(
        rounds, calls, lambda: [r.to_json(path) for r in rainv.check(data, name=path, policy=policy, now=now)]
    )
    print(f"validate ns_per_call {validate:.0f}")
    print(f"check_json ns_per_call {check:.0f}")


main()
