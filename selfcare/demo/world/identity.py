"""Italian people, places and identifiers for generated worlds.

Every identifier is valid by construction: the body is random, the check digit comes from
python-stdnum, so the product's validators accept it exactly as they would a real one.
"""

import datetime
import random
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stdnum import luhn
from stdnum.it import codicefiscale

MALE_NAMES = [
    "Marco", "Luca", "Giuseppe", "Francesco", "Alessandro", "Andrea", "Matteo", "Lorenzo", "Davide",
    "Stefano", "Paolo", "Roberto", "Simone", "Giovanni", "Antonio", "Federico", "Riccardo", "Fabio",
    "Massimo", "Claudio", "Daniele", "Emanuele", "Michele", "Nicola", "Pietro", "Salvatore", "Vincenzo",
    "Tommaso", "Gabriele", "Filippo",
]  # fmt: skip
FEMALE_NAMES = [
    "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Federica", "Elena", "Alessia", "Silvia",
    "Martina", "Laura", "Paola", "Roberta", "Elisa", "Anna", "Maria", "Giorgia", "Serena", "Ilaria",
    "Cristina", "Monica", "Barbara", "Claudia", "Veronica", "Alice", "Beatrice", "Camilla", "Marta",
    "Simona", "Daniela",
]  # fmt: skip
SURNAMES = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "Costa", "Giordano", "Mancini", "Rizzo", "Lombardi", "Moretti", "Barbieri",
    "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
    "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "Cattaneo", "Villa", "Conte",
    "Ferri", "Fabbri", "Bianco", "Marchi", "Grasso", "Valentini", "Messina", "Sala", "Gatti", "Pellegrini",
    "Palumbo", "Sanna", "Farina", "Rizzi", "Monti", "Cattani", "Orlando", "Testa", "Ferraro", "Bassi",
    "Parisi",
]  # fmt: skip
STREETS = [
    "Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante Alighieri", "Via Mazzini", "Viale Europa",
    "Via Verdi", "Via Cavour", "Corso Vittorio Emanuele II", "Via dell'Industria", "Via del Lavoro",
    "Viale della Repubblica", "Via Marconi", "Via Galileo Galilei", "Piazza della Libertà",
]  # fmt: skip


@dataclass(frozen=True)
class City:
    name: str
    province: str
    postcode: str
    belfiore: str  # cadastral code used in the codice fiscale
    area_code: str  # fixed-line prefix, e.g. "02" or "011"


CITIES = [
    City("Milano", "MI", "20121", "F205", "02"),
    City("Roma", "RM", "00184", "H501", "06"),
    City("Torino", "TO", "10121", "L219", "011"),
    City("Bologna", "BO", "40121", "A944", "051"),
    City("Firenze", "FI", "50123", "D612", "055"),
    City("Napoli", "NA", "80133", "F839", "081"),
    City("Bari", "BA", "70121", "A662", "080"),
    City("Padova", "PD", "35122", "G224", "049"),
    City("Verona", "VR", "37121", "L781", "045"),
    City("Genova", "GE", "16121", "D969", "010"),
    City("Brescia", "BS", "25121", "B157", "030"),
    City("Palermo", "PA", "90133", "G273", "091"),
]

# Mobile prefixes in use in Italy (all accepted by phonenumbers as mobile ranges).
MOBILE_PREFIXES = [
    "320", "324", "327", "328", "329", "331", "333", "334", "335", "338", "339", "340", "342", "345",
    "346", "347", "348", "349", "351", "366", "370", "375", "377", "380", "388", "389", "391", "392",
    "393",
]  # fmt: skip
# Tax-office codes of the P.IVA (digits 8-10): provincial offices 001-100.
VAT_OFFICE_CODES = ["015", "058", "001", "037", "048", "063", "072", "028", "023", "010"]
CF_MONTHS = "ABCDEHLMPRST"
VOWELS = set("AEIOU")


