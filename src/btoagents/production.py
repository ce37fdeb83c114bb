"""A workcenter: parallel identical servers (production lines), a queue and a discipline.

Disciplines (``manufacturer.discipline``): ``fcfs``; ``bto_priority`` - work for a final customer's
order (class 0) is started before stock and bulk work (class 1), without interrupting;
``bto_preemptive`` - class-0 work also interrupts class-1 work in service, which later
resumes where it stopped (preemptive-resume). Optional overtime lines open while at least
``overtime_threshold`` jobs wait; their busy time is costed apart and is not part of the
regular utilization.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappush

from btoagents.calendar import Calendar
from btoagents.distributions import Duration
from btoagents.kpis.accumulators import TimeAverage
from btoagents.records import Job
from btoagents.vocabulary import Priority

CUSTOMER, STOCK = Priority.CUSTOMER, Priority.STOCK


class Workcenter:
    """Servers that process :class:`~btoagents.records.Job` records one unit each."""

    def __init__(
        self,
        name: str,
        cal: Calendar,
        lines: int,
        duration: Duration,
        discipline: str,
        on_done: Callable[[Job], None],
        overtime_lines: int = 0,
        overtime_threshold: int = 10,
    ) -> None:
        if discipline not in ("fcfs", "bto_priority", "bto_preemptive"):
            raise ValueError(f"unknown discipline {discipline!r}")
        self.name = name
        self.cal = cal
        self.lines = lines
        self.duration = duration
        self.discipline = discipline
        self.priority = discipline != "fcfs"
        self.preemptive = discipline == "bto_preemptive"
        self.on_done = on_done
        self.overtime_lines = overtime_lines
        self.overtime_threshold = overtime_threshold
        self.queues: tuple[deque[Job], deque[Job]] = (deque(), deque())
        self.in_service: list[Job] = []
        self.busy = TimeAverage()
        self.busy_overtime = TimeAverage()
        self.completed = 0
        self.preemptions = 0

    def set_overtime(self, lines: int, threshold: int | None = None) -> None:
        """Allow ``lines`` overtime lines from now on (opening while at least ``threshold``
        jobs wait, unchanged when None); lines already open finish their job."""
        self.overtime_lines = lines
        if threshold is not None:
            self.overtime_threshold = threshold

    @property
    def waiting(self) -> int:
        """Jobs waiting (not in service)."""
        return len(self.queues[0]) + len(self.queues[1])

    def submit(self, job: Job) -> None:
        """A job arrives: start it on a free line, preempt, or queue it."""
        if self.busy.level < self.lines:
            self._start(job, False)
            return
        if self.preemptive and job.cls == CUSTOMER:
            victim = None
            for other in self.in_service:
                if (
                    other.cls == STOCK
                    and not other.overtime
                    and (victim is None or other.started > victim.started)
                ):
                    victim = other
            if victim is not None:
                self._preempt(victim)
                self._start(job, False)
                return
        queue = self.queues[job.cls if self.priority else CUSTOMER]
        queue.append(job)
        if (
            self.overtime_lines
            and self.busy_overtime.level < self.overtime_lines
            and self.waiting >= self.overtime_threshold
        ):
            self._start(self._next(), True)

    def _next(self) -> Job:
        q0, q1 = self.queues
        return q0.popleft() if q0 else q1.popleft()

    def _start(self, job: Job, overtime: bool) -> None:
        now = self.cal.now
        if job.remaining is None:
            job.remaining = self.duration()
        job.started = now
        job.overtime = overtime
        job.token = now + job.remaining  # completion time; a preempted job's old event is stale
        self.in_service.append(job)
        busy = self.busy_overtime if overtime else self.busy
        busy.area += busy.level * (now - busy.last)  # TimeAverage.add, inlined (hot path)
        busy.last = now
        busy.level += 1
        cal = self.cal
        cal._seq += 1  # cal.at(job.token, self._complete, job), inlined (hot path)
        heappush(cal._heap, (job.token, cal._seq, self._complete, job))

    def _preempt(self, job: Job) -> None:
        now = self.cal.now
        job.remaining = max(0.0, job.remaining - (now - job.started))
        job.token = -1.0
        self.in_service.remove(job)
        self.busy.add(now, -1)
        self.queues[1].appendleft(job)
        self.preemptions += 1

    def _complete(self, job: Job) -> None:
        now = self.cal.now
        if job.token != now:
            return  # stale: the job was preempted after this event was scheduled
        self.in_service.remove(job)
        overtime = job.overtime
        busy = self.busy_overtime if overtime else self.busy
        busy.area += busy.level * (now - busy.last)  # TimeAverage.add, inlined (hot path)
        busy.last = now
        busy.level -= 1
        self.completed += 1
        job.remaining = 0.0
        q0, q1 = self.queues
        if (q0 or q1) and (not overtime or len(q0) + len(q1) >= self.overtime_threshold):
            self._start(q0.popleft() if q0 else q1.popleft(), overtime)
        self.on_done(job)

    def jobs(self) -> list[Job]:
        """Every job waiting or in service (for conservation checks)."""
        return [*self.queues[0], *self.queues[1], *self.in_service]

    def ahead_of(self, cls: int) -> int:
        """Jobs a new class-``cls`` job would wait behind (waiting plus in service)."""
        if not self.priority or cls == STOCK:
            return len(self.queues[0]) + len(self.queues[1]) + len(self.in_service)
        if self.preemptive:
            return len(self.queues[CUSTOMER]) + sum(1 for j in self.in_service if j.cls == CUSTOMER)
        return len(self.queues[0]) + len(self.in_service)

    def quote(self, cls: int) -> float:
        """Expected days until a new class-``cls`` job is done (queue ahead / lines + its work)."""
        mean = self.duration.mean
        ahead = self.ahead_of(cls)
        return max(0, ahead - self.lines + 1) * mean / self.lines + mean
