"""The fixed cast of the synthetic pages (:mod:`bench.generate`), drawn from a seed: about 1,500
members of both Houses, 25 departments and their ministers, and the texts questions and
answers are made of, escaped as the API escapes them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

#: Question ``i`` (0-based) is ``RESOURCES + str(FIRST_ID + i)``.
FIRST_ID = 2_000_000
RESOURCES = "http://data.parliament.uk/resources/"
MEMBERS = "http://data.parliament.uk/members/"
N_COMMONS = 1150
N_LORDS = 350
FIRST_DAY = date(2014, 5, 1)
N_DAYS = 4000


def _split(text: str) -> list[str]:
    return text.split()


DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    # (id, AnsweringBody, short name, minister's title in a Commons question)
    ("29", "Department for Work and Pensions", "Work and Pensions", "Work and Pensions"),
    ("1", "Home Office", "Home Office", "the Home Department"),
    ("14", "HM Treasury", "Treasury", "the Chancellor of the Exchequer"),
    ("17", "Department of Health and Social Care", "Health and Social Care", "Health and Social Care"),
    ("60", "Department for Education", "Education", "Education"),
    ("11", "Ministry of Defence", "Defence", "Defence"),
    ("208", "Foreign, Commonwealth and Development Office", "Foreign, Commonwealth and Development Office", "Foreign, Commonwealth and Development Affairs"),
    ("54", "Ministry of Justice", "Justice", "Justice"),
    ("27", "Department for Transport", "Transport", "Transport"),
    ("13", "Department for Environment, Food and Rural Affairs", "Environment, Food and Rural Affairs", "Environment, Food and Rural Affairs"),
    ("53", "Cabinet Office", "Cabinet Office", "the Cabinet Office"),
    ("214", "Department for Business and Trade", "Business and Trade", "Business and Trade"),
    ("202", "Department for Energy Security and Net Zero", "Energy Security and Net Zero", "Energy Security and Net Zero"),
    ("216", "Department for Science, Innovation and Technology", "Science, Innovation and Technology", "Science, Innovation and Technology"),
    ("10", "Department for Culture, Media and Sport", "Culture, Media and Sport", "Culture, Media and Sport"),
    ("7", "Ministry of Housing, Communities and Local Government", "Housing, Communities and Local Government", "Housing, Communities and Local Government"),
    ("21", "Northern Ireland Office", "Northern Ireland", "Northern Ireland"),
    ("30", "Scotland Office", "Scotland", "Scotland"),
    ("31", "Wales Office", "Wales", "Wales"),
    ("56", "Attorney General", "Attorney General", "the Attorney General"),
    ("201", "Department for International Development", "International Development", "International Development"),
    ("209", "Department for Digital, Culture, Media and Sport", "Digital, Culture, Media and Sport", "Digital, Culture, Media and Sport"),
    ("38", "Department for Exiting the European Union", "Exiting the European Union", "Exiting the European Union"),
    ("24", "Women and Equalities", "Women and Equalities", "Women and Equalities"),
    ("25", "Leader of the House", "Leader of the House", "the Leader of the House"),
)  # fmt: skip

_FIRST = _split(
    "Paul Wendy Siân Guy Ruth Aled Priya Tom Nadia Liam Fiona Angus Bernadette Owain Kemi Rishi "
    "Yvette Hilary Caroline Dawn Jonathan Marsha Stephen Rachel Chris Catherine Ian Ann Peter "
    "Helen Andrew Jess Mark Emily Simon Anneliese Gareth Layla Jim Alison Kevin Abena Dominic "
    "Stella Darren Rosie Philip Meg Alun Ruairí Jeremy Diane Greg Tulip Kirsty Jamie Bell Clive"
)
_LAST = _split(
    "Maynard Chamberlain Opperman Jones Smith Khan O'Brien Davies Murphy McDonald Thomas "
    "Patel Hughes Lewis Evans Roberts Walker Wright Thompson White Hall Green Clarke Jackson "
    "Wood Harris Turner Edwards Cooper Hill Ward Morris Moore Clark Watson Young Allen King "
    "Baker Fitzgerald Ní Bhriain Mac Neil Sørensen Okafor Adeyemi Gill Begum Ahmed Bradley "
    "Rees-Mogg Duncan Lloyd Bell Mercer Stuart Fletcher Quin Hamilton Kennedy Campbell Stewart"
)
_PLACES = _split(
    "Fife Hexham Blackpool Cleveleys Bristol Leeds Croydon Harrow Bolton Wirral Dundee Swansea "
    "Cardiff Belfast Derby Ipswich Norwich Bath Wells Truro Falmouth Penrith Solway Kendal "
    "Barnsley Halifax Keighley Stroud Thanet Gower Ogmore Moray Angus Perth Stirling Inverclyde "
    "Renfrewshire Lagan Valley Strangford Foyle Ealing Acton Hornsey Wood Green Lewisham Deptford "
    "Camberwell Peckham Bermondsey Southwark Walthamstow Chingford Hendon Finchley Golders Green"
)
_POINTS = ("North", "South", "East", "West", "Central", "North East", "South West", "Mid")
_TOPICS = (
    "Children", "Schools", "Pensions", "Universal Credit", "Housing", "Roads", "Railways",
    "Armed Forces", "Prisons", "Courts", "Police", "Immigration", "Asylum", "NHS", "Dentistry",
    "Energy", "Climate Change", "Agriculture", "Fisheries", "Broadband", "Arts", "Sport",
    "Local Government", "Taxation", "Public Sector Pay", "Overseas Aid", "Visas", "Flood Control",
    "Social Security Benefits", "Higher Education", "Apprentices", "Veterans", "Bus Services",
)  # fmt: skip
_SUBTOPICS = (
    "Maintenance", "Finance", "Standards", "Recruitment", "Waiting Lists", "Safety", "Training",
    "Young People", "Disability", "Rural Areas", "Scotland", "Wales", "Northern Ireland",
    "Procurement", "Inspections", "Staff", "Costs", "Reviews", "Data", "Contracts",
)  # fmt: skip
_ASKS = (
    "what steps {d} is taking to improve {t}",
    "what assessment {d} has made of the effectiveness of {t}",
    "how many people were affected by changes to {t} in each of the last five years",
    "whether {d} plans to review the funding allocated to {t}",
    "what estimate {d} has made of the cost of {t} in the current financial year",
    "if {d} will publish the guidance issued on {t}",
    "what discussions {d} has had with the devolved Administrations on {t}",
    "with reference to the answer of 12 January 2024 on {t}, what the timetable is for the review",
)
_WORDS = _split(
    "the Government the Department is committed to ensuring that all customers receive support "
    "they need local authorities funding of £ million has been allocated in 2024/25 and this will "
    "be kept under review information is published on GOV.UK officials continue to work closely "
    "with stakeholders including charities the devolved administrations and employers it is not "
    "possible to provide the information requested as it could only be obtained at "
    "disproportionate cost the ‘Child Maintenance Service’ – and the National Health Service – "
    "will consider the recommendations of the independent review café naïve résumé data are "
    "collected quarterly and the latest figures show an increase of per cent since"
)


def esc(text: str) -> str:
    """The body of a JSON string as the API writes it: ``\\uXXXX`` for non-ASCII, ``\\/``."""
    return json.dumps(text)[1:-1].replace("/", "\\/")


def esc_html(text: str) -> str:
    """Like :func:`esc`, but line feeds stay RAW, as in the API's ``answerText``."""
    return esc(text).replace("\\n", "\n")


