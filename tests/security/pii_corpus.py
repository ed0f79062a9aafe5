"""A corpus of personal data in the shapes customers write it, and of numbers that only look like it.

Each PII case is (kind, value, sentence with `{}` where the value goes): after redaction the
sentence must read exactly as written with the value replaced by one `[KIND]` token. Each
benign sentence must come out unchanged. Written for these tests; the card numbers are the
networks' published test numbers and the IBANs the registry's published examples.
"""

from __future__ import annotations

PII_CASES: list[tuple[str, str, str]] = [
    # phones, international
    ("phone", "+81-3-1234-5678", "Our Tokyo office is on {} during JST hours."),
    ("phone", "+49 30 1234567", "Rückruf bitte unter {}, danke."),
    ("phone", "+49 (0)89 2190 3344", "Zentrale München: {}"),
    ("phone", "+33 1 42 68 53 00", "Appelez-nous au {} avant midi."),
    ("phone", "+44 20 7946 0958", "You can reach the London desk on {}."),
    ("phone", "+1 (415) 555-0132", "My cell is {} if email is slow."),
    ("phone", "+61 2 9374 4000", "Sydney team: {} (AEST)."),
    ("phone", "+91 98765 43210", "WhatsApp me at {} please"),
    ("phone", "+55 11 3040-5060", "Escritório São Paulo: {}"),
    ("phone", "+86 10 6552 9988", "Beijing line {} is staffed 9-6."),
    ("phone", "+7 495 739-22-22", "Moscow: {}."),
    ("phone", "+34 912 345 678", "Llámenos al {} por favor."),
    ("phone", "+39 06 6988 1234", "Ufficio di Roma {}"),
    ("phone", "+31 20 794 0600", "Bel ons op {}."),
    ("phone", "+41 44 668 1800", "Zürich: {}"),
    ("phone", "+46 8 505 800 00", "Stockholm växel {}"),
    ("phone", "+52 55 5080 2000", "CDMX: {}."),
    ("phone", "+27 21 405 4000", "Cape Town office {}"),
    ("phone", "+353 1 677 1234", "Dublin: {} (ask for Siobhan)"),
    ("phone", "+65 6221 2233", "Singapore {}"),
    ("phone", "+4915112345678", "Mobil: {}"),
    ("phone", "0049 30 12345678", "Tel. {} (Büro)"),
    ("phone", "+81 90-1234-5678", "携帯 {} までご連絡ください"),
    # phones, national
    ("phone", "030 1234567", "Festnetz {} ab 9 Uhr."),
    ("phone", "(020) 7946 0321", "Ring {} and ask for accounts."),
    ("phone", "06 12 34 56 78", "Mon portable : {}"),
    ("phone", "03-1234-5678", "電話 {} (平日)"),
    ("phone", "415.555.0147", "Call {} after lunch."),
    ("phone", "0171 2345678", "Handy {}"),
    ("phone", "555-010-1234", "Text me at {}."),
    # cards, every separator
    ("card", "4111 1111 1111 1111", "Please charge {} for the renewal."),
    ("card", "4111\u00a01111\u00a01111\u00a01111", "Card: {} (Visa)."),
    ("card", "5555.5555.5555.4444", "Use {} instead of the old card."),
    ("card", "4012/8888/8888/1881", "my card is {} exp 09/27"),
    ("card", "5105-1051-0510-5100", "Refund to {} please."),
    ("card", "378282246310005", "Amex {} on file."),
    ("card", "3714 496353 98431", "corporate amex {}"),
    ("card", "6011\u202f1111\u202f1111\u202f1117", "Discover {}"),
    ("card", "2223 0031 2200 3222", "new Mastercard {}."),
    ("card", "4242 4242 4242 4242", "Die Karte {} wurde abgelehnt."),
    # IBANs, every case and spacing
    ("iban", "DE89 3704 0044 0532 0130 00", "Überweisung auf {} bitte."),
    ("iban", "de89370400440532013000", "iban {} thanks"),
    ("iban", "gb29 nwbk 6016 1331 9268 19", "send it to {}."),
    ("iban", "AT61-1904-3002-3457-3201", "Konto {}"),
    ("iban", "FR14 2004 1010 0505 0001 3M02 606", "Mon IBAN : {}"),
    ("iban", "NL91ABNA0417164300", "Rekening {}."),
    ("iban", "ES91 2100 0418 4502 0005 1332", "Cuenta {}"),
    ("iban", "IT60 X054 2811 1010 0000 0123 456", "Conto {}."),
    ("iban", "CH93 0076 2011 6238 5295 7", "Konto {} (UBS)"),
    ("iban", "be68 5390 0754 7034", "rekening {}"),
    ("iban", "PL61 1090 1014 0000 0712 1981 2874", "Proszę o zwrot na {}."),
    # SSNs and emails
    ("ssn", "536-90-4399", "My SSN is {} for the tax form."),
    ("ssn", "123-45-6789", "SSN: {}"),
    ("email", "m.okafor+billing@northwind-traders.co.uk", "cc {} on the invoice"),
    ("email", "LENA.VOGEL@Beispiel.DE", "Antwort an {}"),
]

BENIGN: list[str] = [
    "Order 2024-118734 has not arrived yet.",
    "My order #88213457 was charged twice.",
    "Invoice INV-2025-00417 shows the wrong VAT.",
    "PO 4500012345 covers the 40 licences.",
    "Case 00123456 is still open after two weeks.",
    "Tracking number 1Z999AA10123456784 shows no movement.",
    "We spoke on 03.04.2025 and again on 2025-04-17 14:30.",
    "The outage lasted from 3/4/2025 to 3/6/2025.",
    "Delivery window: 09:00-17:30, Monday to Friday.",
    "We run version 10.0.19045.3693 on the kiosks.",
    "After upgrading to v2.14.3 the export broke.",
    "The total came to €1.234.567,89 including VAT.",
    "We were billed $12,345.67 instead of $1,234.56.",
    "Budget: 1 234 567 EUR for the year.",
    "Our gateway is at 10.20.30.40 behind the VPN.",
    "ISBN 978-3-16-148410-0 is missing from the catalogue.",
    "Ship to 500 Howard St, San Francisco, CA 94105-1234.",
    "Postcode SW1A 1AA, London.",
    "Room 1204 on floor 12, building 3.",
    "We need 2 x 500 units by Q3 2025.",
    "Revenue grew +12.5% year on year.",
    "Serial SN-20231104-0042 failed the self-test.",
    "Reference 4929 1234 5678 9013 is a booking code, not a card.",
    "Please quote ticket 12-34-56 when you call back.",
    "Between 1999-2004 we used the legacy system.",
    "The meeting is at 10:30 in room 4.",
    "Score went from 1200 to 1450 points.",
    "Account manager: Lisa Wong (ext. 4321).",
]
