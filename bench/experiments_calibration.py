"""Does the experiment analysis tell the truth? 1,000 simulated A/A tests (no effect) and
1,000 A/B tests with a known effect, customers assigned by the real hash assignment.

- false_positive_rate: share of A/A tests called significant (target 5% +- 1.5 points);
- ci_coverage: share of A/B 95% intervals containing the true effect (target 95% +- 1.5);
  both with CUPED (a pre-period covariate), the analysis cxloop recommends;
- baseline: the same tests analysed without CUPED (the naive difference of means): its
  coverage and interval width; ratio = CUPED interval width / naive width (< 1 is better);
- the same two figures for a conversion rate (two-proportion z-test);
- peeking: the A/A tests read after every 200 customers per arm and stopped at the first
  p < 0.05, with the fixed-horizon test (what peeking does to it) and with the mSPRT.

    python bench/experiments_calibration.py [--tests 1000] [--customers 2000]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from cxloop.experiments import Arm, assign, mean_effect, proportion_effect

ARMS = (Arm("control"), Arm("treatment"))
EFFECT = 1.5  # on the mean metric (the metric's sd is about 16)
RATE, LIFT = 0.2, 0.03  # conversion rate and its lift
LOOK_EVERY = 200


def simulate(
    rng: np.random.Generator, test: int, customers: int, effect: float
) -> dict[str, float]:
    treated = np.array(
        [assign(f"bench-{test}", f"c{i}", ARMS) == "treatment" for i in range(customers)]
    )
    pre = rng.gamma(2.0, 10.0, customers)  # last quarter's spend: heavy users stay heavy
    outcome = 0.7 * pre + rng.normal(0, 8, customers) + effect * treated
    converted = rng.random(customers) < RATE + (LIFT if effect else 0.0) * treated
    c, t = ~treated, treated
    cuped = mean_effect(outcome[c], outcome[t], pre_control=pre[c], pre_treatment=pre[t])
    naive = mean_effect(outcome[c], outcome[t])
    rate = proportion_effect(
        (int(converted[c].sum()), int(c.sum())), (int(converted[t].sum()), int(t.sum()))
    )
    true_lift = LIFT if effect else 0.0
    return {
        "significant": cuped.significant,
        "covered": cuped.low <= effect <= cuped.high,
        "width": cuped.high - cuped.low,
        "naive_significant": naive.significant,
        "naive_covered": naive.low <= effect <= naive.high,
        "naive_width": naive.high - naive.low,
        "rate_significant": rate.significant,
        "rate_covered": rate.low <= true_lift <= rate.high,
    }


def peeking(rng: np.random.Generator, customers: int) -> tuple[bool, bool]:
    """An A/A test read at every look: (fixed-horizon test ever significant, mSPRT ever)."""
    control = rng.normal(50, 16, customers)
    treatment = rng.normal(50, 16, customers)
    fixed = sequential = False
    for n in range(LOOK_EVERY, customers + 1, LOOK_EVERY):
        fixed |= mean_effect(control[:n], treatment[:n]).significant
        sequential |= mean_effect(control[:n], treatment[:n], tau=EFFECT).significant
    return fixed, sequential


def share(rows: list[dict[str, float]], key: str) -> float:
    return round(float(np.mean([r[key] for r in rows])), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=2000, help="per test, both arms")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    aa = [simulate(rng, i, args.customers, 0.0) for i in range(args.tests)]
    ab = [simulate(rng, args.tests + i, args.customers, EFFECT) for i in range(args.tests)]
    peeks = [peeking(rng, args.customers // 2) for _ in range(args.tests)]
    width, naive_width = share(ab, "width"), share(ab, "naive_width")
    print(
        json.dumps(
            {
                "name": "experiments_calibration",
                "tests": args.tests,
                "customers_per_test": args.customers,
                "false_positive_rate": share(aa, "significant"),
                "ci_coverage": share(ab, "covered"),
                "aa_ci_coverage": share(aa, "covered"),
                "power": share(ab, "significant"),
                "ci_width": round(width, 3),
                "baseline_false_positive_rate": share(aa, "naive_significant"),
                "baseline_ci_coverage": share(ab, "naive_covered"),
                "baseline_power": share(ab, "naive_significant"),
                "baseline_ci_width": round(naive_width, 3),
                "ratio": round(width / naive_width, 4),
                "proportion_false_positive_rate": share(aa, "rate_significant"),
                "proportion_ci_coverage": share(ab, "rate_covered"),
                "peeking_fixed_false_positive_rate": round(
                    float(np.mean([p[0] for p in peeks])), 4
                ),
                "peeking_msprt_false_positive_rate": round(
                    float(np.mean([p[1] for p in peeks])), 4
                ),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