@dataclass(frozen=True)
class Member:
    id: int
    name: str  # escaped
    constituency: str | None  # escaped; None for Lords
    house: int
    json: str = ""  # the member object as the API writes it


def member(id_: int, name: str, constituency: str | None, house: int) -> Member:
    escaped = esc(name)
    return Member(
        id_,
        escaped,
        None if constituency is None else esc(constituency),
        house,
        f'{{"_about" : "{MEMBERS}{id_}", "label" : {{"_value" : '
        f'"Biography information for {escaped}"}} }}',
    )


@dataclass
class World:
    """The fixed cast, drawn from the seed: members, ministers, texts."""

    commons: list[Member]
    lords: list[Member]
    #: Per department index, per house (1, 2): the members who answer for it.
    ministers: list[dict[int, list[Member]]]
    paragraphs: list[str]  # escaped HTML paragraphs, doubled so a run never wraps
    ends: list[int]  # cumulative lengths of ``paragraphs``
    headings: list[str]
    headings_lower: list[str]
    #: (text before the topic, text after it) of each way of asking, per department.
    asks: list[list[tuple[str, str]]]
    departments: list[tuple[str, str, str]]  # (id, escaped AnsweringBody, escaped short name)
    days: list[str]
    times: list[str]


def _around_topic(way: str) -> tuple[str, str]:
    """A way of asking cut where its topic goes: (text before, text after)."""
    before, after = way.split("{t}")
    return before, after


