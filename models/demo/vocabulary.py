"""The raw material of demo data: names, places, titles and company words."""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    city: str
    state: str | None
    country: str
    timezone: str
    # A phone number pattern: "#" is any digit, "N" a digit from 2 to 9.
    phone: str
    postal: str
    tld: str


PLACES: tuple[Place, ...] = (
    Place("New York", "NY", "US", "America/New_York", "+1212N######", "100##", "com"),
    Place("Boston", "MA", "US", "America/New_York", "+1617N######", "021##", "com"),
    Place("Atlanta", "GA", "US", "America/New_York", "+1404N######", "303##", "com"),
    Place("Chicago", "IL", "US", "America/Chicago", "+1312N######", "606##", "com"),
    Place("Austin", "TX", "US", "America/Chicago", "+1512N######", "787##", "com"),
    Place("Denver", "CO", "US", "America/Denver", "+1303N######", "802##", "com"),
    Place("San Francisco", "CA", "US", "America/Los_Angeles", "+1415N######", "941##", "com"),
    Place("Seattle", "WA", "US", "America/Los_Angeles", "+1206N######", "981##", "com"),
    Place("Toronto", "ON", "CA", "America/Toronto", "+1416N######", "M5V ###", "ca"),
    Place("London", None, "GB", "Europe/London", "+44207#######", "EC1A #BB", "co.uk"),
    Place("Manchester", None, "GB", "Europe/London", "+44161#######", "M1 #AE", "co.uk"),
    Place("Berlin", "BE", "DE", "Europe/Berlin", "+4930########", "10###", "de"),
    Place("München", "BY", "DE", "Europe/Berlin", "+4989########", "80###", "de"),
    Place("Paris", None, "FR", "Europe/Paris", "+331########", "750##", "fr"),
    Place("Lyon", None, "FR", "Europe/Paris", "+334########", "690##", "fr"),
    Place("Madrid", None, "ES", "Europe/Madrid", "+3491#######", "280##", "es"),
    Place("Sydney", "NSW", "AU", "Australia/Sydney", "+612########", "2###", "com.au"),
    Place("Melbourne", "VIC", "AU", "Australia/Melbourne", "+613########", "3###", "com.au"),
    Place("Tokyo", None, "JP", "Asia/Tokyo", "+813########", "1##-####", "co.jp"),
    Place("São Paulo", "SP", "BR", "America/Sao_Paulo", "+55119########", "01###-###", "com.br"),
    Place("Bangalore", "KA", "IN", "Asia/Kolkata", "+9180########", "560###", "in"),
)

# Weights follow a mostly North American and European team.
PLACE_WEIGHTS = (10, 5, 4, 7, 5, 3, 8, 5, 3, 7, 3, 4, 3, 4, 2, 2, 3, 2, 2, 2, 2)

FIRST_NAMES = {
    "US": ("James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Linda",
           "David", "Elizabeth", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
           "Christopher", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Ashley",
           "Kevin", "Emily", "Jason", "Megan", "Brian", "Rachel", "Carlos", "Maria", "Wei",
           "Priya", "Andre", "Keisha"),
    "GB": ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Charlie",
           "Sophie", "Thomas", "Grace", "Oscar", "Chloe", "Alfie", "Fiona", "Callum", "Niamh"),
    "DE": ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Hannah", "Maximilian", "Sophie",
           "Paul", "Marie", "Jürgen", "Katrin", "Stefan", "Sabine", "Uwe", "Birgit"),
    "FR": ("Louis", "Camille", "Gabriel", "Léa", "Hugo", "Manon", "Jules", "Chloé",
           "Arthur", "Inès", "Théo", "Élodie", "Nicolas", "Céline"),
    "ES": ("Alejandro", "Lucía", "Pablo", "Martina", "Javier", "Carmen", "Diego", "Sofía"),
    "AU": ("Jack", "Charlotte", "Noah", "Olivia", "Liam", "Mia", "Cooper", "Matilda"),
    "JP": ("Hiroshi", "Yuki", "Takeshi", "Sakura", "Kenji", "Aiko", "Haruto", "Yui"),
    "BR": ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Juliana", "Rafael", "Fernanda"),
    "IN": ("Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Divya", "Rohan", "Sneha"),
}
LAST_NAMES = {
    "US": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
           "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas",
           "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
           "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
           "Nguyen", "Chen", "Patel", "O'Brien", "McDonald"),
    "GB": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
           "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf"),
    "FR": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
           "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre"),
    "ES": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"),
    "AU": ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Kelly", "Ryan"),
    "JP": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    "BR": ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Almeida"),
    "IN": ("Sharma", "Verma", "Gupta", "Iyer", "Reddy", "Nair", "Kumar", "Singh"),
}
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Richard": "Rick", "Michael": "Mike",
             "Elizabeth": "Liz", "Jennifer": "Jen", "Christopher": "Chris", "Thomas": "Tom",
             "Daniel": "Dan", "Matthew": "Matt", "Joseph": "Joe", "Anthony": "Tony"}

