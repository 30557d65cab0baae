"""The fixed demo world that `make run` creates. Only ever used with DEBUG on."""

from __future__ import annotations

import base64
import binascii

DEMO_PASSWORD = "saferwork-demo-password"
# 20 bytes, the same for every demo account, so a person or a script can compute codes.
DEMO_TOTP_KEY_HEX = binascii.hexlify(b"SaferWorkDemoTotpKey").decode()
DEMO_TOTP_BASE32 = base64.b32encode(b"SaferWorkDemoTotpKey").decode()

PROGRAMME_HOST = ("Confederation of Workplace Unions", "confederation", "programme_host", "London")
AFFILIATES = [
    ("Care Workers' Union", "care-workers-union", "union", "North West"),
    ("Transport and Logistics Union", "transport-logistics-union", "union", "West Midlands"),
    ("Education Staff Union", "education-staff-union", "union", "Yorkshire and the Humber"),
    ("Retail and Hospitality Union", "retail-hospitality-union", "union", "London"),
    ("Public Services Union", "public-services-union", "union", "Wales"),
]
EMPLOYER = ("Northfield Borough Council", "northfield-council", "employer", "East of England")

# email, full name, [(organisation slug, flags)], is_staff
PEOPLE: list[tuple[str, str, list[tuple[str, list[str]]], bool]] = [
    ("admin@saferwork.test", "Amira Khan", [("confederation", ["is_programme_admin"])], True),
    (
        "coordinator@saferwork.test",
        "Chris Doyle",
        [("care-workers-union", ["is_coordinator"]), ("public-services-union", ["is_coordinator", "is_leader"])],
        False,
    ),
    ("handler@saferwork.test", "Hannah Moss", [("northfield-council", ["is_case_handler"])], False),
    ("rep@saferwork.test", "Ravi Patel", [("care-workers-union", ["is_case_handler"])], False),
    ("leader@saferwork.test", "Lena Ward", [("northfield-council", ["is_leader", "is_coordinator"])], False),
    ("participant@saferwork.test", "Pat Quinn", [("care-workers-union", []), ("public-services-union", [])], False),
]
TRAINER_NAMES = [
    "Tasha Adeyemi",
    "Owen Brennan",
    "Priya Chauhan",
    "Dylan Evans",
    "Grace Fairley",
    "Marcus Hall",
    "Ines Ibrahim",
    "Joe Kerr",
    "Nadia Lowe",
    "Sam Morgan",
    "Ffion Price",
    "Kofi Roberts",
]
