"""What a client may send, as typed, validated requests (pydantic): a bad field is answered with
HTTP 422 naming it, before any work. Limits keep one request from occupying a classroom's server;
the codes a household's fields may take are the population schema's (docs/data-schema.md).
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from microsim.engine.macro import supported_years
from microsim.population.labour import IN_WORK, WORKING, WORKING_AGE
from microsim.population.schema import load_schema

MAX_OVERRIDES = 200  # parameter overrides in one request (a scenario file holds a handful)
MAX_REPLICATES = 200  # bootstrap replicates a request may ask for (about 0.25 s each on one core)
MAX_PROJECTION_REPLICATES = 20  # a projection's replicates (each one runs every year)
MAX_MEMBERS = 30  # members of one household in the calculator (the largest survey households have about 20)
MAX_CONSUMPTION = 1e9  # riels per person per month: far above any household's, and refused above
MAX_EARNINGS = 1e9  # riels per person per month, the same bound
FIRST_YEAR, LAST_YEAR = supported_years()  # the survey year to the last year of policies/macro.yaml's CPI

Scalar = Union[bool, int, float, str]
Value = Union[Scalar, dict[str, Scalar]]  # what a scenario file's `parameter.path: value` line holds (or a schedule
#                                            by year, {2026: 80, 2028: 75}: a reform phased in)
_SCHEMA = load_schema()


def _codes(table: str, column: str):
    """The schema's allowed values of a category column, as a type pydantic checks."""
    return Literal[tuple(_SCHEMA.table(table)[column].values)]


Sex, Relationship = _codes("persons", "sex"), _codes("persons", "relationship")
EmploymentType, PensionScheme = _codes("persons", "employment_type"), _codes("persons", "pension_scheme")
LabourStatus = _codes("persons", "labour_status")
Zone, IDPoor = _codes("households", "zone"), _codes("households", "idpoor")


class ReformRequest(BaseModel):
    """A reform in a year: the same overrides a scenario file holds (``reform:`` and ``baseline:``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("Reform", max_length=200, description="Shown in the results, as a scenario's name.")
    description: str = Field("", max_length=2000, description="Shown in the results, as a scenario's description.")
    year: int = Field(2026, ge=FIRST_YEAR, le=LAST_YEAR, description="The year simulated (1 January's law).")
    reform: dict[str, Value] = Field(default_factory=dict, description="parameter.path -> value, on top of the baseline.")
    baseline: dict[str, Value] = Field(default_factory=dict, description="parameter.path -> value changing current law.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Take-up draws (as a scenario's seed).")
    allow: bool = Field(False, description="Accept values outside their plausible range (as --allow).")

    @field_validator("reform", "baseline")
    @classmethod
    def _not_too_many(cls, overrides: dict) -> dict:
        if len(overrides) > MAX_OVERRIDES:
            raise ValueError(f"at most {MAX_OVERRIDES} overrides (found {len(overrides)})")
        for path in overrides:
            if len(path) > 200 or not path.replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"{path[:60]!r} is not a parameter path such as social_pension.amount")
            if isinstance(overrides[path], dict) and len(overrides[path]) > LAST_YEAR - FIRST_YEAR + 1:
                raise ValueError(f"{path}: a schedule names each year once, at most {LAST_YEAR - FIRST_YEAR + 1} years")
        return overrides


class SimulateRequest(ReformRequest):
    """A reform simulated on the server's population, as ``microsim run`` does."""

    ageing: bool = Field(True, description="Reweight the population to the year's demography (as `microsim run`).")
    growth: bool = Field(True, description="Grow consumption with real GDP per head (as `microsim run`).")
    replicates: int = Field(0, ge=0, le=MAX_REPLICATES, description="Bootstrap replicates for 95 % intervals (0: none).")


def last_after_first(last: int, info: ValidationInfo) -> int:
    """A range of years' ``last``, refused when it comes before ``first``."""
    first = info.data.get("first")
    if first is not None and last < first:
        raise ValueError(f"the last year ({last}) comes before the first ({first})")
    return last


class ProjectRequest(ReformRequest):
    """A reform projected year by year, as ``microsim project`` does (``year``: when it takes effect)."""

    first: int = Field(2026, ge=FIRST_YEAR, le=LAST_YEAR, description="First year projected.")
    last: int = Field(2035, ge=FIRST_YEAR, le=LAST_YEAR, description="Last year projected.")
    ageing: bool = Field(True, description="Reweight the population to each year's demography.")
    growth: bool = Field(True, description="Grow consumption with real GDP per head.")
    replicates: int = Field(0, ge=0, le=MAX_PROJECTION_REPLICATES,
                            description="Bootstrap replicates for 95 % intervals on every year (0: none).")

    _after_first = field_validator("last")(last_after_first)


class CostingRequest(ReformRequest):
    """The reform's measures costed year by year in the live costing workbook, as ``microsim workbook``
    does (``year``: when the reform takes effect)."""

    first: int = Field(2026, ge=FIRST_YEAR, le=LAST_YEAR, description="First year costed.")
    last: int = Field(2035, ge=FIRST_YEAR, le=LAST_YEAR, description="Last year costed.")
    ageing: bool = Field(True, description="Bring the population to each year's demography (as the command's default).")

    _after_first = field_validator("last")(last_after_first)


class Member(BaseModel):
    """One member of the household (the first is its head)."""

    model_config = ConfigDict(extra="forbid")

    age: int = Field(ge=0, le=120, description="Completed years.")
    sex: Sex
    relationship: Optional[Relationship] = None
    employment_type: Optional[EmploymentType] = None
    disabled: bool = False
    pregnant: bool = False
    in_school: bool = False
    contributory_pension: bool = Field(False, description="Receives a contributory pension.")
    pension_scheme: Optional[PensionScheme] = None
    nssf_member: Optional[bool] = Field(None, description="Insured by the NSSF (formal employees).")
    nssf_retiree: bool = Field(False, description="Retired from the NSSF's pension scheme (insured until the pension "
                                                  "age since October 2022): paid the scheme's minimum pension.")
    education_years: Optional[int] = Field(None, ge=0, le=25)
    labour_status: Optional[LabourStatus] = Field(None, description="Status in employment (15 and over).")
    earnings: Optional[float] = Field(None, ge=0, le=MAX_EARNINGS,
                                      description="Riels a month from work, in the prices of the year asked.")

    def row(self) -> dict:
        """The person row: only what was given (the rest takes the study's defaults)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Household(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zone: Zone
    idpoor: IDPoor = Field(0, description="0 not identified, 1 level 1, 2 level 2.")
    consumption_pc: float = Field(ge=0, le=MAX_CONSUMPTION,
                                  description="Riels per person per month, in the prices of the year asked.")


class HouseholdRequest(ReformRequest):
    """One household under the baseline and the reform (the calculator)."""

    household: Household
    members: list[Member] = Field(min_length=1, max_length=MAX_MEMBERS)

    def earnings_problem(self) -> tuple[tuple, str] | None:
        """(where, what) when some members give their earnings and a member in work does not: the
        model would pay that member nothing from work (earnings are all given, or all imputed)."""
        if not any(m.earnings is not None for m in self.members):
            return None
        for i, m in enumerate(self.members):
            in_work = (m.labour_status in IN_WORK if m.labour_status is not None
                       else m.employment_type in WORKING)
            if m.age >= WORKING_AGE and in_work and m.earnings is None:
                return (("body", "members", i, "earnings"),
                        "this member is in work and others give their earnings: give this member's too (riels a "
                        "month, 0 or more), or give no member's (they are then imputed from consumption)")
        return None
