from saferwork.delivery.tests.conftest import booking, other_trainer, session, trainer  # noqa: F401
