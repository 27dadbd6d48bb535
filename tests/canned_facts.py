"""What the canned queries' tests know of their data: the real sample's and the hand-made fixture's
facts, and helpers that run a canned query and give its rows as plain values.

The real sample (samples/answeredquestions-children-maintenance.json) holds nine Commons
questions tabled by Wendy Chamberlain (member 4765, North East Fife) to the Department for Work
and Pensions (department 29, short name "Work and Pensions"), all under the heading
"Children: Maintenance". Read from the JSON, item by item (uin: tabled → answered, by whom,
days = answered - tabled):

    20427   2024-03-25 → 2024-04-16  Paul Maynard (3926)   22 days
    19185   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } one group: each answer's
    19186   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } groupedQuestionUIN lists
    19187   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } the four others, and the
    19188   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } five answer texts are the
    19189   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } same
    185646  2023-05-17 → 2023-05-24  Mims Davies (4513)     7 days
    185648  2023-05-17 → 2023-05-22  Mims Davies            5 days
    147074  2021-02-01 → 2021-02-04  Guy Opperman (4142)    3 days

None is a ministerial correction, none has a previous answer version, none is a Lords question.
The hand-made fixture (tests/fixtures/handmade/) covers those; its facts are listed above
``HANDMADE`` below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph

from kg.output import plain_value
from kg.queries import load_catalog, run_canned
from kg.sparql import QueryOutcome

HERE = Path(__file__).parent
HANDMADE_DIR = HERE / "fixtures" / "handmade"
CATALOG = load_catalog()

# The hand-made fixture (commons.json and lords.json), as written there:
#
#   res   uin     house    asked by              dept (id)          tabled      answered    by              days
#   9001  1001    Commons  Alice Smith (101)     Health (17)        2024-01-08  2024-01-11  Carol Jones      3
#   9002  1002    Commons  Alice Smith           Health             2024-01-08  2024-01-12  Carol Jones      4  grouped with 1003
#   9003  1003    Commons  Bob Smith (102)       Health             2024-01-08  2024-01-12  Carol Jones      4  grouped with 1002
#   9004  1004    Commons  Bob Smith             Health             2024-02-05  2024-02-25  Carol Jones     20
#   9101  2001    Commons  Alice Smith           Treasury (14)      2024-03-04  2024-03-07  Dan Brown        3
#   9102  2002    Commons  Bob Smith             Treasury           2024-03-04  2024-03-14  Dan Brown       10
#   9201  3001    Commons  Alice Smith           Education (60)     2024-04-02  2024-04-09  members/0        7  (placeholder)
#   9202  1001    Commons  Bob Smith             Education          2023-06-05  2023-06-21  Erin Black       7  correction, first answered 2023-06-12
#   9301  HL1234  Lords    Lord Green (301)      Health             2024-01-15  2024-01-29  Baroness White  14
#   9302  HL1235  Lords    Lord Greenwood (303)  Health             2024-01-15  2024-01-22  Baroness White   7
#
# Constituencies: Alice Smith Northtown, Bob Smith Southville, Carol Jones (201) Eastham,
# Dan Brown (202) Westford, Erin Black (203) Midvale; Lords members have none. Health is
# "Department of Health and Social Care" (short "Health and Social Care"), Treasury is
# "HM Treasury" ("Treasury"), Education is "Department for Education" ("Education").
# 9202's answer is a ministerial correction of a previous version answered 2023-06-12 by Erin
# Black ("The figure is 10."); UIN 1001 is used twice (9001 in 2024, 9202 in 2023).

WP = "Work and Pensions"
CM = "Children: Maintenance"
HSC = "Health and Social Care"


#: An RDF term as the plain Python value the tests compare (a str, int, date...).
plain = plain_value


def rows(outcome: QueryOutcome) -> list[tuple[Any, ...]]:
    return [tuple(plain(v) for v in row) for row in outcome.rows]


def run(
    store: pyoxigraph.Store, query: str, /, **params: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    outcome = run_canned(store, query, params, catalog=CATALOG)
    return outcome.columns, rows(outcome)
