import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InfraError } from '../infra-error';

/** A manifest's timer schedule that the instance schedule cannot follow. */
export class CollectorScheduleError extends InfraError {
  readonly code = 'COLLECTOR_SCHEDULE_UNSUPPORTED';
  constructor(
    readonly source: string,
    readonly onCalendar: string,
    reason: string,
  ) {
    super(`collector schedule ${source}: OnCalendar "${onCalendar}": ${reason}`);
    this.name = 'CollectorScheduleError';
  }
}

/** The daily time (UTC) a collector timer fires, read from a manifest's `schedule.onCalendar`. */
export interface CollectorTimer {
  /** The manifest file it comes from. */
  source: string;
  onCalendar: string;
  /** Minutes after 00:00 UTC. */
  minuteOfDay: number;
}

/** When the collector group runs one instance: from `leadMinutes` before a timer to `runWindowMinutes` after it. */
export interface CollectorWindow {
  timer: CollectorTimer;
  /** Minutes after 00:00 UTC the group scales out to one instance (wraps past midnight). */
  scaleOutMinuteOfDay: number;
  /** Minutes after 00:00 UTC the group scales in to none. */
  scaleInMinuteOfDay: number;
  /** Instance minutes per day. */
  minutes: number;
}

const DAILY = /^(?:\*-\*-\*\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+(UTC|Etc\/UTC))?$/;

/**
 * Reads a systemd OnCalendar expression that fires once a day at a fixed UTC time (`daily`,
 * `*-*-* HH:MM[:SS] [UTC]`; AL2023 instances keep UTC, so no zone means UTC). Anything else is refused
 * by name: the instance schedule must cover every time the timer fires.
 */
export function parseDailyOnCalendar(onCalendar: string, source: string): CollectorTimer {
  const value = onCalendar.trim();
  if (value === 'daily') return { source, onCalendar, minuteOfDay: 0 };
  const match = DAILY.exec(value);
  if (!match) throw new CollectorScheduleError(source, onCalendar, 'only a daily time is supported ("*-*-* HH:MM:SS UTC" or "daily"); the instance schedule is derived from it');
  const [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) throw new CollectorScheduleError(source, onCalendar, 'not a time of day');
  if (second !== 0) throw new CollectorScheduleError(source, onCalendar, 'seconds must be 00 (scheduled actions have minute precision)');
  return { source, onCalendar, minuteOfDay: hour * 60 + minute };
}

/** The timers of the manifests the instances run (`*.local.json` are for the local runtime). */
export function readCollectorTimers(manifestsDir: string): CollectorTimer[] {
  return readdirSync(manifestsDir)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.local.json'))
    .sort()
    .map((file) => {
      const source = path.join(manifestsDir, file);
      const manifest = JSON.parse(readFileSync(source, 'utf8')) as { schedule?: { onCalendar?: unknown } };
      const onCalendar = manifest.schedule?.onCalendar;
      if (typeof onCalendar !== 'string') throw new CollectorScheduleError(source, String(onCalendar), 'schedule.onCalendar is missing');
      return parseDailyOnCalendar(onCalendar, source);
    });
}

const MINUTES_PER_DAY = 24 * 60;
const wrap = (minute: number) => ((minute % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;

/**
 * One window per timer. Windows may not overlap: one window's scale-in would stop another's run.
 * @throws CollectorScheduleError when two windows overlap or a window is a whole day
 */
export function collectorWindows(timers: CollectorTimer[], leadMinutes: number, runWindowMinutes: number): CollectorWindow[] {
  const minutes = leadMinutes + runWindowMinutes;
  const windows = timers.map((timer) => {
    if (minutes >= MINUTES_PER_DAY) throw new CollectorScheduleError(timer.source, timer.onCalendar, `a ${minutes}-minute window is the whole day: run the group always-on instead`);
    return { timer, scaleOutMinuteOfDay: wrap(timer.minuteOfDay - leadMinutes), scaleInMinuteOfDay: wrap(timer.minuteOfDay + runWindowMinutes), minutes };
  });
  const sorted = [...windows].sort((a, b) => a.scaleOutMinuteOfDay - b.scaleOutMinuteOfDay);
  sorted.forEach((window, index) => {
    const next = sorted[(index + 1) % sorted.length]!;
    if (next === window) return;
    const gap = wrap(next.scaleOutMinuteOfDay - window.scaleOutMinuteOfDay) || MINUTES_PER_DAY;
    if (gap < window.minutes) {
      throw new CollectorScheduleError(next.timer.source, next.timer.onCalendar, `its window overlaps the one of ${window.timer.source} ("${window.timer.onCalendar}")`);
    }
  });
  return windows;
}

/** `M H * * *`: a daily Auto Scaling recurrence (cron, evaluated in UTC with time zone Etc/UTC). */
export function dailyCron(minuteOfDay: number): string {
  return `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
}

/** Minutes after 00:00 of a daily `M H * * *` recurrence; undefined for anything else. */
export function minuteOfDailyCron(recurrence: string): number | undefined {
  const match = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(recurrence.trim());
  return match ? Number(match[2]) * 60 + Number(match[1]) : undefined;
}