def _letters(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return "".join(ch for ch in plain if ch.isalpha())


def _cf_part(text: str, *, is_first_name: bool) -> str:
    letters = _letters(text)
    consonants = [c for c in letters if c not in VOWELS]
    vowels = [c for c in letters if c in VOWELS]
    # A first name with four or more consonants skips the second one (the law's rule).
    if is_first_name and len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    # Names with fewer than three letters are padded with the letter X, as the codice fiscale rule says.
    return ("".join(consonants + vowels) + "XXX")[:3]


def person_fiscal_code(
    *, first_name: str, last_name: str, birth_date: datetime.date, female: bool, belfiore: str
) -> str:
    """The codice fiscale of a person: 15 encoded characters plus the check letter from python-stdnum."""
    day = birth_date.day + (40 if female else 0)
    body = (
        _cf_part(last_name, is_first_name=False)
        + _cf_part(first_name, is_first_name=True)
        + f"{birth_date.year % 100:02d}"
        + CF_MONTHS[birth_date.month - 1]
        + f"{day:02d}"
        + belfiore
    )
    return body + codicefiscale.calc_check_digit(body)


def vat_number(rng: random.Random) -> str:
    """A partita IVA: a 7-digit serial, a tax-office code, then the Luhn check digit."""
    body = f"{rng.randint(1, 9_999_999):07d}{rng.choice(VAT_OFFICE_CODES)}"
    return body + luhn.calc_check_digit(body)


def iccid(rng: random.Random) -> str:
    """A 19-digit Italian ICCID: 89 (telecom) 39 (Italy), issuer and serial, Luhn check digit."""
    body = "893988" + "".join(rng.choices("0123456789", k=12))
    return body + luhn.calc_check_digit(body)


def imei(rng: random.Random, tac: str) -> str:
    """A 15-digit IMEI: the model's 8-digit type allocation code, a 6-digit serial, Luhn check digit."""
    body = tac + f"{rng.randint(0, 999_999):06d}"
    return body + luhn.calc_check_digit(body)


def mobile_number(rng: random.Random) -> str:
    """An Italian mobile number in E.164: +39 3xx xxxxxxx."""
    return f"+39{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"


def fixed_number(rng: random.Random, city: City) -> str:
    """An Italian geographic number in E.164: area code plus subscriber digits (ten digits in all)."""
    digits = 10 - len(city.area_code)
    return f"+39{city.area_code}{rng.randint(2 * 10 ** (digits - 1), 10**digits - 1)}"


def national(number: str) -> str:
    """The national form of an E.164 Italian number: what an employee types as his username."""
    return number.removeprefix("+39")


class Unique:
    """Draws values that are not taken yet, seeded with the values already in the database."""

    def __init__(self, draw: Callable[[], str], taken: Iterable[str] = ()):
        self._draw = draw
        self._taken = set(taken)

    def __contains__(self, value: str) -> bool:
        return value in self._taken

    def reserve(self, value: str) -> str:
        self._taken.add(value)
        return value

    def take(self, draw: Callable[[], str]) -> str:
        """A value from another drawing function, still unique within this pool."""
        while (value := draw()) in self._taken:
            pass
        return self.reserve(value)

    def __call__(self) -> str:
        while True:
            value = self._draw()
            if value not in self._taken:
                self._taken.add(value)
                return value


@dataclass
class Person:
    first_name: str
    last_name: str
    female: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def email(self, domain: str) -> str:
        return f"{_letters(self.first_name).lower()}.{_letters(self.last_name).lower()}@{domain}"


def person(rng: random.Random) -> Person:
    """A person with an Italian first name and surname."""
    female = rng.random() < 0.45
    return Person(rng.choice(FEMALE_NAMES if female else MALE_NAMES), rng.choice(SURNAMES), female)


def address(rng: random.Random) -> str:
    """A street address (street and number) for a company or a site."""
    return f"{rng.choice(STREETS)}, {rng.randint(1, 180)}"
