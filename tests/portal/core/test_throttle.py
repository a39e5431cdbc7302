"""The one throttle: budgets by weight, lifting one side of a lockout, what pruning keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from portal.core import throttle
from portal.core.throttle import ADDRESS, KEY, PAIR, Limit, Rule

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
BUDGET = Limit("upload", rules=(Rule(ADDRESS, allowed=100, window=timedelta(days=1)),), count_successes=True)


def test_a_budget_counts_weight_and_says_when_there_is_room_again(db: Any) -> None:
    throttle.attempt_record(BUDGET, client_ip="10.0.0.1", now=T0, succeeded=True, weight=60)
    throttle.attempt_record(BUDGET, client_ip="10.0.0.1", now=T0 + timedelta(hours=1), succeeded=True, weight=30)
    later = T0 + timedelta(hours=2)
    assert throttle.locked_until(BUDGET, client_ip="10.0.0.1", now=later, weight=10) is None
    # 20 more fit once the 60 of T0 have left the day
    assert throttle.locked_until(BUDGET, client_ip="10.0.0.1", now=later, weight=20) == T0 + timedelta(days=1)
    # 80 fit only once the 30 have left too
    assert throttle.locked_until(BUDGET, client_ip="10.0.0.1", now=later, weight=80) == T0 + timedelta(days=1, hours=1)
    # more than the whole budget never fits: a day from now is the honest answer
    assert throttle.locked_until(BUDGET, client_ip="10.0.0.1", now=later, weight=101) == later + timedelta(days=1)
    assert throttle.locked_until(BUDGET, client_ip="10.0.0.2", now=later, weight=100) is None


def test_lifting_one_side_of_a_lockout_leaves_the_others(db: Any, users: Any) -> None:
    from portal.core.models import Lockout

    # given an address that failed five times on one username and twenty times in all
    for n in range(20):
        key = "camat1" if n < 5 else f"tebakan{n}"
        attempt = throttle.attempt_record(throttle.LOGIN, key=key, client_ip="10.0.0.9", now=T0 + timedelta(seconds=n))
        throttle.attempt_failed(throttle.LOGIN, attempt)
    now = T0 + timedelta(minutes=1)
    sides = {
        (h.target, h.key, h.client_ip)
        for h in throttle.holds(throttle.LOGIN, key="camat1", client_ip="10.0.0.9", now=now)
    }
    assert sides == {(PAIR, "camat1", "10.0.0.9"), (ADDRESS, "", "10.0.0.9")}
    address = Lockout.objects.get(target=ADDRESS)
    # when the address's lockout is lifted
    assert throttle.lockout_clear(lockout_id=address.pk, actor=users["admin"], now=now)
    assert not throttle.lockout_clear(lockout_id=address.pk, actor=users["admin"], now=now)
    # then other usernames may be tried from it again, and the pair stays locked
    assert throttle.locked_until(throttle.LOGIN, key="loket1", client_ip="10.0.0.9", now=now) is None
    held = throttle.holds(throttle.LOGIN, key="camat1", client_ip="10.0.0.9", now=now)
    assert [(h.target, h.until) for h in held] == [(PAIR, T0 + timedelta(seconds=4, minutes=15))]
    assert list(throttle.lockouts_current(now=now).values_list("target", flat=True)) == [PAIR]


def test_a_failure_during_a_lockout_extends_its_record_instead_of_adding_one(db: Any) -> None:
    from portal.core.models import Lockout

    for _ in range(6):  # the sixth was already on its way when the fifth locked the pair
        attempt = throttle.attempt_record(throttle.TRACKING, key="261201-ABCDEF", client_ip="10.0.0.3", now=T0)
        throttle.attempt_failed(throttle.TRACKING, attempt)
    (row,) = Lockout.objects.all()
    assert (row.target, row.failures, row.until) == (PAIR, 6, T0 + timedelta(minutes=15))


def test_pruning_keeps_known_addresses_and_lifted_lockouts(db: Any, users: Any) -> None:
    from portal.core.models import Attempt, Lockout

    throttle.attempt_record(throttle.LOGIN, key="camat1", client_ip="10.0.0.1", now=T0, succeeded=True)
    throttle.attempt_record(throttle.SUBMISSION, client_ip="10.0.0.1", now=T0, succeeded=True)
    for _ in range(5):
        attempt = throttle.attempt_record(throttle.LOGIN, key="kasi1", client_ip="10.0.0.2", now=T0)
        throttle.attempt_failed(throttle.LOGIN, attempt)
    lifted = Lockout.objects.create(
        scope="login", target=KEY, key="kasi1", started_at=T0, until=T0 + timedelta(minutes=5), failures=100,
        cleared_at=T0, cleared_by=users["admin"], cleared_by_name="admin",
    )  # fmt: skip
    assert throttle.attempts_prune(now=T0 + timedelta(days=2)) == 6
    assert list(Attempt.objects.values_list("key", "succeeded")) == [("camat1", True)]
    assert throttle.attempts_prune(now=T0 + timedelta(days=31)) == 1
    assert throttle.attempts_prune(now=T0 + timedelta(days=91)) == 1  # the pair's lockout, not the lifted one
    assert list(Lockout.objects.all()) == [lifted]
