"""Who did something: written on every audit event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorType = Literal["user", "api_key", "customer", "system"]


@dataclass(frozen=True)
class Actor:
    type: ActorType
    name: str
    user_id: int | None = None
    api_key_id: int | None = None
    role: str | None = None  # admin | agent | warehouse | partner, for staff and keys

    @property
    def is_staff(self) -> bool:
        return self.type in ("user", "api_key")

    @classmethod
    def system(cls, name: str = "retour") -> Actor:
        return cls(type="system", name=name)

    @classmethod
    def customer(cls, name: str) -> Actor:
        return cls(type="customer", name=name)
