package io.calisto.io.sched;

/** One scheduling decision as it leaves the IO thread (see {@link SchedulerListener} for the fields). */
public record SchedEvent(int type, int appId, int core, String reason, long tNanos, long signal) {}
