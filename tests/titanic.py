"""A generated Titanic-like table, as real tables come: an id column, a
free-text name, text categories, missing ages, a mostly empty cabin."""

from pathlib import Path

import numpy as np

SURNAMES = (
    "Smith",
    "Brown",
    "Kelly",
    "Andersson",
    "Johnson",
    "Williams",
    "Sage",
    "Goodwin",
    "Panula",
    "Rice",
    "Skoog",
    "Fortune",
    "Asplund",
    "Carter",
    "Ford",
)
GIVEN = ("John", "Mary", "William", "Anna", "James", "Elizabeth", "Karl", "Ellen")


def titanic_rows(n: int = 900, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """The header and ``n`` rows of text cells, seeded."""
    rng = np.random.default_rng(seed)
    pclass = rng.choice([1, 2, 3], n, p=[0.24, 0.21, 0.55])
    female = rng.random(n) < 0.35
    age = np.clip(rng.normal(38 - 4 * pclass, 13), 0.5, 80).round(1)
    sibsp = rng.poisson(0.5, n)
    parch = rng.poisson(0.4, n)
    fare = (np.exp(rng.normal(4.4 - 0.8 * pclass, 0.5))).round(4)
    embarked = rng.choice(["S", "C", "Q"], n, p=[0.72, 0.19, 0.09])
    logit = (
        2.6 * female
        - 1.1 * (pclass - 2)
        - 0.035 * (age - 30)
        - 0.35 * sibsp
        + 0.4 * (embarked == "C")
        - 0.6
    )
    survived = rng.random(n) < 1 / (1 + np.exp(-logit))
    age_missing = rng.random(n) < 0.22
    cabin_present = rng.random(n) < np.where(pclass == 1, 0.75, 0.08)
    header = [
        "PassengerId",
        "Survived",
        "Pclass",
        "Name",
        "Sex",
        "Age",
        "SibSp",
        "Parch",
        "Ticket",
        "Fare",
        "Cabin",
        "Embarked",
    ]
    rows = []
    for i in range(n):
        title = "Mrs." if female[i] else "Mr."
        name = (
            f'"{SURNAMES[i % len(SURNAMES)]}, {title} '
            f'{GIVEN[(i * 7) % len(GIVEN)]} {chr(65 + i % 26)}{i}"'
        )
        cabin = f"{'ABCDEFG'[i % 7]}{10 + (i * 13) % 140}" if cabin_present[i] else ""
        rows.append(
            [
                str(i + 1),
                str(int(survived[i])),
                str(pclass[i]),
                name,
                "female" if female[i] else "male",
                "" if age_missing[i] else f"{age[i]:g}",
                str(sibsp[i]),
                str(parch[i]),
                f"{'A/5 ' if i % 3 == 0 else ''}{3100 + i * 7}",
                f"{fare[i]:g}",
                cabin,
                "" if i in (61, 829) else embarked[i],
            ]
        )
    return header, rows


def write_titanic(path: Path, n: int = 900, seed: int = 0) -> Path:
    """Write the table as a CSV file and return its path."""
    header, rows = titanic_rows(n, seed)
    lines = [",".join(header)] + [",".join(row) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)
