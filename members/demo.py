"""Demo people, shared by seed_demo and the tests that check it."""

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nikhil",
    "Olivia",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zane",
    "Aisha",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Esther",
    "Felix",
    "Gita",
    "Hugo",
    "Isla",
]
LAST = [
    "Okafor",
    "Hartley",
    "Dubois",
    "Patel",
    "Rossi",
    "Haddad",
    "Nakamura",
    "Kim",
    "Moreau",
    "Berg",
    "Adeyemi",
    "Walsh",
    "Levi",
    "Rao",
    "Bennett",
    "Garcia",
    "Murphy",
    "Santos",
    "Lund",
    "Singh",
    "Farouk",
    "Novak",
    "Carter",
    "Zhang",
    "Haddad",
    "Fischer",
    "Khan",
    "Costa",
    "Ruiz",
    "Petrov",
    "Cohen",
    "Meyer",
    "Iyer",
    "Laurent",
    "Grant",
]
COHORTS = [
    ("Atlantic Founders", "atlantic-founders", "America/New_York", "active"),
    ("London Growth Forum", "london-growth-forum", "Europe/London", "active"),
    ("Pacific Operators", "pacific-operators", "Australia/Sydney", "forming"),
]
# Cohorts without members, so every status appears in the demo.
EMPTY_COHORTS = [
    ("Rhine Family Business Circle", "rhine-family-business", "Europe/Berlin", "paused"),
    ("Founders 2019 (closed)", "founders-2019", "America/Chicago", "closed"),
]
# Approved members waiting for a cohort (the pool the formation engine draws from): half
# around New York, half around London, so in-person cohorts can form within a metro.
POOL_SIZE = 14
POOL_ZONES = ["America/New_York"] * 7 + ["Europe/London"] * 7
# Real cities (GeoNames ids, core.cities) within 80 km of each metro's centre, the first one
# being the centre: members live across the metro, cohorts meet in its centre.
METRO_CITIES = {
    # New York City, Newark, Jersey City, Yonkers, Stamford, White Plains, Hoboken
    "America/New_York": [5128581, 5101798, 5099836, 5145215, 4843564, 5144336, 5099133],
    # London, Reading, Watford, Croydon, Slough, Guildford
    "Europe/London": [2643743, 2639577, 2634677, 2651817, 2637627, 2647793],
    # Sydney, Parramatta, Chatswood, Manly, Hornsby, Blacktown
    "Australia/Sydney": [2147714, 7281840, 2171707, 2158867, 2163137, 2175411],
    # Chicago, Evanston, Naperville
    "America/Chicago": [4887398, 4891382, 4903279],
    # Berlin, Potsdam
    "Europe/Berlin": [2950159, 2852458],
    # Los Angeles, Pasadena, Long Beach
    "America/Los_Angeles": [5368361, 5381396, 5367929],
    # Paris, Versailles, Boulogne-Billancourt
    "Europe/Paris": [2988507, 2969679, 3031137],
}
# Pool members choose in person or hybrid (never virtual only), so the demo pool forms
# in-person cohorts.
POOL_FORMATS = ["in_person", "hybrid"]
MEMBERS_PER_COHORT = 10
# One applicant per application state, in this order.
APPLICANT_STATES = [
    "draft",
    "submitted",
    "under_review",
    "info_requested",
    "waitlisted",
    "approved",
    "declined",
    "withdrawn",
]
INDUSTRIES = [
    "31-33",
    "42",
    "51",
    "52",
    "54",
    "62",
    "44-45",
    "23",
    "48-49",
    "72",
    "11",
    "21",
    "22",
    "53",
    "55",
    "56",
    "61",
    "71",
    "81",
    "92",
]
COMPANY_WORDS = [
    "Northwind",
    "Bluefin",
    "Cedar",
    "Harbor",
    "Summit",
    "Ironwood",
    "Lumen",
    "Quarry",
    "Atlas",
    "Orchid",
    "Pioneer",
    "Meridian",
    "Beacon",
    "Granite",
    "Willow",
]
TITLES = ["CEO", "Founder and CEO", "President", "Managing Director", "Owner and CEO"]
REVENUE = ["5m-13m", "13m-50m", "13m-50m", "50m-250m", "250m+"]
FORMATS = ["in_person", "virtual", "hybrid"]
FIRST += [
    "Jamal",
    "Keiko",
    "Lars",
    "Mina",
    "Noor",
    "Otto",
    "Priya",
    "Quentin",
    "Rania",
    "Stellan",
    "Tomiko",
    "Ugo",
    "Viola",
    "Wanda",
    "Yusuf",
    "Zofia",
    "Arjun",
    "Bea",
    "Cyrus",
]
LAST += [
    "Osei",
    "Tanaka",
    "Holm",
    "Ahmadi",
    "Reyes",
    "Brandt",
    "Menon",
    "Dupont",
    "Saleh",
    "Eklund",
    "Mori",
    "Bianchi",
    "Kowalski",
    "Nowak",
    "Demir",
    "Wojcik",
    "Kapoor",
    "Lopez",
    "Farahani",
]