def make_world(seed: int) -> World:
    rng = random.Random(f"world:{seed}")
    names: set[str] = set()
    people: list[str] = []
    while len(people) < N_COMMONS + N_LORDS:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name not in names:
            names.add(name)
            people.append(name)
    places: list[str] = []
    for index in range(N_COMMONS):
        place = rng.choice(_PLACES)
        other = rng.choice(_PLACES)
        form = index % 4
        places.append(
            f"{rng.choice(_POINTS)} {place}"
            if form == 0
            else f"{place} and {other}"
            if form == 1 and other != place
            else f"{place} {index // 4}"
            if form == 2
            else place
        )
    commons = [member(3000 + i, people[i], places[i], 1) for i in range(N_COMMONS)]
    lords = []
    for i in range(N_LORDS):
        title = "Baroness" if i % 3 == 0 else "Lord"
        surname = people[N_COMMONS + i].split(" ", 1)[1]
        lords.append(member(5000 + i, f"{title} {surname}", None, 2))
    ministers = []
    for _ in DEPARTMENTS:
        ministers.append({1: rng.sample(commons, 4), 2: rng.sample(lords, 2)})
    paragraphs = []
    for _ in range(400):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 80))]
        sentence = " ".join(words)
        paragraphs.append(esc_html(f"<p>{sentence[0].upper()}{sentence[1:]}.</p>\n"))
    paragraphs = paragraphs + paragraphs
    ends = []
    total = 0
    for text in paragraphs:
        total += len(text)
        ends.append(total)
    headings = [esc(f"{t}: {s}") for t in _TOPICS for s in _SUBTOPICS]
    asks: list[list[tuple[str, str]]] = []
    for _, _, _, title in DEPARTMENTS:
        ways = []
        for ask in _ASKS:
            for pronoun in ("his", "her"):
                text = ask.replace("{d}", f"{pronoun} Department")
                ways.append(f"To ask the Secretary of State for {title}, {text}.")
                ways.append(f"To ask His Majesty\u2019s Government {text}.")
        asks.append([_around_topic(esc(w)) for w in ways])
    departments = [(d, esc(body), esc(short)) for d, body, short, _ in DEPARTMENTS]
    days = [(FIRST_DAY + timedelta(days=k)).isoformat() for k in range(N_DAYS + 400)]
    times = [
        f"T{rng.randint(9, 19):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
        f"{rng.randint(0, 999):03d}Z"
        for _ in range(997)
    ]
    return World(
        commons,
        lords,
        ministers,
        paragraphs,
        ends,
        headings,
        [h.lower() for h in headings],
        asks,
        departments,
        days,
        times,
    )
