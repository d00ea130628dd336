"""Reference fair probabilities for test/unit/processors/enrich/margin-methods.test.ts.

Written separately from processors/enrich (standard library only): exact fractions for the
closed-form methods, 60-digit decimal arithmetic and plain bisection (250 halvings) for the
solved ones, with Shin in its textbook form (sqrt(z^2 + 4(1-z)q^2/S) - z) / (2(1-z)), so an
error in the TypeScript rewrite cannot hide here. Definitions: penaltyblog (penaltyblog/implied)
and the R package implied (R/implied_probabilities.R); place books are divided by the places P,
solved as a book summing to S/P, and the fair shares multiplied by P (docs/odds-math.md).

Run in this folder: python3 margin_reference.py > margin-reference.json && npx prettier --write margin-reference.json
"""

import json
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60

# name, source, decimal odds as quoted, places paid
BOOKS = [
    ("nba-draftkings-h2h", "fixtures/the-odds-api.odds.nba.json, Celtics v Heat", ["1.3", "3.6"], 1),
    ("nba-fanduel-h2h", "fixtures/the-odds-api.odds.nba.json, Celtics v Heat", ["1.29", "3.75"], 1),
    ("implied-example-1", "R package implied, ?implied_probabilities example row 1", ["4.20", "3.70", "1.95"], 1),
    ("implied-example-2", "R package implied, ?implied_probabilities example row 2", ["2.45", "3.70", "2.90"], 1),
    ("serie-a-pinnacle-h2h", "real-data oddsapi_soccer_italy_serie_a (2021), Atalanta v Spezia", ["1.3", "8.39", "5.98"], 1),
    ("serie-a-mybookie-h2h", "real-data oddsapi_soccer_italy_serie_a (2021), Atalanta v Spezia", ["1.26", "7.8", "5.6"], 1),
    ("heavy-favourites", "constructed: two odds-on prices, power k near 69", ["1.01", "1.01"], 1),
    ("long-shots", "constructed: a favourite and two long shots", ["1.05", "20", "50"], 1),
    (
        "masters-unibet-outrights",
        "real-data oddsapi_golf_masters_outrights (2021), unibet, 64 runners",
        "10 11 12 13 15 18 17 17 21 23 26 29 31 34 34 34 34 34 41 41 41 41 51 51 51 51 51 51 51 67 67 67 67 "
        "67 67 67 81 81 81 81 81 101 101 101 101 101 101 101 101 101 126 126 126 126 151 151 151 151 151 151 "
        "151 251 251 251".split(),
        1,
    ),
    (
        "betfair-place-3",
        "real-data betfair 1.205822330 (AU PLACE, 3 places), best back at pt 1667267389581",
        ["16", "12.5", "1.9", "9", "9.6", "1.77", "4.2", "3.5", "5.1", "15", "3.95", "3.5", "4.2", "12.5"],
        3,
    ),
]


def bisect(f, lo, hi):
    flo = f(lo)
    assert flo * f(hi) < 0, "no sign change"
    for _ in range(250):
        mid = (lo + hi) / 2
        fmid = f(mid)
        if fmid == 0:
            return mid
        if (fmid > 0) == (flo > 0):
            lo, flo = mid, fmid
        else:
            hi = mid
    return (lo + hi) / 2


def upper_bound(f, start):
    hi = Decimal(start)
    while f(hi) > 0:
        hi *= 2
    return hi


def power(q):
    logs = [x.ln() for x in q]
    f = lambda k: sum((k * l).exp() for l in logs) - 1
    k = bisect(f, Decimal(1), upper_bound(f, 2))
    return [(k * l).exp() for l in logs], k


def shin(q):
    s = sum(q)
    p = lambda z: [((z * z + 4 * (1 - z) * x * x / s).sqrt() - z) / (2 * (1 - z)) for x in q]
    z = bisect(lambda z: sum(p(z)) - 1, Decimal(0), 1 - Decimal("1e-20"))
    return p(z), z


def odds_ratio(q):
    p = lambda c: [x / (c + x - c * x) for x in q]
    f = lambda c: sum(p(c)) - 1
    c = bisect(f, Decimal(1), upper_bound(f, 2))
    return p(c), c


def to_decimal(fraction):
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def reference(odds, places):
    implied = [1 / Fraction(d) for d in odds]
    total = sum(implied)
    q = [x / places for x in implied]
    qs = sum(q)
    n = len(q)
    methods = {
        "multiplicative": ([to_decimal(x / qs) for x in q], None),
        "additive": ([to_decimal(x - (qs - 1) / n) for x in q], None),
    }
    qd = [to_decimal(x) for x in q]
    methods["power"] = power(qd)
    methods["shin"] = shin(qd)
    methods["odds-ratio"] = odds_ratio(qd)
    return {
        "overround": float(to_decimal(total / places - 1)),
        "bookPercentage": float(to_decimal(100 * total)),
        "methods": {
            name: {
                "probabilities": [float(p * places) for p in probs],
                "parameter": None if parameter is None else float(parameter),
                "sumCheck": float(sum(probs) - 1),
                "anyNegative": any(p <= 0 for p in probs),
            }
            for name, (probs, parameter) in methods.items()
        },
    }


print(
    json.dumps(
        {
            "generatedBy": "margin_reference.py (python3, fractions + decimal at 60 digits, bisection)",
            "books": [
                {"name": name, "source": source, "odds": [float(d) for d in odds], "places": places, **reference(odds, places)}
                for name, source, odds, places in BOOKS
            ],
        },
        indent=1,
    )
)
