package dev.gpubox.bench;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One person's month with the box: when they need it ({@link Session}s, which the idle watchdog sees as an
 * SSH connection or a busy GPU) and what they ask of it ({@link Action}s). Starting the box at the beginning
 * of a session at the desk is implied: the replay does it, and starts it again when a stop catches the user
 * at work (see {@link MoneyMonth}).
 */
record UsageTrace(String name, String who, List<Session> sessions, List<Action> actions, List<Outage> outages) {

    /** A stretch of time the box is needed; {@code attended}: at the desk (SSH), else a job left running (GPU). */
    record Session(Instant from, Instant to, boolean attended) {
        boolean covers(Instant t) {
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    enum Kind { START, STOP, SNOOZE_MINUTES, SNOOZE_UNTIL }

    /** An explicit call, by the owner or by whoever holds a leaked API key ({@code byKeyHolder}). */
    record Action(Instant at, Kind kind, String value, boolean byKeyHolder) {
    }

    /** EC2 throttles every StopInstances naming the trace's box from {@code from} to {@code to}. */
    record Outage(Instant from, Instant to) {
    }

    /** The session going on at {@code t}, or null. */
    Session sessionAt(Instant t) {
        for (Session s : sessions) {
            if (s.covers(t)) {
                return s;
            }
        }
        return null;
    }

    /** Builds a trace day by day, in the user's zone. */
    static final class Builder {
        private final String name;
        private final String who;
        private final ZoneId zone;
        private final List<Session> sessions = new ArrayList<>();
        private final List<Action> actions = new ArrayList<>();
        private final List<Outage> outages = new ArrayList<>();
        private LocalDate day;

        Builder(String name, String who, ZoneId zone) {
            this.name = name;
            this.who = who;
            this.zone = zone;
        }

        Builder on(LocalDate day) {
            this.day = day;
            return this;
        }

        boolean weekday() {
            return day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
        }

        DayOfWeek dayOfWeek() {
            return day.getDayOfWeek();
        }

        int dayOfMonth() {
            return day.getDayOfMonth();
        }

        /** At the desk from {@code from} to {@code to} (the next day when earlier than {@code from}). */
        Builder work(String from, String to) {
            return session(from, to, true);
        }

        /** A job left running on the GPU, unattended. */
        Builder job(String from, String to) {
            return session(from, to, false);
        }

        Builder stop(String at) {
            return action(at, Kind.STOP, null, false);
        }

        Builder snoozeUntil(String at, String until) {
            return action(at, Kind.SNOOZE_UNTIL, until, false);
        }

        Builder keyHolderStart(String at) {
            return action(at, Kind.START, null, true);
        }

        Builder keyHolderSnooze(String at, int minutes) {
            return action(at, Kind.SNOOZE_MINUTES, Integer.toString(minutes), true);
        }

        /** EC2 throttles the box's StopInstances from {@code from} to {@code to} this day (RequestLimitExceeded). */
        Builder throttleStops(String from, String to) {
            outages.add(new Outage(at(from), at(to)));
            return this;
        }

        UsageTrace build() {
            sessions.sort(Comparator.comparing(Session::from));
            actions.sort(Comparator.comparing(Action::at));
            return new UsageTrace(name, who, List.copyOf(sessions), List.copyOf(actions), List.copyOf(outages));
        }

        private Builder session(String from, String to, boolean attended) {
            Instant start = at(from);
            Instant end = day.atTime(LocalTime.parse(to)).atZone(zone).toInstant();
            if (!end.isAfter(start)) {
                end = day.plusDays(1).atTime(LocalTime.parse(to)).atZone(zone).toInstant();
            }
            sessions.add(new Session(start, end, attended));
            return this;
        }

        private Builder action(String at, Kind kind, String value, boolean byKeyHolder) {
            actions.add(new Action(at(at), kind, value, byKeyHolder));
            return this;
        }

        private Instant at(String time) {
            return day.atTime(LocalTime.parse(time)).atZone(zone).toInstant();
        }
    }
}