# (title as typed, level, job function): abbreviations, misspellings, other languages.
TITLES: tuple[tuple[str, str, str], ...] = (
    ("CEO", "C-level", "executive"), ("Chief Executive Officer", "C-level", "executive"),
    ("Founder & CEO", "C-level", "executive"), ("Managing Director", "C-level", "executive"),
    ("Geschäftsführer", "C-level", "executive"), ("Directeur Général", "C-level", "executive"),
    ("CTO", "C-level", "engineering"), ("Chief Technology Officer", "C-level", "engineering"),
    ("CIO", "C-level", "IT"), ("CFO", "C-level", "finance"), ("COO", "C-level", "operations"),
    ("CMO", "C-level", "marketing"), ("Chief Revenue Officer", "C-level", "sales"),
    ("VP Sales", "VP", "sales"), ("Vice President of Sales", "VP", "sales"),
    ("VP, Marketing", "VP", "marketing"), ("SVP Engineering", "VP", "engineering"),
    ("Vice Pres. IT", "VP", "IT"), ("VP Operations", "VP", "operations"),
    ("Head of Sales", "director", "sales"), ("Director of Marketing", "director", "marketing"),
    ("Dir. IT", "director", "IT"), ("IT Director", "director", "IT"),
    ("Director, Engineering", "director", "engineering"),
    ("Finance Director", "director", "finance"),
    ("Directeur Commercial", "director", "sales"), ("Leiter Vertrieb", "director", "sales"),
    ("Head of HR", "director", "HR"), ("Directer of Operations", "director", "operations"),
    ("Sales Manager", "manager", "sales"), ("Sr. Mgr Marketing", "manager", "marketing"),
    ("Marketing Manger", "manager", "marketing"), ("IT Manager", "manager", "IT"),
    ("Engineering Manager", "manager", "engineering"), ("Mgr, Finance", "manager", "finance"),
    ("Jefe de Ventas", "manager", "sales"), ("Operations Mgr", "manager", "operations"),
    ("HR Manager", "manager", "HR"), ("Team Lead, DevOps", "manager", "engineering"),
    ("Software Engineer", "individual contributor", "engineering"),
    ("Sr. Software Engineer", "individual contributor", "engineering"),
    ("Sys Admin", "individual contributor", "IT"),
    ("Systems Administrator", "individual contributor", "IT"),
    ("Account Executive", "individual contributor", "sales"),
    ("Marketing Specialist", "individual contributor", "marketing"),
    ("Data Analyst", "individual contributor", "other"),
    ("Accountant", "individual contributor", "finance"),
    ("Ingénieur logiciel", "individual contributor", "engineering"),
    ("Entwickler", "individual contributor", "engineering"),
    ("Consultant", "individual contributor", "other"),
    ("Student", "student", "other"), ("PhD Candidate", "student", "other"),
    ("Intern", "student", "other"), ("MBA student", "student", "other"),
)
TITLE_WEIGHTS = tuple(
    {"C-level": 3, "VP": 4, "director": 6, "manager": 8, "individual contributor": 8,
     "student": 3}[level]
    for _, level, _ in TITLES
)

