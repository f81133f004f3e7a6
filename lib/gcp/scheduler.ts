import { Constraint, intRange, pattern } from "./validation";

/** Cloud Scheduler: cron expressions, time zones, job names. */

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** The five fields of unix-cron: name, range, and the names a field also accepts. */
const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[], base: 0 },
  { name: "hour", min: 0, max: 23, names: [] as string[], base: 0 },
  { name: "day of month", min: 1, max: 31, names: [] as string[], base: 0 },
  { name: "month", min: 1, max: 12, names: MONTHS, base: 1 },
  { name: "day of week", min: 0, max: 7, names: DAYS, base: 0 },
];

/** One value of a field: a number in range or one of its names (case-insensitive). */
function value(text: string, field: (typeof FIELDS)[number]): number | undefined {
  const named = field.names.indexOf(text.toUpperCase());
  if (named >= 0) return named + field.base;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** Checks one field: `*`, `N`, `N-M`, each optionally `/STEP`, comma-separated. */
function fieldProblem(text: string, field: (typeof FIELDS)[number]): string | undefined {
  for (const part of text.split(",")) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/([0-9]+))?$/.exec(part);
    if (!m) return `the ${field.name} field has "${part}"`;
    if (m[2] !== undefined && Number(m[2]) < 1) return `the ${field.name} field has step ${m[2]}`;
    if (m[1] === "*") continue;
    const [lo, hi] = m[1].split("-");
    const a = value(lo, field);
    const b = hi === undefined ? a : value(hi, field);
    if (a === undefined || b === undefined || a > b) {
      return `the ${field.name} field has "${part}" (${field.min}-${field.max}${field.names.length ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""})`;
    }
  }
  return undefined;
}

/**
 * A unix-cron expression of five fields. Source: Cloud Scheduler "Cron job format and time zone"
 * (the unix-cron format: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day
 * of week 0-7 or SUN-SAT, with `*`, ranges, lists and steps).
 */
export const cron: Constraint<string> = (text) => {
  const fields = text.trim().split(/\s+/);
  const shape = 'must be five unix-cron fields (minute hour day-of-month month day-of-week), such as "0 3 * * 1"';
  if (fields.length !== 5) return `${shape}; got ${fields.length} field${fields.length === 1 ? "" : "s"}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem !== undefined) return `${shape}; ${problem}`;
  }
  return undefined;
};

/**
 * A tz database time zone name. Source: Cloud Scheduler "Cron job format and time zone" (names
 * from the tz database); checked against the zones this Node.js knows.
 */
export const timeZone: Constraint<string> = (zone) => {
  const allowed = 'must be a tz database time zone name such as "Etc/UTC" or "Europe/Amsterdam"';
  if (!/^[A-Z][A-Za-z_]*(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return allowed;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return allowed;
  }
  // Node matches names without regard to case; Cloud Scheduler is not known to.
  return resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()
    ? `${allowed}; it is spelled "${resolved}"`
    : undefined;
};

/** Retries of a failed call. Source: Cloud Scheduler API (RetryConfig.retryCount: 0-5). */
export const retryCount = intRange(0, 5, "must be a whole number from 0 to 5");

/** Cloud Scheduler job name. Source: Cloud Scheduler API (Job.name: letters, digits, hyphens, underscores, at most 500). */
export const schedulerJobName = pattern(/^[A-Za-z0-9_-]{1,500}$/, "must be letters, digits, hyphens and underscores");
