"""Fixed taxonomies stored as codes."""

from django.db import models


class Industry(models.TextChoices):
    """NAICS 2022 sectors."""

    AGRICULTURE = "11", "Agriculture, forestry, fishing and hunting"
    MINING = "21", "Mining, quarrying, and oil and gas extraction"
    UTILITIES = "22", "Utilities"
    CONSTRUCTION = "23", "Construction"
    MANUFACTURING = "31-33", "Manufacturing"
    WHOLESALE = "42", "Wholesale trade"
    RETAIL = "44-45", "Retail trade"
    TRANSPORTATION = "48-49", "Transportation and warehousing"
    INFORMATION = "51", "Information"
    FINANCE = "52", "Finance and insurance"
    REAL_ESTATE = "53", "Real estate and rental and leasing"
    PROFESSIONAL = "54", "Professional, scientific, and technical services"
    MANAGEMENT = "55", "Management of companies and enterprises"
    ADMINISTRATIVE = "56", "Administrative and support and waste management services"
    EDUCATION = "61", "Educational services"
    HEALTH = "62", "Health care and social assistance"
    ARTS = "71", "Arts, entertainment, and recreation"
    HOSPITALITY = "72", "Accommodation and food services"
    OTHER_SERVICES = "81", "Other services (except public administration)"
    PUBLIC = "92", "Public administration"


class RevenueBand(models.TextChoices):
    UNDER_1M = "lt1m", "Under $1M"
    FROM_1M = "1m-5m", "$1M – $5M"
    FROM_5M = "5m-13m", "$5M – $13M"
    FROM_13M = "13m-50m", "$13M – $50M"
    FROM_50M = "50m-250m", "$50M – $250M"
    FROM_250M = "250m+", "$250M and more"


# The lowest revenue in each band, in US dollars: eligibility compares against this.
REVENUE_BAND_FLOOR = {
    RevenueBand.UNDER_1M: 0,
    RevenueBand.FROM_1M: 1_000_000,
    RevenueBand.FROM_5M: 5_000_000,
    RevenueBand.FROM_13M: 13_000_000,
    RevenueBand.FROM_50M: 50_000_000,
    RevenueBand.FROM_250M: 250_000_000,
}


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    HYBRID = "hybrid", "Hybrid"


class Relationship(models.TextChoices):
    COMPETITOR = "competitor", "Competitor"
    CUSTOMER = "customer", "Customer"
    SUPPLIER = "supplier", "Supplier"
    INVESTOR = "investor", "Investor"
    FAMILY = "family", "Family"
    BUSINESS_PARTNER = "business_partner", "Business partner"
    OTHER = "other", "Other"