BRAND_WORDS = (
    "Acme", "Apex", "Summit", "Pioneer", "Vertex", "Orion", "Cedar", "Harbor", "Northwind",
    "Bluewater", "Redwood", "Silverline", "Granite", "Evergreen", "Sterling", "Horizon",
    "Keystone", "Meridian", "Atlas", "Beacon", "Cascade", "Falcon", "Global", "Ironwood",
    "Juniper", "Lakeside", "Maple", "Nimbus", "Oakridge", "Pinnacle", "Quantum", "Riverbend",
    "Sapphire", "Titan", "Unity", "Vanguard", "Westfield", "Zenith", "Blue", "Bright",
    "Clearwater", "Crescent", "Delta", "Eagle", "Frontier", "Golden", "Highland", "Insight",
    "Liberty", "Lighthouse", "Metro", "Nova", "Omega", "Paramount", "Prairie", "Royal",
    "Sunrise", "Trinity", "United", "Wolf",
)
SYLLABLES = ("zan", "tri", "qu", "or", "vi", "ax", "lo", "ne", "ka", "ri", "sol", "mer",
             "da", "tek", "ion", "ly", "ra", "ven", "cor", "bis", "tal", "fy", "xo", "mo")
INDUSTRY_NOUNS = {
    "Technology": ("Systems", "Software", "Technologies", "Labs", "Data", "Networks", "Cloud"),
    "Manufacturing": ("Manufacturing", "Industries", "Machines", "Components", "Works"),
    "Financial Services": ("Capital", "Financial", "Partners", "Bank", "Insurance"),
    "Healthcare": ("Health", "Medical", "Clinics", "Pharma", "Biotech"),
    "Retail": ("Retail", "Stores", "Brands", "Outfitters", "Market"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"),
    "Energy": ("Energy", "Power", "Solar", "Utilities"),
    "Education": ("Learning", "Academy", "Education"),
    "Professional Services": ("Consulting", "Advisors", "Group", "Associates"),
    "Food & Beverage": ("Foods", "Beverages", "Farms", "Kitchens"),
}
SIC_CODES = {
    "Technology": "7372", "Manufacturing": "3500", "Financial Services": "6199",
    "Healthcare": "8000", "Retail": "5311", "Logistics": "4731", "Energy": "4911",
    "Education": "8221", "Professional Services": "8742", "Food & Beverage": "2000",
}
QUALIFIERS = ("", "", "", "", "International", "Group", "Holdings", "Solutions",
              "North America", "Europe", "Worldwide")
LEGAL_SUFFIXES = {
    "US": ("Inc.", "Inc", "LLC", "Corp.", "Corporation", "Co."), "CA": ("Inc.", "Ltd."),
    "GB": ("Ltd", "Limited", "plc", "Ltd."), "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "FR": ("SA", "SAS", "SARL"), "ES": ("S.A.", "S.L."), "AU": ("Pty Ltd", "Pty. Ltd."),
    "JP": ("K.K.", "Co., Ltd."), "BR": ("Ltda.", "S.A."), "IN": ("Pvt. Ltd.", "Limited"),
}
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "web.de", "gmx.de",
             "orange.fr", "icloud.com")

REGISTRATION_QUESTIONS = {
    "Company size": ("1-49", "50-199", "200-999", "1,000-4,999", "5,000+"),
    "Use case": ("Replace spreadsheets", "Consolidate tools", "New team set-up",
                 "Evaluate for a client", "Personal learning"),
    "Timeline": ("This quarter", "Next quarter", "Within a year", "Just researching"),
    "Budget": ("Approved", "Planned", "Not yet", "Don't know"),
    "Current tool": ("Spreadsheets", "In-house tool", "A competitor", "Nothing yet"),
    "Role in purchase": ("Decision maker", "Recommender", "User", "Researcher"),
}
