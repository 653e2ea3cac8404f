"""What a client may send, as typed, validated requests (pydantic): a bad field is answered with
HTTP 422 naming it, before any work. Limits keep one request from occupying a classroom's server.
"""

from __future__ import annotations

from typing import Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_OVERRIDES = 200  # parameter overrides in one request (a scenario file holds a handful)
MAX_REPLICATES = 200  # bootstrap replicates a request may ask for (about 0.25 s each on one core)
FIRST_YEAR, LAST_YEAR = 2019, 2035  # the survey year to the last year of policies/macro.yaml (checked again)

Value = Union[bool, int, float, str]  # what a scenario file's `parameter.path: value` line holds


class SimulateRequest(BaseModel):
    """A reform in a year: the same overrides a scenario file holds (``reform:`` and ``baseline:``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("Reform", max_length=200, description="Shown in the results, as a scenario's name.")
    description: str = Field("", max_length=2000, description="Shown in the results, as a scenario's description.")
    year: int = Field(2026, ge=FIRST_YEAR, le=LAST_YEAR, description="The year simulated (1 January's law).")
    reform: dict[str, Value] = Field(default_factory=dict, description="parameter.path -> value, on top of the baseline.")
    baseline: dict[str, Value] = Field(default_factory=dict, description="parameter.path -> value changing current law.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Take-up draws (as a scenario's seed).")
    ageing: bool = Field(True, description="Reweight the population to the year's demography (as `microsim run`).")
    growth: bool = Field(True, description="Grow consumption with real GDP per head (as `microsim run`).")
    replicates: int = Field(0, ge=0, le=MAX_REPLICATES, description="Bootstrap replicates for 95 % intervals (0: none).")
    allow: bool = Field(False, description="Accept values outside their plausible range (as --allow).")

    @field_validator("reform", "baseline")
    @classmethod
    def _not_too_many(cls, overrides: dict) -> dict:
        if len(overrides) > MAX_OVERRIDES:
            raise ValueError(f"at most {MAX_OVERRIDES} overrides (found {len(overrides)})")
        for path in overrides:
            if len(path) > 200 or not path.replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"{path[:60]!r} is not a parameter path such as social_pension.amount")
        return overrides
