import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectorScheduleError, collectorWindows, dailyCron, minuteOfDailyCron, parseDailyOnCalendar, readCollectorTimers } from '../../src/config/collector-schedule';

describe('a manifest timer as a daily time', () => {
  test.each([
    ['*-*-* 02:30:00 UTC', 150],
    ['*-*-* 02:30 UTC', 150],
    ['*-*-* 2:30:00', 150],
    ['23:59', 1439],
    ['*-*-* 00:00:00 Etc/UTC', 0],
    ['daily', 0],
  ])('%s → minute %i', (onCalendar, minute) => {
    expect(parseDailyOnCalendar(onCalendar, 'm.json').minuteOfDay).toBe(minute);
  });

  test.each([
    ['hourly', 'only a daily time is supported'],
    ['Mon *-*-* 02:30:00', 'only a daily time is supported'],
    ['*-*-* 02:30:00 Asia/Seoul', 'only a daily time is supported'],
    ['*-*-* 02,14:30:00', 'only a daily time is supported'],
    ['*-*-* 25:00:00', 'not a time of day'],
    ['*-*-* 02:30:15', 'seconds must be 00'],
  ])('%s is refused: %s', (onCalendar, reason) => {
    expect(() => parseDailyOnCalendar(onCalendar, 'm.json')).toThrow(`collector schedule m.json: OnCalendar "${onCalendar}": ${reason}`);
    expect(() => parseDailyOnCalendar(onCalendar, 'm.json')).toThrow(CollectorScheduleError);
  });
});

describe('instance windows', () => {
  const timer = (minuteOfDay: number, source = 'm.json') => ({ source, onCalendar: String(minuteOfDay), minuteOfDay });

  test('from lead minutes before the timer to the run window after it', () => {
    expect(collectorWindows([timer(150)], 15, 120)).toEqual([{ timer: timer(150), scaleOutMinuteOfDay: 135, scaleInMinuteOfDay: 270, minutes: 135 }]);
  });

  test('wraps around midnight both ways', () => {
    expect(collectorWindows([timer(5)], 15, 120)[0]).toMatchObject({ scaleOutMinuteOfDay: 1430, scaleInMinuteOfDay: 125 });
    expect(collectorWindows([timer(1400)], 15, 120)[0]).toMatchObject({ scaleOutMinuteOfDay: 1385, scaleInMinuteOfDay: 80 });
  });

  test('overlapping windows are refused (one scale-in would stop the other run); separate ones are kept', () => {
    expect(() => collectorWindows([timer(150, 'a.json'), timer(240, 'b.json')], 15, 120)).toThrow(/b\.json.*overlaps the one of a\.json/);
    expect(collectorWindows([timer(150, 'a.json'), timer(720, 'b.json')], 15, 120)).toHaveLength(2);
  });

  test('a window of a whole day is refused', () => {
    expect(() => collectorWindows([timer(0)], 60, 1380)).toThrow('whole day');
  });

  test.each([0, 135, 270, 1439])('cron of minute %i reads back', (minute) => {
    expect(minuteOfDailyCron(dailyCron(minute))).toBe(minute);
  });

  test('reads the timers of the AWS manifests, not the local ones', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-manifests-'));
    try {
      writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ schedule: { onCalendar: '*-*-* 02:30:00 UTC' } }));
      writeFileSync(path.join(dir, 'a.local.json'), JSON.stringify({ schedule: { onCalendar: 'hourly' } }));
      expect(readCollectorTimers(dir)).toEqual([{ source: path.join(dir, 'a.json'), onCalendar: '*-*-* 02:30:00 UTC', minuteOfDay: 150 }]);
      writeFileSync(path.join(dir, 'b.json'), JSON.stringify({}));
      expect(() => readCollectorTimers(dir)).toThrow('schedule.onCalendar is missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
