"""factory_boy factories for accounts (one per model, shared seeded Faker)."""

from __future__ import annotations

import factory
import factory.random
from factory.django import DjangoModelFactory

from keel.accounts.models import Clinic, Membership, User
from keel.accounts.roles import AccountType, Role

factory.Faker._DEFAULT_LOCALE = "en_US"
factory.random.reseed_random("keel")

TEST_PASSWORD = "correct-horse-battery"


class ClinicFactory(DjangoModelFactory[Clinic]):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Test Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "America/Chicago"
    mrn_prefix = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in str(n)))
    phone = "+1 555 0100 999"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    account_type = AccountType.STAFF
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.NURSE


def staff_member(*, clinic: Clinic, role: Role, **user_fields: object) -> User:
    """A user with one active membership in ``clinic``."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, clinic=clinic, role=role)
    return user
