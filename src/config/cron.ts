/**
 * Cron patterns in the configuration (cron-parser: 5 fields, or 6 with seconds), checked when the
 * config is read, and the latest tick of a pattern at or before a moment.
 */
import cronParser from 'cron-parser';
import { z } from 'zod';

export const cronSchema = z.string().superRefine((v, ctx) => {
  const fields = v.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    ctx.addIssue({
      code: 'custom',
      message: `a cron pattern has 5 (or 6, with seconds) fields, not ${fields}`,
    });
    return;
  }
  try {
    cronParser.parseExpression(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid cron pattern: ${(e as Error).message}` });
  }
});

/** The latest tick of `pattern` (in `timeZone`) at or before `now`. */
export function latestTick(pattern: string, timeZone: string, now: Date): Date {
  // prev() is strictly before currentDate: start 1 ms after now so a tick exactly at now counts
  const it = cronParser.parseExpression(pattern, { currentDate: new Date(now.getTime() + 1), tz: timeZone });
  return it.prev().toDate();
}
